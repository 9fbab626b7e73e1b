"""`make bench`: every benchmark, each printing ratios against a baseline measured in the same run.

Each benchmark is a script in this folder run in its own interpreter, so one's imports and
caches never flatter another's. A missing or failing benchmark is reported, and the run fails.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = (
    "cli_startup_bench.py",
    "sandbox_startup.py",
    "config_bench.py",
    "images_bench.py",
    "pull_bench.py",
    "check_memory_bench.py",
)


def main() -> int:
    failed = []
    for name in BENCHMARKS:
        script = HERE / name
        print(f"== {name}", flush=True)
        if not script.is_file():
            print("   missing")
            failed.append(name)
            continue
        result = subprocess.run([sys.executable, str(script)], check=False)
        if result.returncode != 0:
            failed.append(name)
    if failed:
        print(f"benchmarks that did not finish: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
