"""`verify` of a push secret External Secrets Operator writes, from the objects an operator exports with kubectl.

Real software: Debian's docker-registry over TLS with htpasswd stands in for ECR's registry API (a Basic login,
as ECR's `AWS:<token>` is); the secret is shaped as ESO v2.9.0 writes it (its labels and annotation,
pkg/controllers/externalsecret/externalsecret_controller.go; the `.dockerconfigjson` the program's template
renders); the ExternalSecret is the program's own (the `ecr` backend's) with a status shaped as ESO v2.9.0 writes
it (apis/externalsecrets/v1/externalsecret_types.go: `ExternalSecretStatus` with `refreshTime`,
`syncedResourceVersion`, `conditions[]` of `ExternalSecretStatusCondition` {type, status, reason, message,
lastTransitionTime}, `binding`; `markAsDone`/`markAsFailed` set Ready with reason `SecretSynced`/`SecretSyncedError`).
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from real.dockerconfig_harness import htpasswd_auth

from components.gcp import workload_identity
from components.kubernetes.renewed_login import MAX_BUILD_RUNTIME_SECONDS
from components.push_secret import SecretWriter
from components.workspace_images.ecr import ECR_TOKEN_LIFETIME_SECONDS
from conftest import run

from .conftest import docker_secret, write
from .pki import Pki
from .servers import TlsRegistry

pytestmark = pytest.mark.real

USER = "AWS"  # the user name of every ECR login (generators/v1/ecr/ecr.go splits `AWS:<password>`)
TOKEN = "eyJwYXlsb2FkIjoiRVhBTVBMRS1FQ1ItVE9LRU4ifQ-0123456789abcdef"
ECR = {
    "aws:region": "eu-west-1",
    "gitpod-registry:workspaceImages": {
        "backend": "ecr",
        "oidcProviderArn": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE",
    },
}


@pytest.fixture(scope="module")
def registry(registry_tools, pki: Pki, tmp_path_factory) -> Iterator[TlsRegistry]:
    workdir = tmp_path_factory.mktemp("ecr-stand-in")
    server = TlsRegistry(workdir, pki, htpasswd_auth(workdir, USER, TOKEN))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def program_external_secret() -> dict:
    """The ExternalSecret the program registers for `backend: ecr`, as the apiserver returns it (no status yet)."""
    (external,) = run("dev", ECR).of_type(SecretWriter.CONTROLLER.registered_as or "")
    return {"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret", **copy.deepcopy(external.inputs)}


def _time(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")  # metav1.Time's RFC 3339 form


def exported(
    program: dict,
    *,
    written_ago: timedelta | None = timedelta(minutes=10),
    ready: tuple[str, str, str] | None = ("True", "SecretSynced", "secret synced"),
    **spec: object,
) -> dict:
    """`kubectl -n gitpod get externalsecret NAME -o json`: the program's object with ESO's status."""
    now = datetime.now(UTC)
    manifest = copy.deepcopy(program)
    manifest["metadata"] |= {"resourceVersion": "48213", "uid": "5f0c1e7a-0000-4000-8000-000000000001"}
    manifest["spec"] |= spec
    status: dict = {"binding": {"name": manifest["spec"]["target"]["name"]}, "syncedResourceVersion": "1-48213"}
    if written_ago is not None:
        status["refreshTime"] = _time(now - written_ago)
    if ready is not None:
        state, reason, message = ready
        status["conditions"] = [
            {
                "type": "Ready",
                "status": state,
                "reason": reason,
                "message": message,
                "lastTransitionTime": _time(now - timedelta(hours=3)),
            }
        ]
    manifest["status"] = status
    return manifest


def written_secret(name: str, host: str, password: str = TOKEN) -> dict:
    """The Secret ESO writes: the rendered `.dockerconfigjson`, ESO's managed label and data-hash annotation."""
    manifest = docker_secret(name, {host: (USER, password)})
    label, value = SecretWriter.CONTROLLER.written_mark or ("", "")
    manifest["metadata"] |= {
        "labels": {label: value, "reconcile.external-secrets.io/created-by": "3c8d3b3f9b2f4e6a"},
        "annotations": {"reconcile.external-secrets.io/data-hash": "9a0364b9e99bb480dd25e1f0284c8555"},
    }
    return manifest


