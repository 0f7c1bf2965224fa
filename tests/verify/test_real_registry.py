"""`verify` against Debian's docker-registry over TLS, with htpasswd (Basic) and with a token service (Bearer)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from real.dockerconfig_harness import htpasswd_auth

from .conftest import docker_secret, secret_manifest, write
from .pki import Pki
from .servers import TlsRegistry, TokenService

pytestmark = pytest.mark.real

USER, PASSWORD = "robot$gitpod", "push-token-0123456789"
READER, READER_PASSWORD = "reader", "read-only-token-9876543210"


def external(tmp_path: Path, url: str, **extra: object) -> Path:
    config = {
        "containerRegistry": {
            "inCluster": False,
            "external": {"url": url, "certificate": {"kind": "secret", "name": "gitpod-registry-workspace-images"}},
        },
        **extra,
    }
    return write(tmp_path / "registry.yaml", config, as_yaml=True)


def login_secret(tmp_path: Path, host: str, user: str = USER, password: str = PASSWORD) -> Path:
    return write(tmp_path / "secret.json", docker_secret("gitpod-registry-workspace-images", {host: (user, password)}))


@pytest.fixture(scope="module")
def basic_registry(registry_tools, pki: Pki, tmp_path_factory) -> Iterator[TlsRegistry]:
    workdir = tmp_path_factory.mktemp("basic-registry")
    registry = TlsRegistry(workdir, pki, htpasswd_auth(workdir, USER, PASSWORD))
    yield registry
    registry.stop()


@pytest.fixture(scope="module")
def token_service(pki: Pki) -> Iterator[TokenService]:
    service = TokenService(pki, {USER: (PASSWORD, ["pull", "push", "delete"]), READER: (READER_PASSWORD, ["pull"])})
    yield service
    service.stop()


@pytest.fixture(scope="module")
def token_registry(registry_tools, pki: Pki, token_service: TokenService, tmp_path_factory) -> Iterator[TlsRegistry]:
    registry = TlsRegistry(tmp_path_factory.mktemp("token-registry"), pki, token_service.auth)
    yield registry
    registry.stop()


@pytest.mark.parametrize("registry_name", ["basic_registry", "token_registry"], ids=["basic", "bearer"])
def test_a_working_login_pushes_pulls_deletes_and_leaves_nothing(verify, pki, tmp_path, request, registry_name):
    registry = request.getfixturevalue(registry_name)
    outcome = verify(
        "--config", external(tmp_path, f"{registry.host}/gitpod"), "--secret", login_secret(tmp_path, registry.host),
        "--ca-file", pki.ca, "--json",
    )  # fmt: skip
    assert outcome.code == 0, outcome.text
    scheme = "Basic" if registry_name == "basic_registry" else "Bearer"
    for repository in ("workspace-images", "base-images"):
        check = outcome.check(f"{registry.host}/gitpod/{repository}")
        assert check["ok"] and check["notes"] == [], check
        assert check["done"][0] == f"logged in as '{USER}' ({scheme} challenge)"
        assert check["done"][-1] == "deleted it"
    assert registry.tagged() == [] and registry.linked_blobs() == []
    assert PASSWORD not in outcome.text
    if registry_name == "token_registry":
        issued = request.getfixturevalue("token_service").issued
        assert issued and not any(token in outcome.text for token in issued)


@pytest.mark.parametrize("registry_name", ["basic_registry", "token_registry"], ids=["basic", "bearer"])
def test_a_wrong_password_fails_at_login_naming_401(verify, pki, tmp_path, request, registry_name):
    registry = request.getfixturevalue(registry_name)
    wrong = "rotated-token-0000000000"
    outcome = verify(
        "--config", external(tmp_path, f"{registry.host}/gitpod"),
        "--secret", login_secret(tmp_path, registry.host, password=wrong), "--ca-file", pki.ca,
    )  # fmt: skip
    assert outcome.code == 1
    assert "failed at: login" in outcome.out
    assert (
        f"cause: 401 wrong login: {'the token service of ' if 'token' in registry_name else ''}{registry.host}"
        in outcome.out
    )
    assert wrong not in outcome.text and PASSWORD not in outcome.text


def test_an_account_without_push_right_fails_at_push(verify, pki, tmp_path, token_registry):
    secret = login_secret(tmp_path, token_registry.host, READER, READER_PASSWORD)
    config = external(tmp_path, f"{token_registry.host}/gitpod")
    outcome = verify("--config", config, "--secret", secret, "--ca-file", pki.ca, "--json")
    assert outcome.code == 1
    check = outcome.check("workspace-images")
    assert check["step"] == "push" and "may not push here (no push right)" in check["cause"]
    assert token_registry.tagged() == []


def test_an_untrusted_certificate_fails_naming_the_certificate(verify, tmp_path, basic_registry):
    config, secret = external(tmp_path, f"{basic_registry.host}/gitpod"), login_secret(tmp_path, basic_registry.host)
    outcome = verify("--config", config, "--secret", secret, "--json")
    assert outcome.code == 1
    check = outcome.check("workspace-images")
    assert check["step"] == "login"
    assert check["cause"].startswith(f"untrusted certificate: {basic_registry.host} presents a certificate")
    assert "--ca-file" in check["cause"] and "customCACert" in check["cause"]


def test_the_custom_ca_cert_secret_is_trusted_as_gitpod_trusts_it(verify, pki, tmp_path, basic_registry):
    config = external(tmp_path, f"{basic_registry.host}/gitpod", customCACert={"kind": "secret", "name": "private-ca"})
    ca = write(tmp_path / "ca.yaml", secret_manifest("private-ca", {"ca.crt": pki.ca.read_text()}), as_yaml=True)
    outcome = verify("--config", config, "--secret", login_secret(tmp_path, basic_registry.host), "--secret", ca)
    assert outcome.code == 0, outcome.text
    assert (
        "ok    secret private-ca (customCACert): the CA bundle Gitpod trusts: ca.crt holds 1 PEM certificate(s)"
        in outcome.out
    )


def test_a_registry_without_deletes_passes_and_says_the_image_stays(verify, registry_tools, pki, tmp_path):
    registry = TlsRegistry(tmp_path, pki, htpasswd_auth(tmp_path, USER, PASSWORD), deletes=False)
    try:
        config = external(tmp_path, f"{registry.host}/gitpod")
        outcome = verify("--config", config, "--secret", login_secret(tmp_path, registry.host), "--ca-file", pki.ca)
        assert outcome.code == 0, outcome.text
        assert outcome.out.count("note: the registry does not allow deletes (405 not allowed") == 2
        assert "UNSUPPORTED" in outcome.out and "stays: remove it by hand" in outcome.out
        assert len(registry.tagged()) == 2
    finally:
        registry.stop()


def test_mirror_and_base_image_hosts_log_in_with_the_container_registry_secret(
    verify, pki, tmp_path, basic_registry, token_registry
):
    config = external(
        tmp_path,
        f"{basic_registry.host}/gitpod",
        repository=f"{token_registry.host}/mirror",
        containerRegistry={
            "inCluster": False,
            "external": {
                "url": f"{basic_registry.host}/gitpod",
                "certificate": {"kind": "secret", "name": "gitpod-registry-workspace-images"},
            },
            "privateBaseImageAllowList": [token_registry.host],
        },
    )
    logins = {basic_registry.host: (USER, PASSWORD), token_registry.host: (READER, READER_PASSWORD)}
    secret = write(tmp_path / "ws.json", docker_secret("gitpod-registry-workspace-images", logins))
    outcome = verify("--config", config, "--secret", secret, "--ca-file", pki.ca, "--json")
    assert outcome.code == 0, outcome.text
    mirror = outcome.check(f"log in to {token_registry.host} (repository")
    assert mirror["done"] == [f"logged in as '{READER}' (Bearer challenge)"]
    assert outcome.check("privateBaseImageAllowList")["ok"]
    assert READER_PASSWORD not in outcome.text


def test_a_mirror_that_needs_a_login_the_secret_lacks_fails_and_says_why(verify, pki, tmp_path, basic_registry):
    in_cluster = {"containerRegistry": {"inCluster": True}, "repository": f"{basic_registry.host}/mirror"}
    outcome = verify("--config", write(tmp_path / "c.json", in_cluster), "--ca-file", pki.ca, "--json")
    assert outcome.code == 1
    check = outcome.check("(repository")
    assert check["step"] == "login" and check["cause"].startswith(
        f"401 wrong login: {basic_registry.host} refused an anonymous"
    )
    assert "with inCluster: true the installer writes that secret itself" in check["cause"]
