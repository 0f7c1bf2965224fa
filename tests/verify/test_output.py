"""What the command prints: a line per check, JSON for CI, exit codes, and never a credential, on any path."""

from __future__ import annotations

import base64
import json
import ssl

import pytest
import requests
from botocore.exceptions import EndpointConnectionError
from real.processes import free_port

import components.verify.cli as cli
from components.verify.network import network_cause
from components.verify.report import CheckResult, Masker, Report

from .conftest import docker_secret, secret_manifest, write

PASSWORD = "push-token-0123456789"
S3_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
S3_ACCESS = "AKIAEXAMPLEACCESS01"
AUTH = base64.b64encode(f"robot:{PASSWORD}".encode()).decode()
CREDENTIALS = (PASSWORD, AUTH, S3_SECRET, S3_ACCESS)


@pytest.fixture
def closed_port_files(tmp_path):
    """A config whose registries and S3 endpoint are loopback ports nothing listens on, with its secrets."""
    host = f"127.0.0.1:{free_port()}"
    config = {
        "repository": f"{host}/mirror",
        "containerRegistry": {
            "inCluster": False,
            "external": {"url": f"{host}/gitpod", "certificate": {"kind": "secret", "name": "ws"}},
            "privateBaseImageAllowList": [host, "quay.io"],
        },
    }
    in_cluster = {
        "containerRegistry": {
            "inCluster": True,
            "s3storage": {
                "bucket": "b",
                "region": "eu-west-1",
                "endpoint": host,
                "certificate": {"kind": "secret", "name": "s3"},
            },
        }
    }
    return {
        "external": write(tmp_path / "external.yaml", config, as_yaml=True),
        "in_cluster": write(tmp_path / "in-cluster.json", in_cluster),
        "ws": write(tmp_path / "ws.json", docker_secret("ws", {host: ("robot", PASSWORD)})),
        "s3": write(tmp_path / "s3.yaml", secret_manifest("s3", {"s3AccessKey": S3_ACCESS, "s3SecretKey": S3_SECRET})),
        "host": host,
    }


def assert_no_credential(text: str) -> None:
    for credential in CREDENTIALS:
        assert credential not in text, f"a credential leaked: …{credential[-4:]}"


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_connection_failures_are_named_and_print_no_credential(verify, closed_port_files, as_json):
    files = closed_port_files
    outcome = verify(
        "--config", files["external"], "--secret", files["ws"], "--timeout", "5", *(["--json"] if as_json else [])
    )
    assert outcome.code == 1
    assert_no_credential(outcome.text)
    assert "connection refused" in outcome.text
    if as_json:
        report = json.loads(outcome.out)
        assert report["ok"] is False
        assert {tuple(sorted(check)) for check in report["checks"]} == {
            ("cause", "done", "name", "notes", "ok", "step")
        }
        quay = outcome.check("quay.io")
        assert quay["step"] == "credentials" and "holds no login for quay.io" in quay["cause"]
        push = outcome.check("gitpod/workspace-images")
        assert push["step"] == "login" and "connection refused" in push["cause"]
        mirror = outcome.check("(repository: component images)")
        assert mirror["step"] == "login" and "connection refused" in mirror["cause"]


def test_s3_failures_print_neither_key(verify, closed_port_files):
    files = closed_port_files
    outcome = verify("--config", files["in_cluster"], "--secret", files["s3"], "--json", "--timeout", "5")
    assert outcome.code == 1
    assert_no_credential(outcome.text)
    check = outcome.check("registry storage")
    assert check["step"] == "s3:GetBucketLocation" and "connection refused" in check["cause"]


def test_an_exception_that_quotes_a_credential_is_masked(verify, closed_port_files, monkeypatch):
    def leaky(*args, **kwargs):
        raise RuntimeError(f"server said: bad login {PASSWORD} / Basic {AUTH} / key {S3_SECRET}")

    monkeypatch.setattr(cli, "check_push_pull", leaky)
    monkeypatch.setattr(cli, "check_s3", leaky)
    files = closed_port_files
    for config in ("external", "in_cluster"):
        for extra in ([], ["--json"]):
            secrets = ["--secret", files["ws"], "--secret", files["s3"]]
            outcome = verify("--config", files[config], *secrets, "--timeout", "5", *extra)
            assert outcome.code == 1
            assert "RuntimeError: server said: bad login ***" in outcome.text
            assert_no_credential(outcome.text)


