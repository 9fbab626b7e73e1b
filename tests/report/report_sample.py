"""A hand-built report that exercises every corner the reporters must get right.

Every status; findings with and without a place; findings grouped by registry and by image;
text that needs escaping in XML and in workflow commands (``<&>"'``, ``%``, ``,``, ``:``, CR, LF,
a bell, an ANSI escape); non-ASCII; images (ACR and not) and an unresolved process.
"""

from __future__ import annotations

from preflight.model import Finding, ImageUse, Location, Report, Status, Unresolved

LAB = "labacr.azurecr.io"
SANDBOX = "sandboxacr.azurecr.io"
FASTQC = f"{LAB}/tools/fastqc:0.12.1"
STAR = f"{LAB}/tools/star:2.7.11b"
SALMON = f"{SANDBOX}/rnaseq/salmon:1.10.3"

FINDINGS = (
    Finding(
        check="wave",
        status=Status.FAIL,
        subject="wave.enabled",
        message="Wave is not enabled: wave.enabled is the string 'true', Nextflow needs true",
        remedy="Write wave.enabled = true (no quotes), or run: preflight fix --only wave",
        location=Location("nextflow.config", 14, 5),
    ),
    Finding(
        check="wave",
        status=Status.PASS,
        subject="tower.accessToken",
        message="Wave gets the Platform access token from the environment",
    ),
    Finding(
        check="credentials",
        status=Status.FAIL,
        subject=SANDBOX,
        message=f"No container-reg credential in workspace acme/rnaseq has registry {SANDBOX}",
        remedy=f"Set the registry of credential 'acr-prod' to exactly {SANDBOX} "
        "(it is https://sandboxacr.azurecr.io), or run: preflight fix --only credentials",
        details={"registry": SANDBOX, "workspace": "acme/rnaseq", "near_misses": ["acr-prod"]},
    ),
    Finding(
        check="credentials",
        status=Status.PASS,
        subject=LAB,
        message="Credential 'lab-acr' matches",
        details={"registry": LAB, "credential": "lab-acr"},
    ),
    Finding(
        check="token",
        status=Status.WARN,
        subject="wave-pull",
        message="password1 of token wave-pull expires in 6 days (2026-12-05)",
        remedy="Generate a new password1 for token wave-pull before then",
        details={"registry": LAB, "token": "wave-pull", "expires": "2026-12-05T00:00:00Z"},
    ),
    Finding(
        check="pull",
        status=Status.PASS,
        subject=FASTQC,
        message="Pull handshake succeeded; the token grants pull",
        details={"registry": LAB, "image": FASTQC},
    ),
    Finding(
        check="pull",
        status=Status.FAIL,
        subject=STAR,
        message="The manifest request answered 404 MANIFEST_UNKNOWN: no tag 2.7.11b",
        remedy="Push the image, or correct the tag in modules/local/star/main.nf",
        location=Location("modules/local/star/main.nf", 6, 15),
        details={"registry": LAB, "image": STAR, "http_status": 404, "repository": "tools/star"},
    ),
    Finding(
        check="pull",
        status=Status.ERROR,
        subject=SALMON,
        message=f"Could not reach https://{SANDBOX}/v2/: timed out after 10 s",
        remedy="Check the network path to the registry, then run preflight check again",
        details={"registry": SANDBOX, "image": SALMON},
    ),
    Finding(
        check="pull",
        status=Status.SKIP,
        subject="quay.io/biocontainers/multiqc:1.21--pyhdfd78af_0",
        message="Not an Azure Container Registry image: Wave pulls it without a credential",
    ),
    Finding(
        check="config",
        status=Status.WARN,
        subject="params.outdir <\"Größe\" & '✓'>",
        message="100% dynamic, key: a,b\r\nsecond line\x07 with a bell and \x1b[31mcolour\x1b[0m",
        remedy="Set it in a params file: see <https://example.org/?a=1&b=2>",
        location=Location("conf/odd,name: 测试.config", 3),
    ),
)

IMAGES = (
    ImageUse(
        image=FASTQC,
        registry=LAB,
        repository="tools/fastqc",
        tag="0.12.1",
        digest=None,
        acr=True,
        processes=("FASTQC", "FASTQC_TRIMMED"),
        source=Location("conf/modules.config", 8, 9),
    ),
    ImageUse(
        image=STAR,
        registry=LAB,
        repository="tools/star",
        tag="2.7.11b",
        digest=None,
        acr=True,
        processes=("STAR_ALIGN",),
        source=Location("modules/local/star/main.nf", 6, 15),
    ),
    ImageUse(
        image=f"{SALMON}@sha256:{'ab' * 32}",
        registry=SANDBOX,
        repository="rnaseq/salmon",
        tag="1.10.3",
        digest=f"sha256:{'ab' * 32}",
        acr=True,
        processes=("SALMON_QUANT",),
        source=None,
    ),
    ImageUse(
        image="quay.io/biocontainers/multiqc:1.21--pyhdfd78af_0",
        registry="quay.io",
        repository="biocontainers/multiqc",
        tag="1.21--pyhdfd78af_0",
        digest=None,
        acr=False,
        processes=("MULTIQC",),
        source=Location("modules/nf-core/multiqc/main.nf", 5, 5),
    ),
)

UNRESOLVED = (
    Unresolved(
        process="ALIGN",
        reason="container is computed by a closure: { params.aligner == 'star' ? … }",
        source=Location("modules/local/align.nf", 9, 5),
    ),
)


def sample_report() -> Report:
    """The representative report the golden files are rendered from."""
    return Report(
        findings=FINDINGS, images=IMAGES, unresolved=UNRESOLVED, pipeline="pipelines/rnaseq"
    )
