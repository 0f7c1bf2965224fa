"""Bad configuration for the artifact-registry backend: one error naming the key, nothing registered."""

from __future__ import annotations

import re

import pytest

from components.workspace_images import BACKENDS
from conftest import run, run_invalid

WS = "gitpod-registry:workspaceImages"
GCP = {"gcp:project": "acme-gitpod", "gcp:region": "europe-west1", WS: {"backend": "artifact-registry"}}


def ar(**fields):
    return {WS: {"backend": "artifact-registry", **fields}}


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"gcp:project": None}, r"^invalid configuration: gcp:project: required for the artifact-registry backend"),
        ({"gcp:project": "Acme"}, r"gcp:project: 'Acme' is not a Google Cloud project ID"),
        ({"gcp:project": "abc"}, r"gcp:project: 'abc' is not a Google Cloud project ID; use 6-30"),
        ({"gcp:project": "acme-gitpod-"}, r"gcp:project: .* is not a Google Cloud project ID"),
        ({"gcp:region": None}, r"gcp:region: required for the artifact-registry backend"),
        ({"gcp:region": "Europe West"}, r"gcp:region: 'Europe West' is not an Artifact Registry location"),
        (ar(location="eu"), r"gitpod-registry:workspaceImages.location: 'eu' is not an Artifact Registry location"),
        (ar(location=1), r"gitpod-registry:workspaceImages.location: expected an Artifact Registry location"),
        (
            ar(repository="Gitpod"),
            r"gitpod-registry:workspaceImages.repository: 'Gitpod' is not an Artifact Registry repository id",
        ),
        (
            ar(repository="gitpod-"),
            r"gitpod-registry:workspaceImages.repository: .* not an Artifact Registry repository id",
        ),
        (
            ar(repository="1gitpod"),
            r"gitpod-registry:workspaceImages.repository: .* not an Artifact Registry repository id",
        ),
        (
            ar(repository="a" * 64),
            r"gitpod-registry:workspaceImages.repository: .* not an Artifact Registry repository id",
        ),
        (
            ar(repository="gcr.io", location="europe"),
            r"gitpod-registry:workspaceImages.location: 'europe' cannot hold repository 'gcr.io'; it lives in 'us'",
        ),
        (
            ar(repository="eu.gcr.io", location="us"),
            r"gitpod-registry:workspaceImages.location: 'us' cannot hold repository 'eu.gcr.io'",
        ),
        (
            ar(repository=["gitpod"]),
            r"gitpod-registry:workspaceImages.repository: expected an Artifact Registry repository id",
        ),
        (ar(repository="de.gcr.io"), r"gitpod-registry:workspaceImages.repository: 'de.gcr.io' is not"),
        (
            ar(serviceAccount="gitpod-storage"),
            r"gitpod-registry:workspaceImages.serviceAccount: 'gitpod-storage' is not a user-managed service account email",
        ),
        (
            ar(serviceAccount="123-compute@developer.gserviceaccount.com"),
            r"gitpod-registry:workspaceImages.serviceAccount: .* not a user-managed service account email",
        ),
        (
            ar(serviceAccount="Gitpod@acme-gitpod.iam.gserviceaccount.com"),
            r"gitpod-registry:workspaceImages.serviceAccount: .* not a user-managed",
        ),
        (
            ar(cleanupOlderThanDays=0),
            r"gitpod-registry:workspaceImages.cleanupOlderThanDays: expected a whole number from 1 to 3652500",
        ),
        (
            ar(cleanupKeepCount=5),
            r"gitpod-registry:workspaceImages.cleanupKeepCount: only meaningful with gitpod-registry:workspaceImages.cleanupOlderThanDays",
        ),
        (ar(keyGeneration=0), r"gitpod-registry:workspaceImages.keyGeneration: expected a whole number from 1 to"),
        (
            ar(bucket="x"),
            r"gitpod-registry:workspaceImages.bucket: unknown field; (did you mean backend\? )?allowed fields here: allowKeyCreation, backend, cleanupKeepCount, cleanupOlderThanDays, gkeClusterLocation, "
            r"gkeClusterName, gkeClusterProject, keepPreviousKey, keyGeneration, location, login, project, refreshInterval, "
            r"repository, serviceAccount",
        ),
        (
            {"gitpod-registry:clusterName": "a" * 20},
            r"gitpod-registry:clusterName: at most 19 characters with the artifact-registry backend, because the service account id gitpod-reg-<cluster> has at most 30",
        ),
        (
            {WS: {"backend": "gcr"}},
            rf"gitpod-registry:workspaceImages.backend: 'gcr' is not allowed; allowed values: {', '.join(BACKENDS)}",
        ),
    ],
)
def test_bad_value_is_refused_naming_its_key(override, expected):
    message = run_invalid({**GCP, **override})
    assert re.search(expected, message), message


def test_a_long_cluster_name_is_fine_when_reusing_a_service_account():
    existing = "gitpod-storage@acme-gitpod.iam.gserviceaccount.com"
    evaluation = run("dev", {**GCP, "gitpod-registry:clusterName": "a" * 32, **ar(serviceAccount=existing)})
    assert evaluation.of_type("gcp:serviceaccount/account:Account") == []


def test_the_longest_allowed_cluster_name_fits_the_service_account_id():
    evaluation = run("dev", {**GCP, "gitpod-registry:clusterName": "a" * 19})
    account_id = evaluation.one("gcp:serviceaccount/account:Account").inputs["accountId"]
    assert len(account_id) == 30 and re.match(r"^[a-z][-a-z0-9]{4,28}[a-z0-9]$", account_id)


def test_gcr_domain_repository_needs_no_region():
    evaluation = run("dev", {**GCP, "gcp:region": None, **ar(repository="asia.gcr.io")})
    assert evaluation.one("gcp:artifactregistry/repository:Repository").inputs["location"] == "asia"


def test_explicit_location_needs_no_region():
    evaluation = run("dev", {**GCP, "gcp:region": None, **ar(location="europe")})
    assert evaluation.one("gcp:artifactregistry/repository:Repository").inputs["location"] == "europe"
