"""Sizes the consumers cannot take, refused before any work, naming the key.

- A Kubernetes Secret's data totals at most 1 MiB (kubernetes pkg/apis/core/validation/validation.go,
  ValidateSecret; core.MaxSecretSize): the registry secret (.dockerconfigjson) and the custom CA secret.
- A registry login goes in one `Authorization: Basic` header line: a password or token of at most 4 KiB,
  a user name of at most 1 KiB (nginx's 8 KiB header line; components/kubernetes/dockerconfig.py).
- A customCaCert of unclosed BEGIN lines is refused in one linear pass (it took 18 s for 340 KB).
"""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.kubernetes.custom_ca import check_ca_certificates
from components.kubernetes.dockerconfig import (
    PASSWORD_MAX,
    USERNAME_MAX,
    Password,
    check_logins,
    check_password,
    check_username,
    docker_config_json,
)
from components.kubernetes.limits import SECRET_DATA_MAX
from components.validation import InvalidInput
from conftest import AWS, run_invalid

FEW = settings(max_examples=50, deadline=None, derandomize=True)
letters = st.sampled_from("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789+/=-_.!é€")


@FEW
@given(size=st.integers(PASSWORD_MAX + 1, 3 * PASSWORD_MAX), char=letters, wrapped=st.booleans())
def test_a_password_longer_than_a_login_takes_is_refused_without_showing_it(size, char, wrapped):
    text = (char * size)[:size]
    with pytest.raises(InvalidInput) as refused:
        check_password("air_gap.password", Password(text) if wrapped else text)
    message = str(refused.value)
    assert message.startswith("air_gap.password: too long for a registry login") and "4,096 bytes" in message
    assert char * 20 not in message


@FEW
@given(size=st.integers(1, PASSWORD_MAX), char=st.sampled_from("abcXYZ0189+/=-_."))
def test_a_password_up_to_the_limit_is_kept(size, char):
    assert check_password("air_gap.password", Password(char * size)) == Password(char * size)


@FEW
@given(size=st.integers(USERNAME_MAX + 1, 4 * USERNAME_MAX))
def test_a_user_name_longer_than_a_login_takes_is_refused(size):
    with pytest.raises(InvalidInput, match=r"air_gap.username: too long for a registry login: .* at most 1,024 bytes"):
        check_username("air_gap.username", "u" * size)
    assert check_username("air_gap.username", "u" * USERNAME_MAX) == "u" * USERNAME_MAX


def test_a_multibyte_password_counts_its_bytes():
    with pytest.raises(InvalidInput, match="too long"):
        check_password("air_gap.password", Password("€" * (PASSWORD_MAX // 3 + 1)))


def test_a_50_mb_password_is_refused_at_once_naming_the_key():
    password = "S3cret-" * 7_500_000
    started = time.perf_counter()
    message = run_invalid(
        {"gitpod-registry:airGap": {"registry": "r.example.com", "username": "u", "password": password}}
    )
    elapsed = time.perf_counter() - started
    assert "gitpod-registry:airGap.password: too long for a registry login" in message
    assert "S3cret" not in message
    assert elapsed < 2, elapsed


@settings(FEW, max_examples=12)  # each builds and measures up to 400 logins
@given(
    count=st.integers(1, 400),
    password=st.integers(1, PASSWORD_MAX),
)
def test_registries_whose_secret_exceeds_1_mib_are_refused_and_smaller_ones_kept(count, password):
    registries = [
        {"server": f"r{i}.example.com", "username": "robot", "password": Password("p" * password)} for i in range(count)
    ]
    size = len(docker_config_json([(f"r{i}.example.com", "robot", "p" * password) for i in range(count)]).encode())
    if size <= SECRET_DATA_MAX:
        assert len(check_logins("base_images.registries", registries).entries) == count
    else:
        with pytest.raises(InvalidInput) as refused:
            check_logins("base_images.registries", registries)
        assert str(refused.value).startswith("base_images.registries: too large: the registry secret")
        assert f"{size:,} bytes" in str(refused.value) and "1,048,576" in str(refused.value)


def test_12000_base_image_registries_are_refused_naming_the_key():
    registries = [{"server": f"r{i}.example.com", "username": "u", "password": "p" * 40} for i in range(12_000)]
    started = time.perf_counter()
    message = run_invalid({**AWS, "gitpod-registry:baseImages": {"registries": registries}})
    elapsed = time.perf_counter() - started
    assert "gitpod-registry:baseImages.registries: too large: the registry secret (.dockerconfigjson)" in message
    assert elapsed < 5, elapsed


@FEW
@given(
    blocks=st.lists(
        st.sampled_from(["-----BEGIN CERTIFICATE-----\n", "-----END CERTIFICATE-----\n", "QUJD\n", "# c\n"]),
        min_size=1,
        max_size=40,
    ),
    repeat=st.integers(1, 2000),
)
def test_unbalanced_pem_markers_are_refused_in_linear_time(blocks, repeat):
    text = "".join(blocks) * repeat
    balanced = _balanced(text)
    started = time.perf_counter()
    try:
        check_ca_certificates("custom_ca_cert.certificate", text)
    except InvalidInput as error:
        message = str(error)
    else:  # pragma: no cover - "QUJD" never parses as a certificate
        raise AssertionError("accepted")
    assert time.perf_counter() - started < 0.5
    assert message.startswith("custom_ca_cert.certificate: ")
    if not balanced:
        assert "without its END line" in message or "without a BEGIN line" in message or "too large" in message


def _balanced(text: str) -> bool:
    depth = 0
    for line in text.splitlines():
        if line == "-----BEGIN CERTIFICATE-----":
            if depth:
                return False
            depth = 1
        elif line == "-----END CERTIFICATE-----":
            if not depth:
                return False
            depth = 0
    return depth == 0


@pytest.mark.parametrize("size", [340_000, 1_000_000, 1_100_000])
def test_begin_lines_without_end_are_refused_quickly(size):
    text = "-----BEGIN CERTIFICATE-----\n" * (size // 28)
    started = time.perf_counter()
    with pytest.raises(InvalidInput, match=r"custom_ca_cert.certificate: (holds a -----BEGIN|too large)"):
        check_ca_certificates("custom_ca_cert.certificate", text)
    assert time.perf_counter() - started < 0.2


def test_a_ca_bundle_over_1_mib_is_refused_before_it_is_parsed():
    from test_custom_ca import ROOT, _pem

    bundle = _pem(ROOT) * 5_000
    started = time.perf_counter()
    message = run_invalid({**AWS, "gitpod-registry:customCaCert": {"certificate": bundle}})
    assert time.perf_counter() - started < 1
    assert (
        "gitpod-registry:customCaCert.certificate: too large: the custom CA secret (key ca.crt) would hold" in message
    )


def test_the_push_login_counts_with_the_base_image_logins_in_one_secret():
    from components.workspace_images.backend import Common
    from components.workspace_images.external import check_fields

    registries = [
        {"server": f"r{i}.example.com", "username": "robot", "password": Password("p" * PASSWORD_MAX)}
        for i in range(108)
    ]
    logins = check_logins("base_images.registries", registries)  # just under 1 MiB on their own
    push = {"url": "harbor.example.com/gitpod", "username": "u" * USERNAME_MAX, "password": "q" * PASSWORD_MAX}
    common = Common(namespace="gitpod", cluster_name="c", protect_data=True)
    with pytest.raises(InvalidInput, match=r"workspace_images.url: too large: the registry secret"):
        check_fields(push, "workspace_images", common, logins)
