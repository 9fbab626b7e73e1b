"""``--output FILE``: the old file or the new one, never a torn one, and no litter either way."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from preflight.errors import EXIT_INPUT, InputError
from preflight.report.output import write_atomically

OLD = '{"status": "pass"}\n'


def _litter(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_creates_a_new_file_with_the_umask_mode(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    write_atomically(target, "ünïcode ✓\n")
    assert target.read_bytes() == "ünïcode ✓\n".encode()
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert _litter(tmp_path) == []


def test_replaces_an_existing_file_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "report.xml"
    target.write_text(OLD)
    target.chmod(0o640)
    before = target.stat().st_ino
    write_atomically(target, "<testsuites/>\n")
    assert target.read_text() == "<testsuites/>\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.stat().st_ino != before  # a new file was renamed over the old one
    assert _litter(tmp_path) == []


def test_writes_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text(OLD)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_atomically(link, "new\n")
    assert link.is_symlink()
    assert real.read_text() == "new\n"


def test_keeps_newlines_as_given(tmp_path: Path) -> None:
    target = tmp_path / "r.txt"
    write_atomically(target, "a\nb\r\n")
    assert target.read_bytes() == b"a\nb\r\n"


def test_a_failure_at_the_rename_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.json"
    target.write_text(OLD)

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(InputError) as caught:
        write_atomically(target, '{"status": "fail"}\n')
    assert target.read_text() == OLD
    assert _litter(tmp_path) == []
    assert caught.value.exit_code == EXIT_INPUT
    assert caught.value.where == str(target)
    assert "No space left on device" in str(caught.value)
    assert caught.value.remedy


def test_a_write_that_fails_half_way_leaves_the_old_file(tmp_path: Path) -> None:
    """A real short write: the child may not grow any file past 64 KiB, and writes 1 MiB."""
    target = tmp_path / "report.json"
    target.write_text(OLD)
    child = textwrap.dedent(
        """
        import resource, signal, sys
        from pathlib import Path
        from preflight.errors import InputError
        from preflight.report.output import write_atomically
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write instead of dying
        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
        try:
            write_atomically(Path(sys.argv[1]), "x" * (1 << 20))
        except InputError as exc:
            print(exc)
            sys.exit(2)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", child, str(target)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2, result.stderr
    assert "File too large" in result.stdout
    assert target.read_text() == OLD
    assert _litter(tmp_path) == []


def test_a_missing_directory_is_an_input_error(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "report.json"
    with pytest.raises(InputError) as caught:
        write_atomically(target, "x")
    assert str(target) in str(caught.value)
    assert not target.parent.exists()


def test_a_directory_is_not_overwritten(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="it is a directory"):
        write_atomically(tmp_path, "x")
    assert tmp_path.is_dir()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_directory_is_an_input_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "report.json").write_text(OLD)
    locked.chmod(0o500)
    try:
        with pytest.raises(InputError, match="Permission denied"):
            write_atomically(locked / "report.json", "x")
        assert (locked / "report.json").read_text() == OLD
    finally:
        locked.chmod(0o700)


def test_a_path_through_a_file_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "plain-file").write_text("x")
    with pytest.raises(InputError, match="Not a directory"):
        write_atomically(tmp_path / "plain-file" / "report.json", "x")
