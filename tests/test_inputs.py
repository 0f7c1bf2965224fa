"""Input classes: hosts and references by the runtimes' grammar, logins, numbers, GCP identities, nulls,
unknown keys; every refusal names the key and never repeats a credential."""

from __future__ import annotations

import re

import pytest

from components import GitpodImageRegistries
from components.reference import ReferenceError, parse_name, parse_reference
from components.validation import InvalidInput, describe, may_hold_credential
from conftest import AWS, run, run_invalid

WS = "gitpod-registry:workspaceImages"
BASE = "gitpod-registry:baseImages"
HARBOR = {"backend": "external", "url": "harbor.example.com/gitpod", "username": "robot", "password": "push-t0ken"}
GCP = {"gcp:project": "acme-gitpod", "gcp:region": "europe-west1", WS: {"backend": "artifact-registry"}}
SECRET = "S3cr3tT0kenValue"


@pytest.mark.parametrize(
    "text",
    [
        "gitpod/workspace-full:latest",
        "ubuntu",
        "ubuntu:22.04",
        "localhost/a",
        "localhost:5000/a/b:1",
        "registry.example.com:5000/team/app@sha256:" + "a" * 64,
        "Registry.Example.COM/app",
        "[2001:db8::1]:5000/app",
        "a__b/c---d/e.f:Tag_1",
    ],
)
def test_references_runtimes_accept_are_accepted(text):
    parse_reference(text)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("registry..example.com/app", "empty DNS label"),
        ("registry.example.com./app", "empty DNS label"),
        (("a" * 64) + ".example.com/app", "DNS label longer than 63"),
        (".".join(["abcdefghij"] * 24) + ".com/app", "host name longer than 253"),
        ("registry.example.com:0/app", "port"),
        ("registry.example.com:65536/app", "port"),
        ("registry.example.com/../app", "invalid repository path"),
        ("registry.example.com/Team/app", "uppercase"),
        ("app:1:2", "invalid tag"),
        ("registry.example.com/app@sha256:abc", "invalid digest"),
        ("registry.example.com/app@md5:" + "a" * 32, "unsupported digest"),
        ("a" * 64, "64-digit image id"),
        ("https://registry.example.com/app", "scheme"),
        ("registry.example.com/app\n", "control character"),
        ("", "empty"),
    ],
)
def test_references_runtimes_refuse_are_refused(text, why):
    with pytest.raises(ReferenceError, match=why):
        parse_reference(text)


def test_a_dotless_first_component_is_a_docker_hub_path_not_a_host():
    assert parse_reference("localhost-evil/gitpod").key == "docker.io"
    assert parse_reference("localhost/gitpod").key == "localhost"
    with pytest.raises(ReferenceError, match="does not start with a registry host"):
        parse_name("localhost-evil/gitpod", host_required=True)
    with pytest.raises(ReferenceError, match="does not start with a registry host"):
        parse_name("harbor", host_required=True)


@pytest.mark.parametrize(
    "url",
    [
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com:443/gitpod",
        "public.ecr.aws:443/acme",
        "123456789012.dkr-ecr.eu-west-1.on.aws/gitpod",
        "123456789012.dkr-ecr-fips.us-east-1.on.aws/gitpod",
        "ecr-public.aws/acme",
        "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/x",
    ],
)
def test_every_ecr_endpoint_is_refused(url):
    assert "is an ECR registry" in run_invalid({WS: {**HARBOR, "url": url}})


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("username", "robot\n", "control character"),
        ("username", " robot", "whitespace"),
        ("username", "\t", "control character"),
        ("username", f"robot:{SECRET}", "contains ':'"),
        ("password", f"{SECRET}\n", "control character"),
        ("password", "   ", "only whitespace"),
        ("password", f"{SECRET}\x00", "control character"),
    ],
)
def test_logins_that_would_corrupt_the_dockerconfigjson_are_refused_unseen(field, value, expected):
    message = run_invalid({WS: {**HARBOR, field: value}})
    assert f"gitpod-registry:workspaceImages.{field}: " in message and expected in message, message
    assert SECRET not in message


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"cleanupOlderThanDays": 3_652_501}, r"cleanupOlderThanDays: expected a whole number from 1 to 3652500"),
        ({"cleanupOlderThanDays": 30, "cleanupKeepCount": 2**31}, r"cleanupKeepCount: expected a whole number from 1"),
        ({"keyGeneration": 10**12}, r"keyGeneration: expected a whole number from 1 to 2147483647"),
        ({"keyGeneration": 2.5}, r"keyGeneration: expected a whole number from 1 to 2147483647, got 2.5"),
        ({"keyGeneration": True}, r"keyGeneration: expected a whole number .*, got true"),
    ],
)
def test_numbers_the_providers_cannot_take_are_refused(override, expected):
    message = run_invalid({**GCP, WS: {"backend": "artifact-registry", **override}})
    assert re.search(expected, message), message


