"""verify's cluster-side check of artifact-registry's keyless login: the program's own ExternalSecret, with the status
ESO would give it, judged against the Google service account's access token's hour (the bound `pulumi up` enforces,
not ECR's 12h one)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest

from components.gcp import workload_identity
from components.kubernetes.renewed_login import guaranteed_seconds, max_refresh_seconds
from components.push_secret import SecretWriter
from components.verify.renewal import check_renewal, external_secret_from_manifest, login_lifetimes
from conftest import GCP_KEYLESS, run

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LIFETIME = workload_identity.ACCESS_TOKEN_LIFETIME_SECONDS


@pytest.fixture(scope="module")
def program() -> dict:
    (external,) = run("dev", GCP_KEYLESS).of_type(SecretWriter.CONTROLLER.registered_as or "")
    return {"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret", **copy.deepcopy(external.inputs)}


def judged(program: dict, written_ago: timedelta, **spec: object):
    manifest = copy.deepcopy(program)
    manifest["spec"] |= spec
    written = (NOW - written_ago).strftime("%Y-%m-%dT%H:%M:%SZ")
    ready = {"type": "Ready", "status": "True", "reason": "SecretSynced", "message": "secret synced"}
    manifest["status"] = {"refreshTime": written, "conditions": [ready]}
    return check_renewal(external_secret_from_manifest(manifest, "es.json"), login_lifetimes(), NOW, "gitpod")


def test_verify_knows_the_generators_lifetime_from_the_backend():
    assert login_lifetimes()[workload_identity.LOGIN_GENERATOR_KIND] == LIFETIME


def test_the_programs_login_passes_and_says_what_a_long_build_risks(program):
    result = judged(program, timedelta(minutes=2))
    assert result.ok, result.cause
    assert any("renewed every 10m; a login lasts 1h, so each stays valid 50m" in line for line in result.done)
    assert any("fails at push" in note for note in result.notes), result.notes


@pytest.mark.parametrize("interval", ["16m", "15m1s", "1h"])
def test_an_interval_pulumi_up_would_refuse_fails_at_refresh_interval(program, interval):
    result = judged(program, timedelta(minutes=1), refreshInterval=interval)
    assert not result.ok and result.step == "refreshInterval", result.cause
    assert f"at most {max_refresh_seconds(LIFETIME) // 60}m" in result.cause


def test_the_longest_allowed_interval_passes(program):
    assert judged(program, timedelta(minutes=2), refreshInterval="15m").ok


@pytest.mark.parametrize("minutes, step", [(16, "expiry"), (61, "expiry")])
def test_a_login_not_renewed_in_time_fails_before_a_build_could_use_it(program, minutes, step):
    result = judged(program, timedelta(minutes=minutes))
    assert not result.ok and result.step == step, result.cause
    if minutes < 60:
        assert f"meant to keep {guaranteed_seconds(LIFETIME) // 60}m" in result.cause
    else:
        assert "expired" in result.cause
