"""Pull probes of 50 repositories on 3 registries under 100 ms of latency, against one round trip.

The sandbox adds 100 ms to every request of every registry. The baseline is one round trip
(a ``GET /v2/`` on a warm connection), measured in the same run. Wave's handshake costs each
repository a token request and a manifest request, and each registry one challenge: done one
after another that is about 103 round trips; the bounded pool of concurrent probes should bring
it to a small multiple of one. Prints the baseline, the serial run, and the pool at two sizes.

Then the same 50 images through the pull check's other path — no password at hand, existence
proven with the operator's Entra identity through azure-containerregistry — which costs four
requests per image (the SDK caches no token), run side by side in the same pool.

Last, the existence probe of every image of a run: 300 images (10 repositories x 5 tags on each
of 6 registries — two ACR, Docker Hub, GHCR, Quay, a generic one), anonymously where the images
are public and with the token password on ACR, at 100 ms per request. Prints the requests per
registry (one challenge, one token per repository, one HEAD per image) and the wall-clock time in
round trips at two per-registry bounds.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import httpx

from preflight.azure.dataplane import build_dataplane
from preflight.net import connect_to
from preflight.registry import PullTarget, probe_many
from preflight.registry.existence import ExistenceTarget, Presence, probe_existence
from preflight.sandbox.registry_families import (
    DEFAULT_DISTRIBUTION_REGISTRIES,
    DistributionSeed,
    FamilyImage,
)
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


EXISTENCE_REPOSITORIES = 10
EXISTENCE_TAGS = 5


def existence_world() -> tuple[list[RegistrySeed], list[DistributionSeed]]:
    """Six registries of 50 images each: two ACR, and one of each other family."""
    repositories = tuple(f"bench/tool{n:02d}" for n in range(EXISTENCE_REPOSITORIES))
    tags = tuple(f"1.{t}" for t in range(EXISTENCE_TAGS))
    acr = [
        RegistrySeed(
            login_server=f"benchacr{index}.azurecr.io",
            resource_group="rg-bench",
            images=tuple(ImageSeed(r, t) for r in repositories for t in tags),
            tokens=(TokenSeed(TOKEN, "bench-reader-scope", repositories),),
        )
        for index in (1, 2)
    ]
    families = [
        replace(
            seed,
            images=tuple(FamilyImage(r, t, public=True) for r in repositories for t in tags),
        )
        for seed in DEFAULT_DISTRIBUTION_REGISTRIES
    ]
    return acr, families


def existence_targets(sandbox: Sandbox) -> list[ExistenceTarget]:
    targets = []
    for acr in sandbox.seeds:
        password = Secret(sandbox.password(acr.login_server, TOKEN))
        for repository in dict.fromkeys(i.repository for i in acr.images):
            tags = tuple(i.tag for i in acr.images if i.repository == repository)
            targets.append(ExistenceTarget(acr.login_server, repository, tags, TOKEN, password))
    for family in sandbox.distribution_seeds:
        for repository in dict.fromkeys(i.repository for i in family.images):
            tags = tuple(i.tag for i in family.images if i.repository == repository)
            targets.append(ExistenceTarget(family.host, repository, tags))
    return targets


def bench_existence() -> None:
    acr, families = existence_world()
    with (
        tempfile.TemporaryDirectory() as directory,
        start_sandbox(Path(directory), registries=acr, distribution=families) as sandbox,
    ):
        connect_to.install(sandbox.host_map())
        sandbox.faults.latency_ms = LATENCY_MS
        targets = existence_targets(sandbox)
        images = sum(len(t.references) for t in targets)
        with build_http_client(Settings(ca_bundle=sandbox.ca_bundle)) as client:
            baseline = one_round_trip(client, acr[0].login_server)
        runs = {}
        for bound in (4, 8):
            with build_http_client(Settings(ca_bundle=sandbox.ca_bundle)) as client:
                began = time.perf_counter()
                results = probe_existence(client, targets, per_registry=bound)
                runs[bound] = (time.perf_counter() - began, results)
        connect_to.uninstall()
    registries = list(dict.fromkeys(t.registry for t in targets))
    print(
        f"existence: {images} images on {len(registries)} registries, {LATENCY_MS} ms latency;"
        f" one round trip {baseline * 1000:.0f} ms"
    )
    for bound, (elapsed, results) in runs.items():
        wrong = [c for r in results for c in r.checks if c.presence is not Presence.EXISTS]
        if wrong:
            raise SystemExit(f"existence bench: {len(wrong)} images not found, first: {wrong[0]}")
        requests = {r: sum(x.requests for x in results if x.registry == r) for r in registries}
        print(
            f"  bound {bound} per registry: {elapsed:.2f} s = {elapsed / baseline:.1f} round trips"
            f" for {sum(requests.values())} requests"
            f" ({sum(requests.values()) * baseline:.1f} s one after another)"
        )
        print("    requests per registry: " + ", ".join(f"{r} {n}" for r, n in requests.items()))


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
    bench_existence()


if __name__ == "__main__":
    main()
