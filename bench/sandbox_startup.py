"""Sandbox start-up: the whole sandbox against one bare registry process, in the same run.

The baseline is the part no code of ours can speed up: one ``docker-registry`` process started
and listening. The sandbox adds certificates, a second registry, the Entra ID key, the seeded
image pushes and the listeners. Prints medians (after one warm-up start that pays the imports)
and the ratio; a ratio that creeps up means start-up grew a slow step.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from preflight.sandbox.registry_process import RegistryConfig, RegistryProcess
from preflight.sandbox.runtime import start_sandbox
from preflight.sandbox.tls import make_certificates

RUNS = 7


def bare_registry_seconds(directory: Path) -> float:
    certificates = make_certificates(directory / "tls", ["bench.azurecr.io"])
    began = time.perf_counter()
    process = RegistryProcess(
        RegistryConfig(
            service="bench.azurecr.io",
            directory=directory / "registry",
            certificate=certificates.server_cert,
            key=certificates.server_key,
            rootcertbundle=certificates.signing_root,
        )
    )
    process.launch()
    process.wait_ready()
    elapsed = time.perf_counter() - began
    process.stop()
    return elapsed


def sandbox_seconds(directory: Path) -> tuple[float, float]:
    began = time.perf_counter()
    sandbox = start_sandbox(directory)
    started = time.perf_counter() - began
    began = time.perf_counter()
    sandbox.close()
    return started, time.perf_counter() - began


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="preflight-bench-") as scratch:
        root = Path(scratch)
        sandbox_seconds(root / "warm-up")
        bare = [bare_registry_seconds(root / f"bare-{i}") for i in range(RUNS)]
        runs = [sandbox_seconds(root / f"sandbox-{i}") for i in range(RUNS)]
    bare_median = statistics.median(bare)
    start_median = statistics.median(r[0] for r in runs)
    stop_median = statistics.median(r[1] for r in runs)
    print(
        f"sandbox start-up: one bare registry {bare_median * 1000:.0f} ms, whole sandbox"
        f" {start_median * 1000:.0f} ms (max {max(r[0] for r in runs) * 1000:.0f} ms),"
        f" ratio {start_median / bare_median:.1f}x; stop {stop_median * 1000:.0f} ms"
        f" (median of {RUNS})"
    )


if __name__ == "__main__":
    main()
