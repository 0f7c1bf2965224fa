"""Role 1, component images: Gitpod's public registry, or a company mirror behind credentials.

A mirror's login must reach two kinds of reader: the kubelet (imagePullSecrets) and registry-facade,
blobserve and ide-service, which read only the containerRegistry secret (paths under
install/installer/pkg/components/ in gitpod-io/gitpod: registry-facade/daemonset.go and configmap.go).
"""

from __future__ import annotations

import re

import pytest

from components.installer_config import DEFAULT_COMPONENT_REPOSITORY as DEFAULT
from components.workspace_images import carrying_logins
from conftest import AWS, assert_never_plain, docker_config, login, run, run_invalid, secret_named

COMPONENTS = "gitpod-registry:componentImages"
WORKSPACE = "gitpod-registry:workspaceImages"
BASE = "gitpod-registry:baseImages"
MIRROR = {"repository": "mirror.example.com/gitpod", "username": "robot$gitpod", "password": "mirror-pa55:word"}
HARBOR = {"backend": "external", "url": "harbor.example.com/gitpod", "username": "robot$push", "password": "push-t0ken"}
GCP = {"gcp:project": "acme-gitpod", "gcp:region": "europe-west1", WORKSPACE: {"backend": "artifact-registry"}}
S3_COMPATIBLE = {
    "backend": "s3-compatible",
    "endpoint": "minio.example.com:9000",
    "bucket": "gitpod-registry",
    "region": "us-east-1",
    "accessKeyId": "gitpod",
    "secretAccessKey": "minio-s3cret",
}


def test_default_leaves_the_installers_repository_in_force_without_pull_secret():
    evaluation = run("dev", AWS)
    config = evaluation.outputs["installerConfig"]
    assert "repository" not in config, "the installer's own default applies (gitpod-installer init writes it)"
    assert "imagePullSecrets" not in config and "dropImageRepo" not in config
    component = evaluation.one("gitpod-registry:index:ComponentImages")
    assert not [r for r in evaluation.resources if r.parent == component.urn], component.urn


def test_private_mirror_login_reaches_the_kubelet_and_registry_facade():
    evaluation = run("dev", {WORKSPACE: HARBOR, COMPONENTS: MIRROR})
    mirror_login = login("robot$gitpod", "mirror-pa55:word")
    # The kubelet: imagePullSecrets, on every Gitpod ServiceAccount (common/objects.go).
    pull_secret = secret_named(evaluation, "gitpod-registry-component-images")
    assert pull_secret.inputs["metadata"]["namespace"] == "gitpod"
    assert pull_secret.parent == evaluation.one("gitpod-registry:index:ComponentImages").urn
    assert docker_config(pull_secret) == {"auths": {"mirror.example.com": mirror_login}}
    # registry-facade, blobserve, ide-service: only the containerRegistry secret (registry-facade/daemonset.go).
    workspace_secret = secret_named(evaluation, "gitpod-registry-workspace-images")
    assert docker_config(workspace_secret)["auths"] == {
        "harbor.example.com": login("robot$push", "push-t0ken"),
        "mirror.example.com": mirror_login,
    }
    config = evaluation.outputs["installerConfig"]
    assert config["repository"] == "mirror.example.com/gitpod"
    assert config["imagePullSecrets"] == [{"kind": "secret", "name": "gitpod-registry-component-images"}]
    assert config["containerRegistry"]["external"]["certificate"]["name"] == "gitpod-registry-workspace-images"
    assert "dropImageRepo" not in config and "workspace" not in config
    # The installer's default workspace image is then MIRROR/gitpod/workspace-full:latest, which image-builder
    # pulls with the secret's login only for an allow-listed host.
    assert config["containerRegistry"]["privateBaseImageAllowList"] == ["mirror.example.com"]
    assert_never_plain(evaluation, "mirror-pa55:word")


def test_the_mirror_is_allow_listed_only_when_the_workspace_image_comes_from_it():
    evaluation = run("dev", {WORKSPACE: HARBOR, COMPONENTS: MIRROR, BASE: {"workspaceImage": "ubuntu:22.04"}})
    registry = evaluation.outputs["installerConfig"]["containerRegistry"]
    assert "privateBaseImageAllowList" not in registry
    assert "mirror.example.com" in docker_config(secret_named(evaluation, "gitpod-registry-workspace-images"))["auths"]


def test_private_mirror_login_joins_the_artifact_registry_secret():
    evaluation = run("dev", {**GCP, COMPONENTS: MIRROR})
    auths = docker_config(secret_named(evaluation, "gitpod-registry-workspace-images"))["auths"]
    assert sorted(auths) == ["europe-west1-docker.pkg.dev", "mirror.example.com"]
    assert auths["mirror.example.com"] == login("robot$gitpod", "mirror-pa55:word")
    assert_never_plain(evaluation, "mirror-pa55:word")


