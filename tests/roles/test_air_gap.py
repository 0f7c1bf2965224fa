"""Air-gap: one internal registry for component images, base images and workspace images."""

from __future__ import annotations

import re

import pytest

from components.kubernetes.dockerconfig import Password
from components.roles.air_gap import mirrored_image
from conftest import AWS, assert_never_plain, docker_config, login, run, run_invalid, secret_named
from offline.engine import evaluate, example_stacks

AIR_GAP = "gitpod-registry:airGap"
MIRROR = {"registry": "registry.internal.example.com/gitpod", "username": "gitpod-robot", "password": "m1rror-pass"}


def test_one_registry_serves_all_three_roles():
    evaluation = run("dev", {AIR_GAP: MIRROR})
    assert evaluation.outputs["installerConfig"] == {
        "repository": "registry.internal.example.com/gitpod",
        "imagePullSecrets": [{"kind": "secret", "name": "gitpod-registry-component-images"}],
        "workspace": {"workspaceImage": "registry.internal.example.com/gitpod/gitpod/workspace-full:latest"},
        "containerRegistry": {
            "inCluster": False,
            "external": {
                "url": "registry.internal.example.com/gitpod",
                "certificate": {"kind": "secret", "name": "gitpod-registry-workspace-images"},
            },
            "privateBaseImageAllowList": ["registry.internal.example.com"],
        },
    }
    expected = {"auths": {"registry.internal.example.com": login("gitpod-robot", "m1rror-pass")}}
    for name in ("gitpod-registry-component-images", "gitpod-registry-workspace-images"):
        assert docker_config(secret_named(evaluation, name)) == expected
    assert len(evaluation.of_type("kubernetes:core/v1:Secret")) == 2
    assert not [r for r in evaluation.resources if r.type.startswith(("aws:", "gcp:"))], "no cloud resources"
    assert_never_plain(evaluation, "m1rror-pass")


@pytest.mark.parametrize(
    ("image", "mirrored"),
    [
        ("gitpod/workspace-full:2024-01-01", "registry.internal.example.com/gitpod/gitpod/workspace-full:2024-01-01"),
        ("ubuntu:22.04", "registry.internal.example.com/gitpod/library/ubuntu:22.04"),
        ("quay.io/acme/dev:1", "registry.internal.example.com/gitpod/acme/dev:1"),
        ("registry.internal.example.com/base/dev:1", "registry.internal.example.com/base/dev:1"),
    ],
)
def test_workspace_image_is_rewritten_into_the_mirror_as_mirror_list_names_it(image, mirrored):
    evaluation = run("dev", {AIR_GAP: MIRROR, "gitpod-registry:baseImages": {"workspaceImage": image}})
    assert evaluation.outputs["installerConfig"]["workspace"]["workspaceImage"] == mirrored


def test_mirrored_image_follows_the_installers_mirror_list_layout():
    # mirror list drops the source host and keeps the path under the target repository.
    assert (
        mirrored_image("f", "docker.io/bitnami/mysql:5.7", "mirror.example.com")
        == "mirror.example.com/bitnami/mysql:5.7"
    )
    assert mirrored_image("f", "localhost:5000/a:1", "mirror.example.com/x") == "mirror.example.com/x/a:1"


def test_example_stack_plans_offline_with_a_placeholder_for_the_secret():
    evaluation = evaluate("airgap")
    assert evaluation.error is None, evaluation.error
    auths = docker_config(secret_named(evaluation, "gitpod-registry-workspace-images"))["auths"]
    assert (
        auths["registry.internal.example.com"]["password"] == "offline-placeholder-for-gitpod-registry.airGap.password"
    )


@pytest.mark.parametrize("stack", example_stacks())
def test_every_example_stack_plans(stack):
    assert evaluate(stack).error is None


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            {"gitpod-registry:workspaceImages": {"backend": "s3"}},
            r"gitpod-registry:workspaceImages: cannot be combined with gitpod-registry:airGap",
        ),
        (
            {"gitpod-registry:componentImages": {"repository": "mirror.example.com/x"}},
            r"gitpod-registry:componentImages: cannot be combined with gitpod-registry:airGap",
        ),
        (
            {
                "gitpod-registry:baseImages": {
                    "registries": [{"server": "quay.io", "username": "u", "password": "m1rror-pass"}]
                }
            },
            r"gitpod-registry:baseImages.registries: cannot be combined with gitpod-registry:airGap",
        ),
        (
            {AIR_GAP: {**MIRROR, "password": None}},
            r"gitpod-registry:airGap.password: required; set it with `pulumi config set --secret --path airGap.password",
        ),
        ({AIR_GAP: {**MIRROR, "username": None}}, r"gitpod-registry:airGap.username: required"),
        ({AIR_GAP: {**MIRROR, "registry": None}}, r"gitpod-registry:airGap.registry: required"),
        (
            {AIR_GAP: {**MIRROR, "registry": "https://registry.internal.example.com"}},
            r"gitpod-registry:airGap.registry: .* has a scheme",
        ),
        (
            {AIR_GAP: {**MIRROR, "registry": "123456789012.dkr.ecr.us-east-1.amazonaws.com"}},
            r"gitpod-registry:airGap.registry: .* is an ECR registry",
        ),
        (
            {AIR_GAP: {**MIRROR, "repository": "x"}},
            r"gitpod-registry:airGap.repository: unknown field; did you mean registry\? allowed fields here: password, registry, username",
        ),
        ({AIR_GAP: "registry.internal.example.com"}, r"gitpod-registry:airGap: expected an object"),
    ],
)
def test_bad_air_gap_config_is_refused_naming_its_key(override, expected):
    config = {AIR_GAP: MIRROR, **override}
    config[AIR_GAP] = (
        {k: v for k, v in config[AIR_GAP].items() if v is not None}
        if isinstance(config[AIR_GAP], dict)
        else config[AIR_GAP]
    )
    message = run_invalid(config)
    assert re.search(expected, message), message
    assert "m1rror-pass" not in message


def test_without_air_gap_or_workspace_images_the_error_offers_both():
    message = run_invalid({"aws:region": "eu-west-1"})
    assert "gitpod-registry:workspaceImages: required (unless airGap is set)" in message


def test_a_password_prints_masked():
    password = Password("m1rror-pass")
    assert "m1rror-pass" not in f"{password} {password!r} {[password]} {dict(p=password)}"
    assert password.reveal() == "m1rror-pass"


def test_air_gap_ignores_no_aws_setting():
    # airGap needs no cloud: an aws:region left over from another setup changes nothing.
    assert (
        run("dev", {AIR_GAP: MIRROR}).outputs == run("dev", {AIR_GAP: MIRROR, "aws:region": AWS["aws:region"]}).outputs
    )
