"""Role 1, component images: Gitpod's public registry, or a company mirror behind credentials."""

from __future__ import annotations

import re

import pytest

from conftest import AWS, assert_never_plain, docker_config, login, run, run_invalid, secret_named

COMPONENTS = "gitpod-registry:componentImages"
MIRROR = {"repository": "mirror.example.com/gitpod", "username": "robot$gitpod", "password": "mirror-pa55:word"}


def test_default_is_gitpods_public_registry_without_pull_secret():
    evaluation = run("dev", AWS)
    config = evaluation.outputs["installerConfig"]
    assert config["repository"] == "eu.gcr.io/gitpod-core-dev/build"
    assert "imagePullSecrets" not in config and "dropImageRepo" not in config
    component = evaluation.one("gitpod-registry:index:ComponentImages")
    assert not [r for r in evaluation.resources if r.parent == component.urn], component.urn


def test_private_mirror_gets_a_pull_secret_keyed_by_its_bare_host():
    evaluation = run("dev", {**AWS, COMPONENTS: MIRROR})
    secret = secret_named(evaluation, "gitpod-registry-component-images")
    assert secret.inputs["metadata"]["namespace"] == "gitpod"
    assert secret.parent == evaluation.one("gitpod-registry:index:ComponentImages").urn
    assert docker_config(secret) == {"auths": {"mirror.example.com": login("robot$gitpod", "mirror-pa55:word")}}
    config = evaluation.outputs["installerConfig"]
    assert config["repository"] == "mirror.example.com/gitpod"
    assert config["imagePullSecrets"] == [{"kind": "secret", "name": "gitpod-registry-component-images"}]
    assert "dropImageRepo" not in config
    assert_never_plain(evaluation, "mirror-pa55:word")


def test_the_pull_secret_does_not_disturb_the_workspace_image_backend():
    evaluation = run("dev", {**AWS, COMPONENTS: MIRROR})
    s3_secret = secret_named(evaluation, "gitpod-registry-s3-backend")
    assert s3_secret.inputs["type"] == "Opaque"
    assert evaluation.outputs["installerConfig"]["containerRegistry"]["inCluster"] is True


@pytest.mark.parametrize(
    ("repository", "host"),
    [
        ("docker.io/acme", "docker.io"),
        ("index.docker.io/acme", "docker.io"),
        ("registry.example.com:5000/a/b", "registry.example.com:5000"),
    ],
)
def test_pull_secret_key_is_the_host_gitpods_resolver_looks_up(repository, host):
    evaluation = run("dev", {**AWS, COMPONENTS: {**MIRROR, "repository": repository}})
    assert list(docker_config(secret_named(evaluation, "gitpod-registry-component-images"))["auths"]) == [host]


def test_drop_image_repo_for_flat_mirrors():
    evaluation = run("dev", {**AWS, COMPONENTS: {"repository": "docker.io/acme", "dropImageRepo": True}})
    config = evaluation.outputs["installerConfig"]
    assert config["dropImageRepo"] is True and config["repository"] == "docker.io/acme"


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
            r"gitpod-registry:componentImages.password: required; set it with `pulumi config set --secret --path componentImages.password",
        ),
        (
            {**MIRROR, "password": 1234},
            r"gitpod-registry:componentImages.password: expected a string, got a number \(value not shown\)",
        ),
        ({**MIRROR, "username": "ro:bot"}, r"gitpod-registry:componentImages.username: 'ro:bot' contains ':'"),
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
    message = run_invalid({**AWS, COMPONENTS: role})
    assert re.search(expected, message), message
    assert "mirror-pa55" not in message and "1234" not in message
