"""Memory and duration values, ``env()``: the strict-syntax built-ins (issue 16, item 4).

Each case names the Nextflow unit test it is a fact from (inputs and expected values only).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from preflight.model import Location
from preflight.nextflow.config.evaluator import resolve_config
from preflight.nextflow.groovy.expressions import evaluate, parse_expression
from preflight.nextflow.groovy.values import Duration, Dynamic, MemoryUnit
from preflight.pipeline import PipelineSpec

AT = Location("nextflow.config", 1, 1)
KB, MB, GB, TB, PB, EB = (1 << (10 * p) for p in range(1, 7))


def value(text: str) -> Any:
    return evaluate(parse_expression(text, AT), {"params": {}})


# MemoryUnitTest."should create mem unit from string"
@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1", 1),
        ("2B", 2),
        ("3 B", 3),
        ("1KB", 1024),
        ("3.5 KB", 3584),
        ("5K", 5120),
        ("3.5 M", int(3.5 * MB)),
        ("4G", 4 * GB),
        ("35 P", 35 * PB),
        ("1000 KB", 1024000),
        ("8 GB", 8 * GB),
        ("8 g", 8 * GB),
        ("8gB", 8 * GB),
    ],
)
def test_memory_from_text(text: str, size: int) -> None:
    assert MemoryUnit.of(text) == MemoryUnit(size)
    assert value(f"'{text}' as MemoryUnit") == MemoryUnit(size)
    assert value(f"MemoryUnit.of('{text}')") == MemoryUnit(size)


@pytest.mark.parametrize("text", ["1,000 KB", "8 gb", "8 GiB", " 8 GB", "8 GB ", "1.5 B"])
def test_memory_text_nextflow_refuses(text: str) -> None:
    # MemoryUnitTest: '1,000 KB' throws; the rest by MemoryUnit's own pattern (case-sensitive B)
    assert MemoryUnit.parse(text) is None
    assert isinstance(value(f"MemoryUnit.of('{text}')"), Dynamic)


# MemoryUnitTest."should convert mem unit to string"
@pytest.mark.parametrize(
    ("size", "text"),
    [
        (1000, "1000 B"),
        (1024, "1 KB"),
        (1500, "1.5 KB"),
        (2 * MB, "2 MB"),
        (3 * GB, "3 GB"),
        (4 * TB, "4 TB"),
        (5 * PB, "5 PB"),
        (6 * EB, "6 EB"),
        (int(1.25 * GB), "1.2 GB"),  # DecimalFormat rounds half to even
        (0, "0"),
    ],
)
def test_memory_to_text(size: int, text: str) -> None:
    assert str(MemoryUnit(size)) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.GB", MemoryUnit(GB)),
        ("8.gb", MemoryUnit(8 * GB)),  # NumberDelegatingMetaClass upper-cases memory units
        ("1.5.GB", MemoryUnit(int(1.5 * GB))),
        ("1_000_000.toMemory().toString()", "976.6 KB"),  # Bolts.toMemory: bytes
        ("MemoryUnit.of(1024)", MemoryUnit(1024)),
        ("MemoryUnit.of('2 MB').toUnit('KB')", 2048),  # MemoryUnitTest."should convert to unit"
        ("MemoryUnit.of('2 MB').toUnit('GB')", 0),
        ("2.GB * 3 == 6.GB", True),  # MemoryUnitTest."should multiply/divide/add/subtract"
        ("2.GB * 1.5 == 3.GB", True),
        ("4.GB / 2 == 2.GB", True),
        ("3.GB / 1.5 == 2.GB", True),
        ("1.GB + 2.GB == 3.GB", True),
        ("5.GB - 2.GB == 3.GB", True),
        ("1.MB < 1.GB", True),  # MemoryUnitTest."should compare mem unit"
        ("1.GB > 1.MB", True),
        ("1.GB > '512 MB'", True),  # compareTo(MemoryUnit, CharSequence)
        ("1.KB <=> 1024", 0),  # compareTo(MemoryUnit, Number): bytes
        ("1.GB.giga", 1),
        ("0.GB ? 'some' : 'none'", "none"),  # asBoolean: size != 0
    ],
)
def test_memory_expressions(text: str, expected: Any) -> None:
    assert value(text) == expected


@pytest.mark.parametrize("text", ["8.G", "1.GB - 2.GB"])
def test_memory_expressions_nextflow_refuses(text: str) -> None:
    # 'G' is no memory unit property; a negative amount fails MemoryUnit's assertion
    assert isinstance(value(text), Dynamic)


# DurationTest."test create by string" and "test legacy format"
@pytest.mark.parametrize(
    ("text", "millis"),
    [
        ("123 millis", 123),
        ("123ms", 123),
        ("5 seconds", 5000),
        ("5 sec", 5000),
        ("5s", 5000),
        ("5 min", 300_000),
        ("5min", 300_000),
        ("5h", 18_000_000),
        ("1 days", 86_400_000),
        ("1day", 86_400_000),
        ("1d", 86_400_000),
        ("10.5 s", 10_500),
        ("10.5 m", 630_000),
        ("1d 2h", 93_600_000),
        ("2d3h4m", 183_840_000),
        ("1:0:0", 3_600_000),
        ("01:02:03", 3_723_000),
    ],
)
def test_duration_from_text(text: str, millis: int) -> None:
    assert Duration.of(text) == Duration(millis)
    assert value(f"Duration.of('{text}')") == Duration(millis)
    assert value(f"'{text}' as Duration") == Duration(millis)


@pytest.mark.parametrize(
    "text",
    ["live_in_3d", "/path/to/samples/2016-06-05_21:04:05/sample.bam", "10833d95-f4f7-4d8b", "5 x"],
)
def test_duration_text_nextflow_refuses(text: str) -> None:
    # DurationTest."test create by string" (invalid values)
    assert Duration.parse(text) is None


# DurationTest."test toString"
@pytest.mark.parametrize(
    ("millis", "text"),
    [
        (100, "100ms"),
        (1000, "1s"),
        (1100, "1.1s"),
        (32300, "32.3s"),
        (61000, "1m 1s"),
        (61200, "1m 1s"),
        (61800, "1m 2s"),
        (3_601_000, "1h 1s"),
        (25 * 3_600_000 + 1000, "1d 1h 1s"),
        (300_000, "5m"),
    ],
)
def test_duration_to_text(millis: int, text: str) -> None:
    assert str(Duration(millis)) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2.h", Duration(7_200_000)),
        ("2.H", Duration(7_200_000)),  # NumberDelegatingMetaClass lower-cases duration units
        ("1.M", Duration(60_000)),  # 'm' is a duration unit before 'MB' is a memory one
        ("1.h == Duration.of('1h')", True),  # DurationTest."test equals and compare"
        ("10.min < 11.min", True),
        ("1.hour + 3.hours == 4.hours", True),  # DurationTest."test plus/minus/multiply/div"
        ("2.hours * 3 == 6.hours", True),
        ("6.hours * 1.5 == 9.hours", True),
        ("9.hours / 1.5 == 6.hours", True),
        ("(61 * 1000).toDuration().toString()", "1m 1s"),  # Bolts.toDuration: millis
        ("Duration.of('bad', 5.min)", Duration(300_000)),  # Duration.of(String, fallback)
        ("2.h > '90 min'", True),
        ("2.h.toMinutes()", 120),
    ],
)
def test_duration_expressions(text: str, expected: Any) -> None:
    assert value(text) == expected


def test_env_reads_the_launch_environment_never_the_env_scope(tmp_path: Path) -> None:
    # ConfigDsl.env(name) is SysEnv.get(name): only the run knows it, whatever `env {}` says.
    (tmp_path / "nextflow.config").write_text(
        "env { TOKEN_DIR = '/x' }\nparams.dir = env('TOKEN_DIR')\nparams.mem = '8 GB'\n"
    )
    config = resolve_config(PipelineSpec(root=tmp_path, launch_dir=tmp_path))
    dynamic = config.get("params.dir")
    assert isinstance(dynamic, Dynamic)
    assert "TOKEN_DIR" in dynamic.reason and str(dynamic.location) == "nextflow.config:2:14"
