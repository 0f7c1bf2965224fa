"""Role 2, base images: the default workspace image and private base-image registries.

Gitpod mounts one `.dockerconfigjson` for pushing and for pulling private base images,
so base-image credentials are merged into the workspace-image push secret.
"""

from __future__ import annotations

import re

import pytest

from components.workspace_images import carrying_logins
from conftest import AWS, assert_never_plain, docker_config, login, run, run_invalid, secret_named

WORKSPACE = "gitpod-registry:workspaceImages"
BASE = "gitpod-registry:baseImages"
HARBOR = {"backend": "external", "url": "harbor.example.com/gitpod", "username": "robot$push", "password": "push-t0ken"}
QUAY = {"server": "quay.io/acme", "username": "acme+reader", "password": "quay-t0ken"}
HUB = {"server": "index.docker.io", "username": "acme", "password": "hub-t0ken"}


def test_base_image_credentials_are_merged_into_the_push_secret_and_allow_listed():
    evaluation = run("dev", {WORKSPACE: HARBOR, BASE: {"registries": [QUAY, HUB]}})
    secret = secret_named(evaluation, "gitpod-registry-workspace-images")
    assert docker_config(secret) == {
        "auths": {
            "docker.io": login("acme", "hub-t0ken"),
            "harbor.example.com": login("robot$push", "push-t0ken"),
            "quay.io": login("acme+reader", "quay-t0ken"),
        }
    }
    assert len(evaluation.of_type("kubernetes:core/v1:Secret")) == 1, "Gitpod mounts exactly one dockerconfigjson"
    registry = evaluation.outputs["installerConfig"]["containerRegistry"]
    assert registry["privateBaseImageAllowList"] == ["docker.io", "quay.io"]
    assert_never_plain(evaluation, "push-t0ken", "quay-t0ken", "hub-t0ken")


def test_the_push_registry_can_also_serve_base_images_with_the_same_login():
    same = {"server": "harbor.example.com", "username": "robot$push", "password": "push-t0ken"}
    evaluation = run("dev", {WORKSPACE: HARBOR, BASE: {"registries": [same]}})
    auths = docker_config(secret_named(evaluation, "gitpod-registry-workspace-images"))["auths"]
    assert auths == {"harbor.example.com": login("robot$push", "push-t0ken")}
    assert evaluation.outputs["installerConfig"]["containerRegistry"]["privateBaseImageAllowList"] == [
        "harbor.example.com"
    ]


def test_workspace_image_is_passed_through_and_otherwise_left_to_the_installer():
    # The installer's default (gitpod/workspace-full:latest, or MIRROR/gitpod/workspace-full:latest with a
    # mirror: image-builder-mk3/configmap.go) applies only while the fragment does not write one.
    assert "workspace" not in run("dev", AWS).outputs["installerConfig"]
    custom = run("dev", {**AWS, BASE: {"workspaceImage": "quay.io/acme/workspace:2024"}})
    assert custom.outputs["installerConfig"]["workspace"] == {"workspaceImage": "quay.io/acme/workspace:2024"}


def test_no_allow_list_without_private_base_images():
    registry = run("dev", {WORKSPACE: HARBOR}).outputs["installerConfig"]["containerRegistry"]
    assert "privateBaseImageAllowList" not in registry


IN_CLUSTER_BACKENDS = {
    "s3": AWS,
    "s3-compatible": {
        WORKSPACE: {
            "backend": "s3-compatible",
            "endpoint": "minio.example.com:9000",
            "bucket": "gitpod-registry",
            "region": "us-east-1",
            "accessKeyId": "gitpod",
            "secretAccessKey": "minio-s3cret",
        }
    },
    "in-cluster": {WORKSPACE: {"backend": "in-cluster"}},
}


@pytest.mark.parametrize("backend", sorted(IN_CLUSTER_BACKENDS))
def test_in_cluster_registry_refuses_base_image_credentials_instead_of_dropping_them(backend):
    message = run_invalid({**IN_CLUSTER_BACKENDS[backend], BASE: {"registries": [QUAY]}})
    assert message.startswith(
        f"invalid configuration: gitpod-registry:baseImages.registries: cannot be used with backend '{backend}'"
    )
    assert f"Use backend {carrying_logins()}, whose secret carries them" in message and "quay-t0ken" not in message


@pytest.mark.parametrize(
    ("registries", "expected"),
    [
        (
            [QUAY, {**QUAY, "server": "quay.io", "username": "other"}],
            r"baseImages.registries\[1\]: registry host 'quay.io' already has a different credential \(gitpod-registry:baseImages.registries\[0\]\)",
        ),
        (
            [{"server": "harbor.example.com", "username": "reader", "password": "quay-t0ken"}],
            r"baseImages.registries\[0\]: registry host 'harbor.example.com' already has a different credential \(gitpod-registry:workspaceImages.url\)",
        ),
        ([{**QUAY, "server": "https://quay.io"}], r"baseImages.registries\[0\].server: 'https://quay.io' has a scheme"),
        (
            [{**QUAY, "password": None}],
            r"baseImages.registries\[0\].password: empty, and it is required; set it with `pulumi config set --secret --path baseImages.registries\[0\].password",
        ),
        (
            [{**QUAY, "user": "x"}],
            r"baseImages.registries\[0\].user: unknown field; did you mean username\? allowed fields here: password, server, username",
        ),
        (
            ["quay.io"],
            r"baseImages.registries\[0\]: expected an object with server, username and password, got a string",
        ),
        (QUAY, r"baseImages.registries: expected a list, got an object"),
    ],
)
def test_bad_base_image_registries_are_refused_without_showing_passwords(registries, expected):
    message = run_invalid({WORKSPACE: HARBOR, BASE: {"registries": registries}})
    assert re.search("gitpod-registry:" + expected, message), message
    assert "quay-t0ken" not in message and "push-t0ken" not in message


def test_base_image_credentials_join_the_artifact_registry_push_secret():
    gcp = {"gcp:project": "acme-gitpod", "gcp:region": "europe-west1", WORKSPACE: {"backend": "artifact-registry"}}
    evaluation = run("dev", {**gcp, BASE: {"registries": [QUAY]}})
    auths = docker_config(secret_named(evaluation, "gitpod-registry-workspace-images"))["auths"]
    assert sorted(auths) == ["europe-west1-docker.pkg.dev", "quay.io"]
    assert auths["europe-west1-docker.pkg.dev"]["username"] == "_json_key"
    assert auths["quay.io"] == login("acme+reader", "quay-t0ken")
    registry = evaluation.outputs["installerConfig"]["containerRegistry"]
    assert registry["privateBaseImageAllowList"] == ["quay.io"]
    assert_never_plain(evaluation, "quay-t0ken")


def test_a_base_image_host_that_is_the_artifact_registry_host_is_refused():
    gcp = {"gcp:project": "acme-gitpod", "gcp:region": "europe-west1", WORKSPACE: {"backend": "artifact-registry"}}
    clash = {"server": "europe-west1-docker.pkg.dev", "username": "someone", "password": "other-t0ken"}
    message = run_invalid({**gcp, BASE: {"registries": [clash]}})
    assert "gitpod-registry:baseImages.registries" in message and "europe-west1-docker.pkg.dev" in message
    assert "other-t0ken" not in message
