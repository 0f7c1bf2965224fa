"""A private CA for registries Gitpod must trust: checked PEM, the Secret trust-manager reads, the installer ref.

Gitpod's installer turns `customCACert: {kind: secret, name}` into trust-manager Bundles whose source is key
`ca.crt` of that secret, read from trust-manager's trust namespace, `cert-manager` by default
(install/installer/pkg/components/cluster/certmanager.go). The bundles are mounted into image-builder-mk3,
registry-facade and blobserve, and workspaces get the CA too (ws-manager-mk2/configmap.go,
EnableCustomSSLCertificate): the CA is trusted installation-wide, not for registries alone.
"""

import base64
import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ..fields import Field, checked_values
from ..installer_config import CA_KEY
from ..validation import InvalidInput, kind_of, namespace
from .dockerconfig import LABELS
from .limits import check_secret_size

DEFAULT_NAMESPACE = "cert-manager"
DEFAULT_SECRET_NAME = "gitpod-registry-custom-ca"
_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.DOTALL)
_ANY_PEM_LABEL = re.compile(r"-----(?:BEGIN|END) ([A-Z0-9 ]+)-----")
_MARKER = re.compile(r"-----(BEGIN|END) CERTIFICATE-----")


@dataclass(frozen=True)
class CheckedCustomCA:
    pem: str
    """The certificates, re-encoded as PEM: nothing else that was pasted survives."""
    subjects: tuple[str, ...]
    namespace: str = DEFAULT_NAMESPACE
    secret_name: str = DEFAULT_SECRET_NAME


def _outside_blocks(text: str) -> str:
    # Comment lines (`# Subject: ...`, as CA bundle files carry them) are allowed between certificates.
    rest = _BLOCK.sub("", text)
    return "\n".join(line for line in rest.splitlines() if line.strip() and not line.lstrip().startswith("#"))


def _pem(der: bytes) -> str:
    text = base64.b64encode(der).decode()
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


@dataclass(frozen=True)
class _Parsed:
    der: bytes
    subject: str
    is_ca: bool
    not_before: datetime.datetime
    not_after: datetime.datetime


def _parse_certificate(path: str, index: int, body: str) -> _Parsed:
    """What the checks read of one PEM block's body: DER, subject, whether it is a CA, its validity. cryptography parses lazily: the subject and
    the extensions are decoded only when read, and raise errors of their own (x509.DuplicateExtension is
    not a ValueError), so everything read from the certificate is read here, and any error is a refusal."""
    from cryptography import x509

    try:
        der = base64.b64decode("".join(body.split()), validate=True)
        certificate = x509.load_der_x509_certificate(der)
        subject = certificate.subject.rfc4514_string()
        extensions = certificate.extensions
        not_before, not_after = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    except x509.DuplicateExtension:
        raise InvalidInput(
            path,
            f"certificate {index} holds one X.509 extension twice, which RFC 5280 forbids and TLS clients refuse; "
            "content not shown",
        ) from None
    except Exception:  # noqa: BLE001 - whatever the parser raises, the block is not a usable certificate
        raise InvalidInput(path, "holds a CERTIFICATE block that does not parse as X.509; content not shown") from None
    try:
        is_ca = extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not subject.isascii() or not subject.isprintable():
        subject = "its subject not shown: it holds characters a message cannot show"
    return _Parsed(der, subject, is_ca, not_before, not_after)


def check_ca_certificates(path: str, value: object) -> tuple[str, tuple[str, ...]]:
    """(PEM of the CA certificates in `value`, their subjects). Anything but CA certificates is refused, and
    never echoed: a private key pasted by mistake must not end up in an error message or a log."""
    if not isinstance(value, str):
        raise InvalidInput(path, f"expected PEM text (a string), got {kind_of(value)}")
    # Length first: the certificates become key ca.crt of one Secret, and nothing below runs on more than
    # a Secret can hold (the re-encoded PEM is checked again at the end).
    check_secret_size(path, len(value.encode()), "the custom CA secret (key ca.crt)")
    labels = sorted({label for label in _ANY_PEM_LABEL.findall(value) if label != "CERTIFICATE"})
    if labels:
        found = ", ".join(labels)
        hint = " (a private key: remove it, and treat it as disclosed)" if any("PRIVATE" in lb for lb in labels) else ""
        raise InvalidInput(path, f"holds PEM blocks other than CERTIFICATE: {found}{hint}; give only CA certificates")
    _check_markers(path, value)
    if not _BLOCK.search(value):
        raise InvalidInput(path, "holds no PEM certificate (-----BEGIN CERTIFICATE-----); content not shown")
    if _outside_blocks(value):
        raise InvalidInput(path, "holds text outside the PEM certificate blocks (not shown); give only the PEM text")
    # _parse_certificate imports cryptography: only stacks with a custom CA pay for loading it (its x509
    # module alone: the PEM text is re-encoded below from each block's DER, so the heavier serialization
    # module, about 80 ms to import, is not needed).
    pems, subjects = [], []
    for index, block in enumerate(_BLOCK.finditer(value), start=1):
        parsed = _parse_certificate(path, index, block.group(2))
        subject = parsed.subject
        if not parsed.is_ca:
            raise InvalidInput(
                path,
                f"certificate {index} ({subject}) is not a CA certificate (its BasicConstraints do not say CA:TRUE); "
                "give the CA that issued the registry's certificate, not the registry's own certificate",
            )
        _check_validity(path, index, parsed)
        pems.append(_pem(parsed.der))
        subjects.append(subject)
    pem = "".join(pems)
    check_secret_size(path, len(pem), "the custom CA secret (key ca.crt)")
    return pem, tuple(subjects)