def test_the_largest_numbers_the_providers_take_are_accepted():
    evaluation = run("dev", {**GCP, WS: {"backend": "artifact-registry", "cleanupOlderThanDays": 3_652_500}})
    policies = evaluation.one("gcp:artifactregistry/repository:Repository").inputs["cleanupPolicies"]
    assert policies[0]["condition"]["olderThan"] == "315576000000s"


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            {
                WS: {
                    "backend": "artifact-registry",
                    "serviceAccount": "service-123456789012@gcp-sa-artifactregistry.iam.gserviceaccount.com",
                }
            },
            "is a Google-managed service agent",
        ),
        (
            {
                WS: {
                    "backend": "artifact-registry",
                    "serviceAccount": "service-123456789012@container-engine-robot.iam.gserviceaccount.com",
                }
            },
            "is a Google-managed service agent",
        ),
        ({"gcp:project": "my-google-project"}, "cannot contain 'google'"),
        ({"gcp:project": "acme-ssl-prod"}, "cannot contain 'ssl'"),
    ],
)
def test_gcp_identities_google_forbids_are_refused(override, expected):
    message = run_invalid({**GCP, **override})
    assert expected in message, message


def test_a_domain_scoped_service_account_is_accepted():
    account = "gitpod-storage@acme-gitpod.example.com.iam.gserviceaccount.com"
    run("dev", {**GCP, WS: {"backend": "artifact-registry", "serviceAccount": account}})


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            {"gitpod-registry:namespace": ""},
            "gitpod-registry:namespace: empty; give a value, or remove the key to use the default 'gitpod'",
        ),
        (
            {"gitpod-registry:clusterName": ""},
            "gitpod-registry:clusterName: empty; give a value, or remove the key to use the default (the stack name)",
        ),
        ({WS: ""}, "gitpod-registry:workspaceImages: empty"),
        (
            {WS: {"backend": "s3", "bucket": None}},
            "gitpod-registry:workspaceImages.bucket: empty; give a value, or remove the key to leave it unset",
        ),
        (
            {WS: {"backend": "s3", "region": None}},
            "gitpod-registry:workspaceImages.region: empty; give a value, or remove the key to use aws:region",
        ),
        ({WS: {"backend": None}}, "gitpod-registry:workspaceImages.backend: empty, and it is required"),
        ({BASE: {"registries": [None]}}, "gitpod-registry:baseImages.registries[0]: empty"),
    ],
)
def test_null_and_empty_are_refused_naming_the_key_and_the_default(override, expected):
    message = run_invalid({**AWS, **override})
    assert expected in message, message


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("gitpod-registry:componentImage", "did you mean componentImages?"),
        ("gitpod-registry:clustername", "did you mean clusterName?"),
        ("gitpod-registry:cluster_name", "did you mean clusterName?"),
    ],
)
def test_a_misspelt_top_level_key_is_refused_with_the_nearest_one(key, expected):
    message = run_invalid({**AWS, key: "x"})
    assert f"{key}: unknown field; {expected}" in message, message


