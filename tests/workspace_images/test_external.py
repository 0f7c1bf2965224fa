"""Role 3, bring your own registry: backend external (Harbor, Quay, GitLab, ACR, distribution)."""

from __future__ import annotations

import re

import pytest

from conftest import assert_never_plain, docker_config, login, run, run_invalid, secret_named

WORKSPACE = "gitpod-registry:workspaceImages"
HARBOR = {
    "backend": "external",
    "url": "harbor.example.com/gitpod",
    "username": "robot$push",
    "password": "harbor-t0ken",
}


def test_push_secret_and_installer_config_for_an_external_registry():
    evaluation = run("dev", {WORKSPACE: HARBOR})
    secret = secret_named(evaluation, "gitpod-registry-workspace-images")
    assert secret.inputs["metadata"]["namespace"] == "gitpod"
    assert secret.parent == evaluation.one("gitpod-registry:index:ExternalWorkspaceImages").urn
    assert docker_config(secret) == {"auths": {"harbor.example.com": login("robot$push", "harbor-t0ken")}}
    assert evaluation.outputs["installerConfig"]["containerRegistry"] == {
        "inCluster": False,
        "external": {
            "url": "harbor.example.com/gitpod",
            "certificate": {"kind": "secret", "name": "gitpod-registry-workspace-images"},
        },
    }
    assert evaluation.outputs["workspaceImagesSecret"] == "gitpod-registry-workspace-images"
    assert not [r for r in evaluation.resources if r.type.startswith("aws:")], "no cloud resources for external"
    assert_never_plain(evaluation, "harbor-t0ken")


@pytest.mark.parametrize(
    ("url", "expected_url", "host"),
    [
        (
            "registry.example.com:5000/team/gitpod/",
            "registry.example.com:5000/team/gitpod",
            "registry.example.com:5000",
        ),
        ("myacr.azurecr.io", "myacr.azurecr.io", "myacr.azurecr.io"),
        ("index.docker.io/acme", "docker.io/acme", "docker.io"),
    ],
)
def test_url_keeps_its_path_while_the_secret_is_keyed_by_the_bare_host(url, expected_url, host):
    evaluation = run("dev", {WORKSPACE: {**HARBOR, "url": url}})
    assert evaluation.outputs["installerConfig"]["containerRegistry"]["external"]["url"] == expected_url
    assert list(docker_config(secret_named(evaluation, "gitpod-registry-workspace-images"))["auths"]) == [host]


def test_same_config_gives_identical_inputs_every_run():
    first, second = run("dev", {WORKSPACE: HARBOR}), run("dev", {WORKSPACE: HARBOR})
    # Registration order follows asyncio scheduling; the inputs of each resource must not vary.
    # (Secret compares by value, so the secret's document must be identical too.)
    assert [(r.urn, r.inputs) for r in sorted(first.resources, key=lambda r: r.urn)] == [
        (r.urn, r.inputs) for r in sorted(second.resources, key=lambda r: r.urn)
    ]
    assert first.outputs == second.outputs


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            {"url": "https://harbor.example.com/gitpod"},
            r"workspaceImages.url: 'https://harbor.example.com/gitpod' has a scheme; give it without one",
        ),
        ({"url": None}, r"workspaceImages.url: required"),
        (
            {"password": None},
            r"workspaceImages.password: required; set it with `pulumi config set --secret --path workspaceImages.password",
        ),
        ({"username": None}, r"workspaceImages.username: required"),
        (
            {"url": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/gitpod"},
            r"workspaceImages.url: .* is an ECR registry, and a stored login to ECR cannot serve Gitpod: ECR logins are "
            r"tokens that expire after 12 hours.* use workspaceImages.backend: ecr, whose login External Secrets "
            r"Operator renews",
        ),
        ({"url": "public.ecr.aws/acme"}, r"workspaceImages.url: .* is an ECR registry"),
        (
            {"url": "harbor.example.com/Gitpod"},
            r"workspaceImages.url: 'harbor.example.com/Gitpod' has uppercase letters in its repository path",
        ),
        ({"url": "harbor"}, r"workspaceImages.url: 'harbor' does not start with a registry host"),
        (
            {"keyGeneration": 2},
            r"workspaceImages.keyGeneration: unknown field; allowed fields here: backend, password, url, username",
        ),
    ],
)
def test_bad_external_config_is_refused_naming_its_key(override, expected):
    workspace = {k: v for k, v in {**HARBOR, **override}.items() if v is not None}
    message = run_invalid({WORKSPACE: workspace})
    assert re.search("gitpod-registry:" + expected, message), message
    assert "harbor-t0ken" not in message
