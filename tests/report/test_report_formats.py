"""Each format's contract, checked by reading the output back the way its consumer would."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import PurePosixPath
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from report_sample import FASTQC, LAB, SALMON, SANDBOX, STAR, sample_report

from preflight import report
from preflight.errors import EXIT_INPUT, InputError
from preflight.model import Finding, Location, Report, Status
from preflight.report import github, json_report, junit, text

ANSI = re.compile(r"\x1b\[[0-9;]*m")
COMMAND = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")


def _unescape(value: str) -> str:
    return (
        value.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


def _command(line: str) -> tuple[str, dict[str, str], str]:
    """Parse one workflow command as the runner does: properties split on ',' then '='."""
    match = COMMAND.match(line)
    assert match, line
    props = dict(p.split("=", 1) for p in match.group(2).split(",")) if match.group(2) else {}
    return match.group(1), {k: _unescape(v) for k, v in props.items()}, _unescape(match.group(3))


# --- registry -------------------------------------------------------------------------------


def test_formats_are_the_four_the_cli_offers() -> None:
    assert report.FORMATS == ("text", "json", "junit", "github")


def test_unknown_format_is_an_input_error_naming_the_choices() -> None:
    with pytest.raises(InputError) as caught:
        report.render("sarif", Report())
    assert caught.value.exit_code == EXIT_INPUT
    assert "sarif" in str(caught.value)
    assert "text, json, junit, github" in caught.value.remedy


@pytest.mark.parametrize("name", report.FORMATS)
def test_every_format_ends_in_one_newline_and_handles_an_empty_report(name: str) -> None:
    for subject in (sample_report(), Report()):
        out = report.render(name, subject)
        assert out.endswith("\n") and not out.endswith("\n\n")


# --- text -----------------------------------------------------------------------------------


def test_text_colour_only_when_asked_and_nothing_else_differs() -> None:
    plain = text.render(sample_report())
    coloured = text.render(sample_report(), color=True)
    assert "\x1b" not in plain
    assert "\x1b[31m" in coloured
    assert ANSI.sub("", coloured) == plain


def test_text_groups_by_area_then_registry_then_image() -> None:
    lines = text.render(sample_report()).splitlines()
    pull = lines.index("pull")
    assert lines[pull + 2 : pull + 4] == [f"  {LAB}", f"    {FASTQC}"]
    assert lines.count(f"    {STAR}") == 1
    # a finding whose subject is its group's heading does not repeat it
    star = lines.index(f"    {STAR}")
    assert lines[star + 1].startswith("      FAIL  The manifest request")


def test_text_puts_place_and_remedy_under_a_failure_and_not_under_a_pass() -> None:
    passing = Finding(
        "wave",
        Status.PASS,
        "wave.enabled",
        "on",
        remedy="nothing to do",
        location=Location("nextflow.config", 2, 1),
    )
    failing = Finding(
        "wave",
        Status.FAIL,
        "wave.enabled",
        "off",
        remedy="turn it on",
        location=Location("nextflow.config", 2, 1),
    )
    assert "nothing to do" not in text.render(Report(findings=(passing,)))
    lines = text.render(Report(findings=(failing,))).splitlines()
    assert lines[1:4] == [
        "  FAIL  wave.enabled: off",
        "        at nextflow.config:2",
        "        → turn it on",
    ]


def test_text_names_a_place_once_when_the_subject_already_says_it() -> None:
    place = Location("nextflow.config", 3, 5)
    finding = Finding(
        check="config",
        status=Status.ERROR,
        subject="nextflow.config:3:5",
        message="could not check: unexpected '}'",
        remedy="close the block",
        location=place,
    )
    out = text.render(Report(findings=(finding,)))
    assert out.count("nextflow.config:3") == 1, out


def test_text_verdict_is_the_last_line_with_counts() -> None:
    assert text.render(sample_report()).splitlines()[-1] == (
        "FAIL: 3 failed, 1 error, 2 warnings, 3 passed, 1 skipped"
    )
    warn_only = Report(findings=(Finding("token", Status.WARN, "t", "soon"),))
    assert text.render(warn_only).splitlines()[-1] == "PASS: 1 warning"
    assert text.render(Report()).splitlines()[-1] == "PASS: no findings"


def test_text_strips_terminal_control_characters_from_findings() -> None:
    out = text.render(Report(findings=(Finding("x", Status.FAIL, "s", "a\x1b]0;owned\x07b"),)))
    assert "\x1b" not in out and "\x07" not in out


# --- json -----------------------------------------------------------------------------------


def test_json_contract() -> None:
    data = json.loads(report.render("json", sample_report()))
    assert list(data) == [
        "schema_version",
        "status",
        "pipeline",
        "counts",
        "findings",
        "images",
        "unresolved",
    ]
    assert data["schema_version"] == 1
    assert data["status"] == "fail"
    assert data["counts"] == {"pass": 3, "skip": 1, "warn": 2, "fail": 3, "error": 1}
    first = data["findings"][0]
    assert list(first) == ["check", "status", "subject", "message", "remedy", "location"]
    assert first["location"] == "nextflow.config:14:5"
    star = next(f for f in data["findings"] if f["subject"] == STAR)
    assert list(star["details"]) == sorted(star["details"])
    assert star["details"]["http_status"] == 404
    image = data["images"][0]
    assert list(image) == [
        "image",
        "registry",
        "repository",
        "tag",
        "digest",
        "acr",
        "processes",
        "source",
    ]
    assert image["processes"] == ["FASTQC", "FASTQC_TRIMMED"]
    assert image["source"] == "conf/modules.config:8"
    assert data["images"][2]["source"] is None
    assert data["unresolved"] == [
        {
            "process": "ALIGN",
            "reason": "container is computed by a closure: { params.aligner == 'star' ? … }",
            "source": "modules/local/align.nf:9",
        }
    ]


def test_json_is_ascii_and_lossless() -> None:
    out = report.render("json", sample_report())
    assert out.isascii()
    odd = json.loads(out)["findings"][-1]
    assert odd["subject"] == "params.outdir <\"Größe\" & '✓'>"
    assert "\r\n" in odd["message"] and "\x07" in odd["message"]


def test_json_passing_report() -> None:
    ok = Report(findings=(Finding("wave", Status.PASS, "wave.enabled", "on"),))
    assert json.loads(report.render("json", ok))["status"] == "pass"


# --- junit ----------------------------------------------------------------------------------


def test_junit_parses_and_holds_the_counts() -> None:
    root = ET.fromstring(report.render("junit", sample_report()).encode("utf-8"))
    assert root.tag == "testsuites"
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "10",
        "failures": "3",
        "errors": "1",
        "skipped": "1",
    }
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == 10
    assert len(root.findall(".//failure")) == 3
    assert len(root.findall(".//error")) == 1
    assert len(root.findall(".//skipped")) == 1
    for suite in root.findall("testsuite"):
        found = suite.findall("testcase")
        assert suite.get("tests") == str(len(found))
        assert {c.get("classname") for c in found} == {suite.get("name")}
        assert suite.get("failures") == str(len(suite.findall("./testcase/failure")))


def test_junit_maps_each_status() -> None:
    root = ET.fromstring(report.render("junit", sample_report()).encode("utf-8"))
    by_name = {c.get("name"): c for c in root.iter("testcase")}
    star = by_name[STAR]
    failure = star.find("failure")
    assert failure is not None and failure.text is not None
    assert "at modules/local/star/main.nf:6:15" in failure.text
    assert "remedy: Push the image" in failure.text
    assert by_name[SALMON].find("error") is not None
    assert by_name[SANDBOX].find("failure") is not None
    assert list(by_name["wave-pull"]) == [by_name["wave-pull"].find("system-out")]
    assert list(by_name[FASTQC]) == []


def test_junit_escapes_markup_and_drops_what_xml_cannot_hold() -> None:
    out = report.render("junit", sample_report())
    root = ET.fromstring(out.encode("utf-8"))
    odd = next(c for c in root.iter("testcase") if c.get("classname") == "config")
    assert odd.get("name") == "params.outdir <\"Größe\" & '✓'>"
    out_text = odd.findtext("system-out") or ""
    assert "\x07" not in out_text and "\x1b" not in out_text
    assert "<https://example.org/?a=1&b=2>" in out_text


# --- github ---------------------------------------------------------------------------------


def test_github_one_annotation_per_finding_that_needs_attention() -> None:
    lines = report.render("github", sample_report()).splitlines()
    commands = [_command(line) for line in lines[:-1]]
    assert [c[0] for c in commands] == [
        "error",
        "error",
        "warning",
        "error",
        "error",
        "notice",
        "warning",
    ]
    assert lines[-1] == "preflight: FAIL: 3 failed, 1 error, 2 warnings, 3 passed, 1 skipped"


def test_github_locations_and_their_absence() -> None:
    commands = [_command(x) for x in report.render("github", sample_report()).splitlines()[:-1]]
    _, wave, message = commands[0]
    assert wave == {
        "file": "pipelines/rnaseq/nextflow.config",  # the pipeline directory's file, not cwd's
        "line": "14",
        "col": "5",
        "title": "preflight wave: wave.enabled",
    }
    assert message.endswith(
        "\nFix: Write wave.enabled = true (no quotes), or run: preflight fix --only wave"
    )
    assert "file" not in commands[1][1] and "line" not in commands[1][1]
    odd = commands[-1][1]
    assert odd["file"] == "pipelines/rnaseq/conf/odd,name: 测试.config" and "col" not in odd


def test_github_escaping_round_trips() -> None:
    tricky = "50% a,b: c\r\nnext"
    finding = Finding("c:d", Status.FAIL, "s,t", tricky, location=Location("a,b:c.config", 1, 2))
    line = github.annotation(finding)
    assert line is not None and "\n" not in line and "\r" not in line
    _, props, message = _command(line)
    assert props["file"] == "a,b:c.config"
    assert props["title"] == "preflight c:d: s,t"
    assert message == "50% a,b: c\nnext"


def test_github_escape_functions() -> None:
    assert github.escape_data("%\r\n:,") == "%25%0D%0A:,"
    assert github.escape_property("%\r\n:,") == "%25%0D%0A%3A%2C"


# --- every format on arbitrary text ----------------------------------------------------------

_text = st.text(max_size=40)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.builds(
            Finding,
            check=_text,
            status=st.sampled_from(Status),
            subject=_text,
            message=_text,
            remedy=_text,
            location=st.none() | st.builds(Location, _text, st.integers(1), st.integers(0, 500)),
            details=st.dictionaries(_text, _text | st.integers(), max_size=3),
        ),
        max_size=6,
    )
)
def test_any_text_gives_valid_output_in_every_format(findings: list[Finding]) -> None:
    subject = Report(findings=tuple(findings))
    root = ET.fromstring(junit.render(subject).encode("utf-8"))
    assert root.get("tests") == str(len(findings))
    data = json.loads(report.render("json", subject))
    assert [f["message"] for f in data["findings"]] == [f.message for f in findings]
    lines = github.render(subject).split("\n")
    attention = [f for f in findings if f.status is not Status.PASS]
    assert len(lines) == len(attention) + 2  # annotations, the verdict, and the final ''
    for line, finding in zip(lines[:-2], attention, strict=True):
        assert _command(line)[0] == github.COMMANDS[finding.status]
    assert text.render(subject).splitlines()[-1].startswith("PASS" if subject.passed else "FAIL")


# --- reading a JSON report back ---------------------------------------------------------------


@pytest.mark.parametrize("name", report.FORMATS)
def test_a_saved_json_report_renders_like_the_original(name: str) -> None:
    saved = report.render("json", sample_report())
    again = json_report.load_report(saved)
    original = report.render(name, sample_report(), color=True)
    assert report.render(name, again, color=True) == original


def test_location_in_json_is_always_file_line_col() -> None:
    finding = Finding("c", Status.FAIL, "s", "m", location=Location("a:b.config", 3))
    data = json.loads(report.render("json", Report(findings=(finding,))))
    assert data["findings"][0]["location"] == "a:b.config:3:0"
    assert json_report.load_report(json.dumps(data)).findings[0].location == finding.location


@pytest.mark.parametrize(
    ("saved", "says"),
    [
        ("not json", "not a preflight JSON report"),
        ("[]", "not a preflight JSON report"),
        ('{"schema_version": 99, "findings": []}', "newer than this preflight reads"),
        ('{"schema_version": 1, "findings": [{"check": "c"}]}', "malformed"),
        (
            '{"schema_version": 1, "findings": [{"check": "c", "status": "meh", "subject": "s",'
            ' "message": "m"}]}',
            "malformed",
        ),
    ],
)
def test_loading_something_else_is_an_input_error(saved: str, says: str) -> None:
    with pytest.raises(InputError, match=says) as caught:
        json_report.load_report(saved, where="report.json")
    assert caught.value.where == "report.json"


def test_details_of_any_type_become_json() -> None:
    class Odd:
        def __str__(self) -> str:
            return "odd"

    details: dict[Any, object] = {
        "ratio": 0.5,
        "nan": float("nan"),
        "status": Status.WARN,
        "path": PurePosixPath("a/b"),
        "where": Location("nextflow.config", 2, 3),
        "tuple": (1, "x"),
        "odd": Odd(),
        3: None,
    }
    finding = Finding("c", Status.WARN, "s", "m", details=details)
    data = json.loads(report.render("json", Report(findings=(finding,))))["findings"][0]["details"]
    assert data == {
        "3": None,
        "nan": "nan",
        "odd": "odd",
        "path": "a/b",
        "ratio": 0.5,
        "status": "warn",
        "tuple": [1, "x"],
        "where": "nextflow.config:2:3",
    }


def test_enum_details_read_as_their_value_in_junit() -> None:
    finding = Finding("c", Status.FAIL, "s", "m", details={"was": Status.WARN})
    assert "was: warn" in report.render("junit", Report(findings=(finding,)))


def test_text_does_not_repeat_a_subject_that_only_names_the_area() -> None:
    skipped = Finding("pull", Status.SKIP, "pull", "skipped: offline")
    assert text.render(Report(findings=(skipped,))).splitlines()[1] == "  skip  skipped: offline"
