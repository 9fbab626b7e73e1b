"""Peak memory of a full `preflight check` of a 500-module pipeline, against the sandbox.

The pipeline is the one `images_bench.py` generates (nf-core layout, 50 ACR images). The check
runs as a real `preflight check` child process with the sandbox's environment; its peak resident
memory (ru_maxrss of the child) is set against a bare interpreter's, measured the same way in
the same run. Target: under 150 MB.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from images_bench import generate  # same folder: run as a script

from preflight.sandbox.runtime import start_sandbox

TARGET_MB = 150


def peak_rss_mb(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Peak RSS (MB), wall seconds and exit code of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run(argv, env=env, capture_output=True, check=False, timeout=600)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of RUSAGE_CHILDREN is the largest child so far: measure the small one first.
    return max(after, before) / 1024, wall, result.returncode


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="preflight-bench-") as tmp:
        root = Path(tmp) / "pipeline"
        root.mkdir()
        generate(root)
        with start_sandbox(Path(tmp) / "sandbox") as sandbox:
            env = {
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("TOWER_", "AZURE_", "PREFLIGHT_", "NXF_"))
            }
            env.update(sandbox.env)
            env["HOME"] = tmp
            bare, _, _ = peak_rss_mb([sys.executable, "-c", "pass"], env)
            check, wall, code = peak_rss_mb(
                [sys.executable, "-m", "preflight", "check", str(root), "--format", "json"], env
            )
    verdict = "within" if check < TARGET_MB else "OVER"
    print(
        f"check of a 500-module pipeline: peak RSS {check:.0f} MB ({verdict} the "
        f"{TARGET_MB} MB target), bare interpreter {bare:.0f} MB, ratio {check / bare:.1f}x; "
        f"wall {wall:.2f} s, exit {code}"
    )
    return 0 if code in (0, 1) else 1


if __name__ == "__main__":
    raise SystemExit(main())
