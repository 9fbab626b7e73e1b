"""The sandbox's two certificate authorities and the files made from them.

- The **TLS CA** signs one server certificate that covers every registry login server name,
  ``localhost`` and ``127.0.0.1``; every sandbox listener and every registry process serves it.
  Its certificate is the CA bundle clients trust (``ca.pem`` in the state dir).
- The **signing CA** signs the key the ACR token service signs registry JWTs with. The registry
  process trusts only this CA (``auth.token.rootcertbundle``) and checks the ``x5c`` chain in
  each token's header against it, as the distribution registry requires. Keeping it apart from
  the TLS CA means no TLS key can mint registry tokens.

Keys are ECDSA (trustme's default): generating them takes milliseconds, which keeps the whole
sandbox's start-up well under a second.
"""

from __future__ import annotations

import base64
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import serialization

SIGNER_NAME = "registry-token-signer"


@dataclass(frozen=True)
class SigningKey:
    """The JWT signing key with its certificate chain (leaf first, base64 DER, for ``x5c``)."""

    private_key_pem: bytes
    x5c: tuple[str, ...]
    algorithm: str = "ES256"

    def public_key_pem(self) -> bytes:
        """The leaf certificate's public key, to verify tokens this sandbox minted itself."""
        leaf = x509.load_der_x509_certificate(base64.b64decode(self.x5c[0]))
        return leaf.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


@dataclass(frozen=True)
class SandboxCertificates:
    """Paths of the PEM files written to the state dir, and the signing key in memory."""

    ca_bundle: Path  # the TLS CA certificate: what clients trust
    server_cert: Path  # server certificate chain (for the registry processes)
    server_key: Path
    signing_root: Path  # the signing CA certificate (the registry's rootcertbundle)
    signing_key: SigningKey
    names: tuple[str, ...]

    def server_context(self) -> ssl.SSLContext:
        """A server-side TLS context serving the one sandbox certificate."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(self.server_cert), str(self.server_key))
        return context

    def client_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts only the sandbox CA."""
        return ssl.create_default_context(cafile=str(self.ca_bundle))


def make_certificates(directory: Path, names: Sequence[str]) -> SandboxCertificates:
    """Create both CAs and write their files under ``directory`` (created if missing).

    ``names`` are the extra DNS names (the registries' login servers) the server certificate
    must cover besides ``localhost`` and ``127.0.0.1``.
    """
    directory.mkdir(parents=True, exist_ok=True)
    identities = tuple(dict.fromkeys([*(n.lower() for n in names), "localhost", "127.0.0.1"]))
    tls_ca = trustme.CA(organization_name="preflight sandbox TLS")
    server = tls_ca.issue_cert(*identities, common_name=identities[0])
    signing_ca = trustme.CA(organization_name="preflight sandbox registry tokens")
    signer = signing_ca.issue_cert(SIGNER_NAME, common_name=SIGNER_NAME)

    ca_bundle = directory / "ca.pem"
    ca_bundle.write_bytes(tls_ca.cert_pem.bytes())
    server_cert = directory / "server.crt"
    server_cert.write_bytes(b"".join(blob.bytes() for blob in server.cert_chain_pems))
    server_key = directory / "server.key"
    server_key.write_bytes(server.private_key_pem.bytes())
    server_key.chmod(0o600)
    signing_root = directory / "token-signing-ca.pem"
    signing_root.write_bytes(signing_ca.cert_pem.bytes())

    chain = tuple(
        base64.b64encode(
            x509.load_pem_x509_certificate(blob.bytes()).public_bytes(serialization.Encoding.DER)
        ).decode()
        for blob in signer.cert_chain_pems
    )
    return SandboxCertificates(
        ca_bundle=ca_bundle,
        server_cert=server_cert,
        server_key=server_key,
        signing_root=signing_root,
        signing_key=SigningKey(private_key_pem=signer.private_key_pem.bytes(), x5c=chain),
        names=identities,
    )
