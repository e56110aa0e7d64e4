"""C2PA Content Credentials, signed on this machine with a key the user controls.

A :class:`C2paSigner` holds a PEM certificate chain (signing certificate first, then its
issuers) and the matching private key. Users bring their own (issued by their
organisation's CA) or let the studio create a local identity once: a private root CA and
a signing certificate under it, kept in the config folder. Validators report such a
manifest as *valid* (intact, correctly signed) but not *trusted*, since the root is not
on a public trust list; that is the honest state of a self-issued credential.

``c2pa-python`` is an optional dependency; it is imported only when signing or reading.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.core.errors import ExportError
from studio.core.paths import config_dir
from studio.export.labels import source_type_uri

CHAIN_FILE = "c2pa-chain.pem"
KEY_FILE = "c2pa-key.pem"


def _c2pa() -> Any:
    try:
        import c2pa
    except ImportError as error:
        raise ExportError(
            "C2PA signing needs the c2pa-python package, which is not installed.",
            hint="pip install 'campaign-studio[c2pa]'",
        ) from error
    return c2pa


@dataclass(frozen=True)
class C2paSigner:
    """Signs images with C2PA manifests. ``algorithm`` is a c2pa name such as ``es256``."""

    certificate_chain: bytes
    private_key: bytes
    algorithm: str = "es256"

    @classmethod
    def from_files(cls, chain_path: Path, key_path: Path) -> C2paSigner:
        """Load a PEM chain and key; the algorithm follows from the key type."""
        try:
            chain, key = Path(chain_path).read_bytes(), Path(key_path).read_bytes()
        except OSError as error:
            raise ExportError(f"Cannot read the C2PA signing files: {error}.") from error
        return cls(chain, key, _algorithm_for_key(key, key_path))

    def sign(
        self,
        data: bytes,
        media_type: str,
        *,
        title: str,
        source_type: str,
        generator: str,
        app_version: str,
    ) -> bytes:
        """``data`` with an embedded, signed manifest saying how the image was made."""
        c2pa = _c2pa()
        manifest = {
            "claim_generator_info": [{"name": "Campaign Studio", "version": app_version}],
            "title": title,
            "format": media_type,
            "assertions": [
                {
                    "label": "c2pa.actions",
                    "data": {
                        "actions": [
                            {
                                "action": "c2pa.created",
                                "digitalSourceType": source_type_uri(source_type),
                                "softwareAgent": {"name": generator},
                            }
                        ]
                    },
                }
            ],
        }
        try:
            info = c2pa.C2paSignerInfo(
                self.algorithm.encode(), self.certificate_chain, self.private_key, None
            )
            with c2pa.Signer.from_info(info) as signer, c2pa.Builder.from_json(manifest) as builder:
                out = io.BytesIO()
                builder.sign(signer, media_type, io.BytesIO(data), out)
        except c2pa.C2paError as error:
            raise ExportError(f"C2PA signing of '{title}' failed: {error}.") from error
        return out.getvalue()


def read_credentials(data: bytes, media_type: str) -> dict[str, Any] | None:
    """The active C2PA manifest and validation state of an image, or None without one."""
    c2pa = _c2pa()
    try:
        reader = c2pa.Reader.try_create(media_type, io.BytesIO(data))
    except c2pa.C2paError as error:
        return {"validation_state": "Invalid", "error": str(error)}
    if reader is None:
        return None
    with reader:
        return {
            "validation_state": reader.get_validation_state(),
            "manifest": reader.get_active_manifest(),
            "report": json.loads(reader.json()),
        }


def _algorithm_for_key(key_pem: bytes, where: Path) -> str:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as error:
        raise ExportError(
            f"{where} is not an unencrypted PEM private key: {error}.",
            hint="export the key without a passphrase for local signing",
        ) from error
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    if isinstance(key, rsa.RSAPrivateKey):
        return "ps256"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return {"secp256r1": "es256", "secp384r1": "es384", "secp521r1": "es512"}.get(
            key.curve.name, "es256"
        )
    raise ExportError(f"{where} holds a key type C2PA cannot sign with.")


def default_identity_dir() -> Path:
    return config_dir() / "c2pa"


def load_or_create_identity(
    directory: Path | None = None, *, organisation: str = "Campaign Studio user"
) -> tuple[C2paSigner, bool]:
    """The signer kept in ``directory`` (created on first use); True when just created."""
    directory = directory or default_identity_dir()
    chain_path, key_path = directory / CHAIN_FILE, directory / KEY_FILE
    created = False
    if not (chain_path.exists() and key_path.exists()):
        create_local_identity(directory, organisation=organisation)
        created = True
    return C2paSigner.from_files(chain_path, key_path), created


def create_local_identity(directory: Path, *, organisation: str) -> tuple[Path, Path]:
    """Write a private root CA and an ES256 signing certificate it issued.

    C2PA validators require the signing certificate to be an end-entity certificate
    (not self-signed, not a CA) with the digitalSignature key usage and an accepted
    extended key usage; emailProtection is one of those.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(common_name: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            ]
        )

    def usage(*, signing: bool) -> x509.KeyUsage:
        return x509.KeyUsage(
            digital_signature=signing,
            content_commitment=False,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=not signing,
            crl_sign=not signing,
            encipher_only=False,
            decipher_only=False,
        )

    now = dt.datetime.now(dt.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = (
        x509.CertificateBuilder()
        .subject_name(name(f"{organisation} local C2PA root"))
        .issuer_name(name(f"{organisation} local C2PA root"))
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage(signing=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), False)
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name(f"{organisation} content signing"))
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage(signing=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False
        )
        .sign(root_key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    chain_path, key_path = directory / CHAIN_FILE, directory / KEY_FILE
    chain_path.write_bytes(
        leaf.public_bytes(serialization.Encoding.PEM)
        + root.public_bytes(serialization.Encoding.PEM)
    )
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # the key is the user's signature: readable by its owner only
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key_bytes)
    return chain_path, key_path