@pytest.fixture
def setup(tmp_path: Path, registry: TlsRegistry, pki: Pki, program_external_secret: dict):
    """Writes the config, the written secret and (optionally) the ExternalSecret; returns verify's arguments."""
    name = program_external_secret["spec"]["target"]["name"]

    def files(external: dict | None, password: str = TOKEN) -> list[str | Path]:
        config = {
            "containerRegistry": {
                "inCluster": False,
                "external": {"url": f"{registry.host}/gitpod", "certificate": {"kind": "secret", "name": name}},
            }
        }
        args: list[str | Path] = [
            "--config", write(tmp_path / "registry.yaml", config),
            "--secret", write(tmp_path / "secret.json", written_secret(name, registry.host, password)),
            "--ca-file", pki.ca, "--json",
        ]  # fmt: skip
        if external is not None:
            args += ["--external-secret", write(tmp_path / "external-secret.json", external)]
        return args

    return files


def test_a_ready_current_login_passes_and_pushes_pulls_deletes_in_both_repositories(
    verify, setup, registry, program_external_secret
):
    outcome = verify(*setup(exported(program_external_secret)))
    assert outcome.code == 0, outcome.text
    name = program_external_secret["spec"]["target"]["name"]
    # docs/verify.md exports it by the secret's name: the program names the ExternalSecret after the secret it writes.
    assert program_external_secret["metadata"]["name"] == name
    renewal = outcome.check(f"renewed login {name}")
    assert renewal["ok"] and renewal["done"][0] == "Ready (SecretSynced: secret synced)", renewal
    assert renewal["done"][1].startswith("renewed every 1h; a login lasts 12h, so each stays valid 11h")
    assert renewal["done"][2].startswith("written 10m ago (") and renewal["done"][2].endswith("expires in 11h50m")
    for repository in ("base-images", "workspace-images"):
        check = outcome.check(f"{registry.host}/gitpod/{repository}")
        assert check["ok"] and check["done"][0] == f"logged in as '{USER}' (Basic challenge)"
        assert check["done"][-1] == "deleted it"
    assert registry.tagged() == [] and TOKEN not in outcome.text


@pytest.mark.parametrize(
    ("change", "step", "words"),
    [
        (
            {"ready": ("False", "SecretSyncedError", "could not get secret data from provider")},
            "Ready",
            [
                "not Ready: SecretSyncedError: could not get secret data from provider",
                "kubectl -n gitpod describe externalsecret ",
                "event (UpdateFailed)",
                "Its generator could not mint a login",
            ],
        ),
        ({"ready": None}, "Ready", ["no Ready condition", "is ESO running"]),
        ({"written_ago": None}, "refreshTime", ["status.refreshTime is missing"]),
        ({"refreshPolicy": "CreatedOnce"}, "refreshPolicy", ["refreshPolicy CreatedOnce", "Periodic"]),
        ({"refreshInterval": "0"}, "refreshInterval", ["never renews the login"]),
        (
            {"refreshInterval": "11h30m", "written_ago": timedelta(minutes=5)},
            "refreshInterval",
            ["lasts 12h only 30m before it expires", "maxBuildRuntime", "at most 11h"],
        ),
        (
            {"written_ago": timedelta(hours=13)},
            "expiry",
            ["the written login expired 1h ago", "ESO has not renewed it", "app.kubernetes.io/name=external-secrets"],
        ),
        (
            {"refreshInterval": "11h", "written_ago": timedelta(hours=11, minutes=20)},
            "expiry",
            ["expires in 40m, before an image build starting now could end (maxBuildRuntime 1h)"],
        ),
        ({"written_ago": timedelta(hours=2)}, "refreshTime", ["renewed every 1h: ESO is late by 1h"]),
    ],
    ids=[
        "not-ready",
        "no-condition",
        "never-written",
        "created-once",
        "interval-zero",
        "interval-too-long",
        "expired",
        "expires-within-a-build",
        "late",
    ],
)
def test_each_renewal_failure_is_named_with_what_to_do(verify, setup, program_external_secret, change, step, words):
    ready = change.pop("ready", ("True", "SecretSynced", "secret synced"))
    written_ago = change.pop("written_ago", timedelta(minutes=10))
    external = exported(program_external_secret, ready=ready, written_ago=written_ago, **change)
    outcome = verify(*setup(external))
    assert outcome.code == 1, outcome.text
    (renewal,) = [c for c in json.loads(outcome.out)["checks"] if c["name"].startswith("renewed login")]
    assert not renewal["ok"] and renewal["step"] == step, renewal
    assert all(w in renewal["cause"] for w in words), renewal["cause"]
    # The written login itself still works here: push and pull pass, and nothing secret is printed.
    assert [c["ok"] for c in json.loads(outcome.out)["checks"] if c["name"].startswith("push and pull")] == [True] * 2
    assert TOKEN not in outcome.text


