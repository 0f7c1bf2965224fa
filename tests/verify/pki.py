"""A throwaway CA and a server certificate for 127.0.0.1/localhost, made with `cryptography` for one test session."""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class Pki:
    ca: Path
    """The CA certificate (PEM): what --ca-file gets."""
    cert: Path
    """The server certificate for 127.0.0.1 and localhost, signed by the CA."""
    key: Path
    signing_cert: Path
    """A self-signed certificate whose key (signing_key) signs the token service's JWTs."""
    signing_key: Path


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _write_key(path: Path, key: rsa.RSAPrivateKey) -> Path:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.write_bytes(pem)
    return path


def _cert(subject: str, key, issuer: str, issuer_key, *, ca: bool, san: list | None = None) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        ).add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256())


def make_pki(directory: Path) -> Pki:
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, server_key, signing_key = _key(), _key(), _key()
    ca = _cert("gitpod-registry-verify test CA", ca_key, "gitpod-registry-verify test CA", ca_key, ca=True)
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    server = _cert("127.0.0.1", server_key, "gitpod-registry-verify test CA", ca_key, ca=False, san=names)
    signer = _cert("token-signer", signing_key, "token-signer", signing_key, ca=True)
    pem = serialization.Encoding.PEM
    (directory / "ca.pem").write_bytes(ca.public_bytes(pem))
    (directory / "server.pem").write_bytes(server.public_bytes(pem))
    (directory / "signer.pem").write_bytes(signer.public_bytes(pem))
    return Pki(
        ca=directory / "ca.pem",
        cert=directory / "server.pem",
        key=_write_key(directory / "server-key.pem", server_key),
        signing_cert=directory / "signer.pem",
        signing_key=_write_key(directory / "signer-key.pem", signing_key),
    )
