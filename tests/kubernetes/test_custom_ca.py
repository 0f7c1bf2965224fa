"""customCaCert: a private CA for registries Gitpod must trust, as the Secret trust-manager reads.

The installer's `customCACert: {kind: secret, name}` becomes trust-manager Bundles sourced from key
`ca.crt` of that secret in trust-manager's trust namespace (install/installer/pkg/components/cluster/
certmanager.go). Only CA certificates may go there; anything else is refused without being echoed.
"""

from __future__ import annotations

import datetime
import re

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import AWS, reveal, run, run_invalid

CA_KEY = "gitpod-registry:customCaCert"
NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def _certificate(
    name: str, ca: bool, issuer: tuple | None = None
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    issuer_cert, issuer_key = issuer or (None, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject if issuer_cert else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW)
        .not_valid_after(NOW + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    return builder.sign(issuer_key, hashes.SHA256()), key


def _pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


ROOT, ROOT_KEY = _certificate("Acme Root CA", ca=True)
INTERMEDIATE, _ = _certificate("Acme Registry CA", ca=True, issuer=(ROOT, ROOT_KEY))
LEAF, _ = _certificate("registry.internal.example.com", ca=False, issuer=(ROOT, ROOT_KEY))
KEY_PEM = ROOT_KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()
KEY_BODY = KEY_PEM.splitlines()[1]


def _secret(evaluation):
    (secret,) = [
        r
        for r in evaluation.of_type("kubernetes:core/v1:Secret")
        if r.inputs["metadata"]["name"] == "gitpod-registry-custom-ca"
    ]
    return secret


def test_the_ca_goes_into_trust_managers_namespace_under_ca_crt_and_the_installer_points_at_it():
    evaluation = run("dev", {**AWS, CA_KEY: {"certificate": _pem(ROOT)}})
    secret = _secret(evaluation)
    assert secret.inputs["metadata"]["namespace"] == "cert-manager"
    assert secret.inputs["type"] == "Opaque"
    assert reveal(secret.inputs["stringData"]) == {"ca.crt": _pem(ROOT)}
    assert secret.parent == evaluation.one("gitpod-registry:index:GitpodImageRegistries").urn
    config = evaluation.outputs["installerConfig"]
    assert config["customCACert"] == {"kind": "secret", "name": "gitpod-registry-custom-ca"}


def test_a_bundle_of_cas_with_comment_lines_keeps_every_certificate_and_drops_the_comments():
    bundle = f"# Acme Root CA\n{_pem(ROOT)}\n# Acme Registry CA\n{_pem(INTERMEDIATE)}"
    evaluation = run("dev", {**AWS, CA_KEY: {"certificate": bundle, "namespace": "trust"}})
    secret = _secret(evaluation)
    assert secret.inputs["metadata"]["namespace"] == "trust"
    assert reveal(secret.inputs["stringData"])["ca.crt"] == _pem(ROOT) + _pem(INTERMEDIATE)


def test_without_a_ca_the_fragment_has_no_custom_ca_cert():
    assert "customCACert" not in run("dev", AWS).outputs["installerConfig"]


@pytest.mark.parametrize(
    ("certificate", "expected"),
    [
        (_pem(ROOT) + KEY_PEM, r"holds PEM blocks other than CERTIFICATE: PRIVATE KEY \(a private key: remove it"),
        (KEY_PEM, r"holds PEM blocks other than CERTIFICATE: PRIVATE KEY"),
        (_pem(ROOT) + KEY_BODY, r"holds text outside the PEM certificate blocks \(not shown\)"),
        (KEY_BODY, r"holds no PEM certificate"),
        (_pem(LEAF), r"certificate 1 \(CN=registry.internal.example.com\) is not a CA certificate"),
        (_pem(ROOT) + _pem(LEAF), r"certificate 2 \(CN=registry.internal.example.com\) is not a CA certificate"),
        (
            "-----BEGIN CERTIFICATE-----\n" + KEY_BODY + "\n-----END CERTIFICATE-----\n",
            r"holds a CERTIFICATE block that does not parse as X.509",
        ),
        ("", r"empty, and it is required"),
        (42, r"expected PEM text \(a string\), got a number"),
    ],
    # Fixed ids: the key material is made afresh in each test process (pytest-xdist compares ids).
    ids=[
        "ca-and-private-key",
        "private-key",
        "ca-and-stray-text",
        "key-without-pem",
        "leaf",
        "ca-and-leaf",
        "not-x509",
        "empty",
        "number",
    ],
)
def test_anything_but_ca_certificates_is_refused_without_echoing_it(certificate, expected):
    message = run_invalid({**AWS, CA_KEY: {"certificate": certificate}})
    assert re.search(r"gitpod-registry:customCaCert.certificate: " + expected, message), message
    assert KEY_BODY not in message and KEY_BODY[:20] not in message


def test_a_bad_trust_namespace_and_unknown_fields_are_refused():
    message = run_invalid({**AWS, CA_KEY: {"certificate": _pem(ROOT), "namespace": "Cert_Manager"}})
    assert "gitpod-registry:customCaCert.namespace: 'Cert_Manager' is not a Kubernetes namespace name" in message
    message = run_invalid({**AWS, CA_KEY: {"certificate": _pem(ROOT), "name": "x"}})
    assert "gitpod-registry:customCaCert.name: unknown field" in message
