"""`preflight --help` against a bare interpreter start-up, measured in the same run.

Prints the medians and their ratio. Lazy imports keep `--help` to click and preflight's own
small modules; a ratio that creeps up means something heavy joined the start-up path.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 15


def median_seconds(argv: list[str]) -> float:
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    bare = median_seconds([sys.executable, "-c", "pass"])
    help_ = median_seconds([sys.executable, "-m", "preflight", "--help"])
    print(
        f"cli start-up: bare interpreter {bare * 1000:.0f} ms, "
        f"preflight --help {help_ * 1000:.0f} ms, ratio {help_ / bare:.1f}x (median of {RUNS})"
    )


if __name__ == "__main__":
    main()
