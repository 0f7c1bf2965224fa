"""A customCaCert outside its validity period is refused with its dates: trust-manager would distribute it
installation-wide, and no TLS client accepts a chain through an expired or not-yet-valid CA."""

from __future__ import annotations

import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from components.kubernetes.custom_ca import check_ca_certificates
from components.validation import InvalidInput
from conftest import AWS, run_invalid

KEY = ec.generate_private_key(ec.SECP256R1())
DAY = datetime.timedelta(days=1)


def _ca(not_before: datetime.datetime, not_after: datetime.datetime, name: str = "Acme Root CA") -> str:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(KEY.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(KEY, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def _dates(start: datetime.datetime, end: datetime.datetime) -> str:
    return f"valid from {start:%Y-%m-%d %H:%M:%S} UTC to {end:%Y-%m-%d %H:%M:%S} UTC"


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    start_days=st.integers(-8000, 8000),
    length_days=st.integers(1, 9000),
    seconds=st.integers(0, 86_399),
    position=st.integers(0, 2),
)
def test_a_ca_is_refused_outside_its_validity_with_its_dates_and_kept_inside_it(
    start_days, length_days, seconds, position
):
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    start = now + start_days * DAY + datetime.timedelta(seconds=seconds)
    end = start + length_days * DAY
    current = _ca(now - DAY, now + 365 * DAY, "Acme Current CA")
    bundle = [current, current]
    bundle.insert(position, _ca(start, end))
    index = position + 1
    if start <= now - datetime.timedelta(seconds=5) and now + datetime.timedelta(seconds=5) <= end:
        pem, subjects = check_ca_certificates("custom_ca_cert.certificate", "".join(bundle))
        assert subjects[position] == "CN=Acme Root CA"
        return
    if now - datetime.timedelta(seconds=5) < start < now + datetime.timedelta(seconds=5):
        return  # within the test's own clock skew of the boundary
    if now - datetime.timedelta(seconds=5) < end < now + datetime.timedelta(seconds=5):
        return
    with pytest.raises(InvalidInput) as refused:
        check_ca_certificates("custom_ca_cert.certificate", "".join(bundle))
    message = str(refused.value)
    state = "has expired" if end < now else "is not valid yet"
    assert message.startswith(f"custom_ca_cert.certificate: certificate {index} (CN=Acme Root CA) {state}"), message
    assert _dates(start, end) in message


def test_an_expired_ca_is_refused_naming_the_key_and_its_dates():
    start = datetime.datetime(2015, 1, 1, tzinfo=datetime.UTC)
    end = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    message = run_invalid({**AWS, "gitpod-registry:customCaCert": {"certificate": _ca(start, end)}})
    assert (
        "gitpod-registry:customCaCert.certificate: certificate 1 (CN=Acme Root CA) has expired: it was valid from "
        "2015-01-01 00:00:00 UTC to 2025-01-01 00:00:00 UTC; give a current CA"
    ) in message


def test_a_ca_not_yet_valid_is_refused_naming_the_key_and_its_dates():
    start = datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC)
    message = run_invalid({**AWS, "gitpod-registry:customCaCert": {"certificate": _ca(start, start + 3650 * DAY)}})
    assert "certificate 1 (CN=Acme Root CA) is not valid yet: it is valid from 2099-01-01 00:00:00 UTC" in message