def test_a_missing_secret_fails_its_check_and_says_how_to_give_it(verify, closed_port_files):
    outcome = verify("--config", closed_port_files["external"], "--json")
    assert outcome.code == 1
    check = outcome.check("secret ws")
    assert check["step"] == "read secret" and "kubectl get secret ws" in check["cause"]


def test_unusable_input_exits_2_without_echoing_values(verify, tmp_path, capsys):
    bad = secret_manifest("ws", {})
    bad["data"] = {".dockerconfigjson": f"{PASSWORD}!"}
    outcome = verify("--config", tmp_path / "missing.yaml")
    assert outcome.code == 2 and "cannot read" in outcome.err
    config = write(tmp_path / "c.json", {"containerRegistry": {"inCluster": True}})
    outcome = verify("--config", config, "--secret", write(tmp_path / "bad.json", bad))
    assert outcome.code == 2 and "data..dockerconfigjson is not base64" in outcome.err
    assert_no_credential(outcome.text)


def test_a_config_with_nothing_to_check_does_not_pass(verify, tmp_path):
    # inCluster without s3storage and Gitpod's public repository: nothing to prove, so not "all passed".
    outcome = verify("--config", write(tmp_path / "c.json", {"containerRegistry": {"inCluster": True}}))
    assert outcome.code == 1 and "0 of 0 checks passed" in outcome.text


def test_masker_masks_longest_first_and_each_line_of_a_key_file():
    key_file = '{\n  "private_key": "-----BEGIN PRIVATE KEY-----MIIEvQ"\n}'
    mask = Masker([PASSWORD, PASSWORD[:10], key_file, "ab"])
    assert mask(f"x {PASSWORD} y") == "x *** y"
    assert mask('"private_key": "-----BEGIN PRIVATE KEY-----MIIEvQ"') == "***"
    assert mask("ab stays: too short to mask without hiding the message").startswith("ab stays")


def test_report_lines_and_json(capsys):
    report = Report(Masker([PASSWORD]))
    report.add(CheckResult("push and pull r/workspace-images", ok=True, done=["logged in", "pushed"], notes=["kept"]))
    report.add(CheckResult("log in to quay.io", ok=False, step="login", cause=f"401 wrong login {PASSWORD}"))
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "ok    push and pull r/workspace-images: logged in, pushed",
        "      note: kept",
        "FAIL  log in to quay.io",
        "      failed at: login",
        "      cause: 401 wrong login ***",
    ]
    assert json.loads(report.to_json())["checks"][1] == {
        "name": "log in to quay.io",
        "ok": False,
        "step": "login",
        "cause": "401 wrong login ***",
        "notes": [],
        "done": [],
    }
    assert report.ok is False


def _wrapped(error: BaseException) -> requests.ConnectionError:
    """How requests reports it: ConnectionError(MaxRetryError(reason=...)) with the socket error as cause."""
    from urllib3.exceptions import MaxRetryError, NameResolutionError

    if isinstance(error, OSError) and not isinstance(error, ssl.SSLError):
        reason = NameResolutionError("registry.invalid", None, error)
    else:
        reason = error
    return requests.ConnectionError(MaxRetryError(None, "/v2/", reason))


def test_network_causes_in_plain_words():
    import socket

    dns = _wrapped(socket.gaierror(-2, "Name or service not known"))
    assert network_cause(dns, "registry.invalid").startswith("DNS: the name of registry.invalid does not resolve")
    botocore_refused = EndpointConnectionError(endpoint_url="https://x", error=ConnectionRefusedError(111, "refused"))
    assert network_cause(botocore_refused, "s3.example.com").startswith("connection refused")
    cert = ssl.SSLCertVerificationError(1, "certificate verify failed")
    cert.verify_code, cert.verify_message = 20, "unable to get local issuer certificate"
    assert network_cause(_wrapped(cert), "r.example.com").startswith("untrusted certificate: r.example.com")
    cert.verify_code, cert.verify_message = 62, "Hostname mismatch"
    assert "not issued for this name" in network_cause(_wrapped(cert), "r.example.com")
    assert network_cause(ValueError("no"), "r.example.com") is None