def _check_markers(path: str, value: str) -> None:
    """Every BEGIN CERTIFICATE line closed by an END line before the next BEGIN, in one linear pass.

    Without it `_BLOCK`'s lazy match would scan to the end of the text from every unclosed BEGIN, which is
    quadratic: 340 KB of BEGIN lines took 18 s, in `pulumi preview` and in the fork-PR plan-diff job.
    """
    expected = "BEGIN"
    for marker in _MARKER.finditer(value):
        if marker.group(1) != expected:
            missing = "its END" if expected == "END" else "a BEGIN"
            raise InvalidInput(
                path,
                f"holds a -----{marker.group(1)} CERTIFICATE----- line without {missing} line; content not shown; "
                "give whole PEM blocks, each from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----",
            )
        expected = "END" if expected == "BEGIN" else "BEGIN"
    if expected == "END":
        raise InvalidInput(
            path,
            "holds a -----BEGIN CERTIFICATE----- line without its END line; content not shown; give whole PEM "
            "blocks, each from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----",
        )


def _check_validity(path: str, index: int, parsed: _Parsed) -> None:
    """A CA outside its validity period is refused: trust-manager would distribute it installation-wide, and
    every TLS client refuses a chain through it (RFC 5280, 4.1.2.5). Its dates are not secret."""
    now = datetime.datetime.now(datetime.UTC)
    subject, not_before, not_after = parsed.subject, parsed.not_before, parsed.not_after
    period = f"valid from {not_before:%Y-%m-%d %H:%M:%S} UTC to {not_after:%Y-%m-%d %H:%M:%S} UTC"
    if now > not_after:
        raise InvalidInput(path, f"certificate {index} ({subject}) has expired: it was {period}; give a current CA")
    if now < not_before:
        raise InvalidInput(
            path, f"certificate {index} ({subject}) is not valid yet: it is {period}; give a CA valid today"
        )


FIELDS = (
    Field(
        "certificate",
        "string",
        required=True,
        check=check_ca_certificates,
        description="PEM text of one or more CA certificates (-----BEGIN CERTIFICATE-----), e.g. the CA that issued a "
        "Harbor's or an air-gap registry's certificate. Only CA certificates are accepted.",
    ),
    Field(
        "namespace",
        "string",
        default=DEFAULT_NAMESPACE,
        check=namespace,
        description="trust-manager's trust namespace, where its Bundles read sources; the secret is created there.",
    ),
)
"""The customCACert fields, each declared once; CustomCACertArgs below is generated from them."""


# BEGIN CustomCACertArgs: generated by `python -m offline.docs` from its declared inputs; do not edit
class CustomCACertArgs(TypedDict):
    certificate: str
    """PEM text of one or more CA certificates (-----BEGIN CERTIFICATE-----), e.g. the CA that issued a Harbor's or
    an air-gap registry's certificate. Only CA certificates are accepted."""
    namespace: NotRequired[str]
    """trust-manager's trust namespace, where its Bundles read sources; the secret is created there. Default
    cert-manager."""
    # END CustomCACertArgs


def check_custom_ca(args: Mapping[str, Any], path: str) -> CheckedCustomCA:
    values = checked_values(FIELDS, args, path)
    pem, subjects = values["certificate"]
    return CheckedCustomCA(pem, subjects, values["namespace"])


def custom_ca_secret(resource_name: str, checked: CheckedCustomCA, opts: pulumi.ResourceOptions) -> k8s.core.v1.Secret:
    """The Opaque secret trust-manager reads: key `ca.crt`, in its trust namespace."""
    return k8s.core.v1.Secret(
        resource_name,
        metadata={
            "name": checked.secret_name,
            "namespace": checked.namespace,
            "labels": LABELS,
        },
        type="Opaque",
        string_data={CA_KEY: checked.pem},
        opts=opts,
    )