@pytest.mark.parametrize(
    ("override", "secret"),
    [
        ({WS: {**HARBOR, "url": f"https://robot:{SECRET}@harbor.example.com/gitpod"}}, SECRET),
        ({WS: {**HARBOR, "url": f"robot:{SECRET}@harbor.example.com/gitpod"}}, SECRET),
        ({WS: {**HARBOR, "url": f"{SECRET}@harbor.example.com"}}, SECRET),
        ({WS: {**HARBOR, "username": f"robot:{SECRET}"}}, SECRET),
        ({WS: {**HARBOR, "url": f"robot:{SECRET}"}}, SECRET),
        (
            {WS: HARBOR, BASE: {"registries": [{"server": f"u:{SECRET}@quay.io", "username": "u", "password": "p"}]}},
            SECRET,
        ),
        ({WS: HARBOR, BASE: {"workspaceImage": f"u:{SECRET}@quay.io/x"}}, SECRET),
        ({"gitpod-registry:componentImages": {"repository": f"https://u:{SECRET}@mirror.example.com"}}, SECRET),
        ({"gitpod-registry:airGap": f"{SECRET}"}, SECRET),
    ],
)
def test_a_credential_typed_into_the_wrong_field_is_never_repeated(override, secret):
    message = run_invalid({**AWS, **override} if WS not in override else override)
    assert secret not in message, message


def test_components_called_directly_never_echo_a_password_given_in_the_wrong_shape():
    bad_shapes = [
        {"cluster_name": "dev", "air_gap": ["registry.example.com", "robot", SECRET]},
        {"cluster_name": "dev", "air_gap": {"registry": "r.example.com", "username": "u", "password": [SECRET]}},
        {
            "cluster_name": "dev",
            "workspace_images": {"backend": "external", "url": SECRET, "username": "u", "password": "p"},
        },
        {"cluster_name": "dev", "workspace_images": [SECRET]},
        {"cluster_name": SECRET, "workspace_images": {"backend": "s3"}},
    ]
    for args in bad_shapes:
        with pytest.raises(InvalidInput) as caught:
            GitpodImageRegistries("gitpod", args)
        assert SECRET not in str(caught.value), caught.value


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("Europe West", True),
        ("registry.example.com:5000/team", True),
        ("gitpod/workspace-full:latest", True),
        ("https://quay.io", True),
        ("user:token", False),
        ("https://u:p@host", False),
        ("token@host", False),
        ("ghp_" + "aB3" * 10, False),
        ("line\nbreak", False),
        ("x" * 101, False),
        ("é", False),
    ],
)
def test_the_one_echo_rule(value, shown):
    assert may_hold_credential(value) is not shown
    assert (value in describe(value)) is shown


PROVIDER_SCRIPT = """
import asyncio, json, sys
import pulumi
from pulumi.errors import InputPropertiesError, InputPropertyError
from components.package import provider
from offline.mocks import RegistryMocks

asyncio.set_event_loop(asyncio.new_event_loop())
pulumi.runtime.set_mocks(RegistryMocks(), preview=False)
try:
    provider().construct("x", "gitpod-registry:index:ExternalWorkspaceImages", json.loads(sys.argv[1]))
except InputPropertyError as error:
    print(json.dumps({"path": error.property_path, "reason": error.reason}))
except InputPropertiesError as error:  # the value may hold a credential: the path is in the message
    path, _, reason = error.message.partition(": ")
    print(json.dumps({"path": path, "reason": reason, "details": error.errors}))
"""


def test_the_component_package_reports_a_refused_input_against_its_property():
    # In a process of its own: the SDK's provider settings are global and would outlive the test.
    import json
    import subprocess
    import sys

    from offline.engine import PROJECT_DIR

    inputs = {"namespace": "gitpod", "url": f"https://u:{SECRET}@h.example.com", "username": "u", "password": "p"}
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", PROVIDER_SCRIPT, json.dumps(inputs)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    error = json.loads(result.stdout or "null")
    assert error is not None, result.stderr[-2000:]
    assert error["path"] == "url" and "has a scheme" in error["reason"]
    # The engine prints the value at a property error's path, so this URL, which may hold a login,
    # comes back as a message naming the path, with no per-property error (tests/wire shows the engine's text).
    assert error.get("details") == [], error
    assert SECRET not in result.stdout + result.stderr
