"""Pull probes of 50 repositories on 3 registries under 100 ms of latency, against one round trip.

The sandbox adds 100 ms to every request of every registry. The baseline is one round trip
(a ``GET /v2/`` on a warm connection), measured in the same run. Wave's handshake costs each
repository a token request and a manifest request, and each registry one challenge: done one
after another that is about 103 round trips; the bounded pool of concurrent probes should bring
it to a small multiple of one. Prints the baseline, the serial run, and the pool at two sizes.

Then the same 50 images through the pull check's other path — no password at hand, existence
proven with the operator's Entra identity through azure-containerregistry — which costs four
requests per image (the SDK caches no token), run side by side in the same pool.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import httpx

from preflight.azure.dataplane import build_dataplane
from preflight.net import connect_to
from preflight.registry import PullTarget, probe_many
from preflight.sandbox.runtime import Sandbox, start_sandbox
from preflight.sandbox.seed import ImageSeed, RegistrySeed, TokenSeed
from preflight.secret import Secret
from preflight.settings import Settings
from preflight.wiring import build_http_client

LATENCY_MS = 100
REPOSITORIES = (17, 17, 16)  # 50 across 3 registries
TOKEN = "bench-reader"


def seeds() -> list[RegistrySeed]:
    result = []
    for index, count in enumerate(REPOSITORIES, start=1):
        repositories = tuple(f"bench/tool{n:02d}" for n in range(count))
        result.append(
            RegistrySeed(
                login_server=f"benchacr{index}.azurecr.io",
                resource_group="rg-bench",
                images=tuple(ImageSeed(r, "1.0") for r in repositories),
                tokens=(TokenSeed(TOKEN, "bench-reader-scope", repositories),),
            )
        )
    return result


def targets(sandbox: Sandbox) -> list[PullTarget]:
    return [
        PullTarget(
            seed.login_server,
            image.repository,
            (image.tag,),
            TOKEN,
            Secret(sandbox.password(seed.login_server, TOKEN)),
        )
        for seed in sandbox.seeds
        for image in seed.images
    ]


def one_round_trip(client: httpx.Client, login_server: str) -> float:
    url = f"https://{login_server}/v2/"
    client.get(url)  # open the connection first: the baseline is the round trip alone
    timings = []
    for _ in range(5):
        began = time.perf_counter()
        client.get(url)
        timings.append(time.perf_counter() - began)
    return statistics.median(timings)


def timed_probe(sandbox: Sandbox, workers: int) -> float:
    with build_http_client(Settings(ca_bundle=sandbox.ca_bundle)) as client:
        began = time.perf_counter()
        results = probe_many(client, targets(sandbox), max_workers=workers)
        elapsed = time.perf_counter() - began
    failed = [r for r in results if not r.ok]
    if failed:
        raise SystemExit(f"pull bench: {len(failed)} probes failed, first: {failed[0].failure}")
    return elapsed


def timed_existence(sandbox: Sandbox, workers: int) -> float:
    from concurrent.futures import ThreadPoolExecutor

    environ = dict(sandbox.env)
    plane = build_dataplane(Settings.from_environ(environ), environ)
    jobs = [(t.registry, t.repository, t.references[0]) for t in targets(sandbox)]
    try:
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            facts = list(pool.map(lambda job: plane.manifest(*job), jobs))
        elapsed = time.perf_counter() - began
    finally:
        plane.close()
    missing = [f for f in facts if not f.found]
    if missing:
        raise SystemExit(f"pull bench: {len(missing)} existence checks failed: {missing[0]}")
    return elapsed


def main() -> None:
    with (
        tempfile.TemporaryDirectory() as directory,
        start_sandbox(Path(directory), registries=seeds()) as sandbox,
    ):
        connect_to.install(sandbox.host_map())
        sandbox.faults.latency_ms = LATENCY_MS
        with build_http_client(Settings(ca_bundle=sandbox.ca_bundle)) as client:
            baseline = one_round_trip(client, sandbox.seeds[0].login_server)
        serial = timed_probe(sandbox, workers=1)
        pooled = {workers: timed_probe(sandbox, workers) for workers in (16, 32)}
        existence = timed_existence(sandbox, 16)
        connect_to.uninstall()
    count = sum(REPOSITORIES)
    print(
        f"pull probes: {count} repositories on {len(REPOSITORIES)} registries, "
        f"{LATENCY_MS} ms latency; one round trip {baseline * 1000:.0f} ms"
    )
    print(f"  serial (1 worker): {serial:.2f} s = {serial / baseline:.1f} round trips")
    for workers, elapsed in pooled.items():
        print(
            f"  {workers} workers: {elapsed:.2f} s = {elapsed / baseline:.1f} round trips "
            f"({serial / elapsed:.1f}x faster than serial)"
        )
    print(
        f"  existence via the data plane (no password), 16 workers: {existence:.2f} s = "
        f"{existence / baseline:.1f} round trips"
    )


if __name__ == "__main__":
    main()