@pytest.mark.parametrize(
    ("backend", "config"),
    [
        ("s3", AWS),
        ("s3-compatible", {WORKSPACE: S3_COMPATIBLE}),
        ("in-cluster", {WORKSPACE: {"backend": "in-cluster"}}),
    ],
)
def test_a_mirror_login_is_refused_where_the_installer_generates_the_registry_secret(backend, config):
    message = run_invalid({**config, COMPONENTS: MIRROR})
    assert message.startswith(
        f"invalid configuration: gitpod-registry:componentImages: a mirror that needs a login cannot be used with "
        f"backend '{backend}'"
    )
    assert "registry-facade, blobserve and ide-service" in message
    assert (
        "Allow anonymous pulls from the mirror" in message
        and f"use backend {carrying_logins()}, whose secret carries the mirror's login" in message
    )
    assert "mirror-pa55" not in message


def test_an_anonymous_mirror_works_with_the_in_cluster_registry():
    evaluation = run("dev", {**AWS, COMPONENTS: {"repository": "mirror.example.com/gitpod"}})
    config = evaluation.outputs["installerConfig"]
    assert config["repository"] == "mirror.example.com/gitpod" and "imagePullSecrets" not in config
    assert secret_named(evaluation, "gitpod-registry-s3-backend").inputs["type"] == "Opaque"


def test_the_mirror_and_the_push_registry_on_one_host_share_one_login():
    same = {"repository": "harbor.example.com/mirror", "username": "robot$push", "password": "push-t0ken"}
    evaluation = run("dev", {WORKSPACE: HARBOR, COMPONENTS: same})
    auths = docker_config(secret_named(evaluation, "gitpod-registry-workspace-images"))["auths"]
    assert auths == {"harbor.example.com": login("robot$push", "push-t0ken")}
    other = {**same, "username": "robot$mirror", "password": "mirror-pa55:word"}
    message = run_invalid({WORKSPACE: HARBOR, COMPONENTS: other})
    assert (
        "gitpod-registry:componentImages: registry host 'harbor.example.com' already has a different credential (gitpod-registry:workspaceImages.url)"
        in message
    )
    assert "mirror-pa55" not in message and "push-t0ken" not in message


@pytest.mark.parametrize(
    ("repository", "host"),
    [
        ("docker.io/acme", "docker.io"),
        ("index.docker.io/acme", "docker.io"),
        ("registry.example.com:5000/a/b", "registry.example.com:5000"),
    ],
)
def test_pull_secret_key_is_the_host_gitpods_resolver_looks_up(repository, host):
    evaluation = run("dev", {WORKSPACE: HARBOR, COMPONENTS: {**MIRROR, "repository": repository}})
    assert list(docker_config(secret_named(evaluation, "gitpod-registry-component-images"))["auths"]) == [host]
    assert host in docker_config(secret_named(evaluation, "gitpod-registry-workspace-images"))["auths"]


def test_drop_image_repo_for_flat_mirrors():
    evaluation = run("dev", {**AWS, COMPONENTS: {"repository": "docker.io/acme", "dropImageRepo": True}})
    config = evaluation.outputs["installerConfig"]
    assert config["dropImageRepo"] is True and config["repository"] == "docker.io/acme"


@pytest.mark.parametrize("role", [{"dropImageRepo": True}, {"repository": DEFAULT, "dropImageRepo": True}])
def test_drop_image_repo_without_a_mirror_is_refused(role):
    message = run_invalid({**AWS, COMPONENTS: role})
    assert message.startswith(
        "invalid configuration: gitpod-registry:componentImages.dropImageRepo: only with a mirror: set "
        "gitpod-registry:componentImages.repository to it"
    )
    assert f"{DEFAULT}/<last path segment>, where they do not exist" in message


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            {"repository": "mirror.example.com/gitpod", "username": "robot"},
            r"gitpod-registry:componentImages.password: required when gitpod-registry:componentImages.username is set",
        ),
        (
            {"repository": "mirror.example.com/gitpod", "password": "mirror-pa55:word"},
            r"gitpod-registry:componentImages.username: required when gitpod-registry:componentImages.password is set",
        ),
        (
            {**MIRROR, "password": ""},
            r"gitpod-registry:componentImages.password: empty; set it with `pulumi config set --secret --path componentImages.password",
        ),
        (
            {**MIRROR, "password": 1234},
            r"gitpod-registry:componentImages.password: expected a string, got a number \(value not shown\)",
        ),
        (
            {**MIRROR, "username": "ro:bot"},
            r"gitpod-registry:componentImages.username: contains ':', which a registry login cannot carry \(value not shown",
        ),
        (
            {**MIRROR, "repository": "https://mirror.example.com/gitpod"},
            r"gitpod-registry:componentImages.repository: .* has a scheme",
        ),
        (
            {**MIRROR, "repository": "mirror.example.com/gitpod:latest"},
            r"gitpod-registry:componentImages.repository: .* names an image",
        ),
        (
            {**MIRROR, "repository": "acme/gitpod"},
            r"gitpod-registry:componentImages.repository: 'acme/gitpod' does not start with a registry host",
        ),
        ({"dropImageRepo": "yes"}, r"gitpod-registry:componentImages.dropImageRepo: expected true or false"),
        (
            {**MIRROR, "token": "x"},
            r"gitpod-registry:componentImages.token: unknown field; allowed fields here: dropImageRepo, password, repository, username",
        ),
    ],
)
def test_bad_component_images_config_is_refused_without_showing_the_password(role, expected):
    message = run_invalid({WORKSPACE: HARBOR, COMPONENTS: role})
    assert re.search(expected, message), message
    assert "mirror-pa55" not in message and "1234" not in message