def test_a_not_ready_external_secret_says_how_long_the_last_login_stays_valid(verify, setup, program_external_secret):
    failing = ("False", "SecretSyncedError", "could not get secret data from provider")
    external = exported(program_external_secret, ready=failing, written_ago=timedelta(hours=3))
    renewal = verify(*setup(external)).check("renewed login")
    assert renewal["notes"] == ["the login written last (3h ago) stays valid for 9h"]


def test_a_login_the_registry_refuses_fails_at_login_beside_a_ready_external_secret(
    verify, setup, registry, program_external_secret
):
    stale = "eyJwYXlsb2FkIjoiU1RBTEUtRUNSLVRPS0VOIn0-fedcba9876543210"
    outcome = verify(*setup(exported(program_external_secret), password=stale))
    assert outcome.code == 1
    assert outcome.check("renewed login")["ok"]
    check = outcome.check("gitpod/workspace-images")
    assert check["step"] == "login" and check["cause"].startswith(
        f"401 wrong login: {registry.host} refused user 'AWS'"
    )
    assert stale not in outcome.text and TOKEN not in outcome.text


def test_a_controller_written_secret_without_its_external_secret_fails_saying_how_to_export_it(
    verify, setup, program_external_secret
):
    outcome = verify(*setup(None))
    assert outcome.code == 1
    check = outcome.check("renewed login")
    assert check["step"] == "read ExternalSecret"
    assert "reconcile.external-secrets.io/managed" in check["cause"]
    assert "--external-secret FILE (kubectl -n gitpod get externalsecrets -o json > FILE)" in check["cause"]
    # An ExternalSecret that writes another secret does not count.
    other = exported(program_external_secret)
    other["spec"]["target"]["name"] = "someone-elses-secret"
    cause = verify(*setup(other)).check("renewed login")["cause"]
    assert "the ExternalSecrets given write someone-elses-secret" in cause


def test_from_cluster_reads_the_external_secret_that_writes_the_push_secret(
    verify, setup, program_external_secret, tmp_path, monkeypatch
):
    """A stand-in kubectl answers `get externalsecrets` with the namespace's list, as kubectl prints it."""
    listing = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [exported(program_external_secret, written_ago=timedelta(hours=13))],
    }
    write(tmp_path / "externalsecrets.json", listing)
    tool = tmp_path / "bin" / "kubectl"
    tool.parent.mkdir()
    tool.write_text(
        f'#!/bin/sh\necho "$@" >> {tmp_path}/calls.log\n'
        f'if [ "$2" = externalsecrets ]; then cat {tmp_path}/externalsecrets.json; exit 0; fi\nexit 1\n'
    )
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tool.parent}{os.pathsep}{os.environ['PATH']}")
    outcome = verify(*setup(None), "--from-cluster", "--namespace", "gitpod-prod")
    assert (tmp_path / "calls.log").read_text().splitlines() == [
        "get externalsecrets --namespace gitpod-prod --output json"
    ]
    assert outcome.check("renewed login")["step"] == "expiry"


def test_the_checks_thresholds_are_the_programs():
    from components.verify.renewal import login_lifetimes

    assert login_lifetimes() == {
        "ECRAuthorizationToken": ECR_TOKEN_LIFETIME_SECONDS,
        workload_identity.LOGIN_GENERATOR_KIND: workload_identity.ACCESS_TOKEN_LIFETIME_SECONDS,
    }
    assert MAX_BUILD_RUNTIME_SECONDS == 60 * 60
