"""What the program registers and outputs, against upstream and installer schemas.

Kubernetes objects: the upstream OpenAPI schemas (kubernetes-validate, strict) for the oldest version
it ships, the last ones Gitpod's self-hosted installer supported, and a current one; plus what a schema
cannot say (the keys each secret type and each installer reference need). The installerConfig output:
a JSON Schema of the installer's config structures, unknown fields rejected.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from eso_schema import SCHEMAS as ESO_SCHEMAS
from required_tools import require_module

from conftest import AWS, run
from gitpod_runtime import controller_documents
from offline.engine import Evaluation, evaluate, example_stacks, revealed

from .scenarios import PROGRAM_SCENARIOS

SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "installer-config.schema.json"
# kubernetes-validate ships 1.25 and later; Gitpod's last self-hosted releases ran on 1.2x clusters.
KUBERNETES_VERSIONS = ("1.25.0", "1.26.0", "latest")
# Keys the installer requires in the secrets its config references (contract reference).
REQUIRED_KEYS = {"kubernetes.io/dockerconfigjson": {".dockerconfigjson"}}
S3_KEYS = {"s3AccessKey", "s3SecretKey"}
HELM = "kubernetes:helm.sh/"


def scenarios() -> dict[str, Evaluation]:
    """Every example stack, and AWS variants that register different objects."""
    found = {f"stack-{stack}": evaluate(stack) for stack in example_stacks()}
    found["aws-rotation"] = run(
        "dev",
        {**AWS, "gitpod-registry:workspaceImages": {"backend": "s3", "keyGeneration": 2, "keepPreviousKey": True}},
    )
    found["aws-existing-bucket"] = run(
        "dev", {**AWS, "gitpod-registry:workspaceImages": {"backend": "s3", "bucket": "acme-gitpod"}}
    )
    for scenario in PROGRAM_SCENARIOS:
        if scenario.runtime.stack is None:
            found[scenario.id] = scenario.evaluate()
    for name, evaluation in found.items():
        assert evaluation.error is None, f"{name}: {evaluation.error}"
    return found


SCENARIOS = scenarios()


@pytest.fixture(autouse=True, scope="module")
def schema_files_read_once() -> Iterator[None]:
    """kubernetes-validate reads and parses its schema files (a 3 MB `_definitions.json` among them) at every
    call; here the same few files serve about a hundred calls, so each is read once."""
    try:
        from kubernetes_validate import utils
    except ImportError:  # the tests that need it say so (require_module)
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(utils, "schema_contents", functools.cache(utils.schema_contents))
        yield


def manifests(evaluation: Evaluation) -> list[dict]:
    """The Kubernetes objects the program registers, as the manifests the provider would send. A Helm release
    (`kubernetes:helm.sh/v3:Release`) is the provider's own resource, sent to no API server: its chart's
    values are checked in tests/kubernetes/test_external_secrets_operator.py."""
    found = []
    for resource in evaluation.resources:
        if not resource.type.startswith("kubernetes:") or not resource.custom or resource.type.startswith(HELM):
            continue
        group_version, kind = resource.type.split(":")[1:]
        group, version = group_version.split("/")
        api_version = version if group == "core" else f"{group}/{version}"
        found.append({"apiVersion": api_version, "kind": kind, **revealed(resource.inputs)})
    return found


def test_only_the_volume_backed_in_cluster_registry_registers_no_kubernetes_object():
    # backend in-cluster: the installer generates the one secret its registry needs.
    empty = {name for name, evaluation in SCENARIOS.items() if not manifests(evaluation)}
    assert all(SCENARIOS[name].outputs["installerConfig"]["containerRegistry"] == {"inCluster": True} for name in empty)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("scenario", sorted(name for name, e in SCENARIOS.items() if manifests(e)))
def test_every_kubernetes_object_validates_against_the_upstream_schema(scenario, version):
    require_module("kubernetes_validate", "kubernetes-validate")
    import jsonschema
    import kubernetes_validate

    objects = manifests(SCENARIOS[scenario])
    target = kubernetes_validate.latest_version() if version == "latest" else version
    for manifest in objects:
        custom = ESO_SCHEMAS.get((manifest["apiVersion"], manifest["kind"]))
        if custom is not None:  # kubernetes-validate knows only Kubernetes' own kinds; ESO's serve their own
            jsonschema.validate(manifest, custom)
        else:
            kubernetes_validate.validate(manifest, target, strict=True)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_secrets_carry_the_keys_their_type_and_the_installer_need(scenario):
    evaluation = SCENARIOS[scenario]
    secrets = {m["metadata"]["name"]: m for m in manifests(evaluation) if m["kind"] == "Secret"}
    # A secret External Secrets Operator writes, as it would write it from the program's ExternalSecret.
    for name, document in controller_documents(evaluation).items():
        assert name not in secrets, f"{scenario}: {name} is written by the program and by a controller"
        secrets[name] = {
            "type": "kubernetes.io/dockerconfigjson",
            "stringData": {".dockerconfigjson": json.dumps(document)},
        }
    for name, secret in secrets.items():
        keys = set(secret.get("stringData", {})) | set(secret.get("data", {}))
        assert REQUIRED_KEYS.get(secret.get("type", "Opaque"), set()) <= keys, name
        if secret.get("type") == "kubernetes.io/dockerconfigjson":
            assert "auths" in json.loads(secret["stringData"][".dockerconfigjson"]), name
    config = evaluation.outputs["installerConfig"]
    registry = config["containerRegistry"]
    references = [
        (ref["name"], "kubernetes.io/dockerconfigjson", {".dockerconfigjson"})
        for ref in config.get("imagePullSecrets", [])
    ]
    if "external" in registry:
        references.append(
            (registry["external"]["certificate"]["name"], "kubernetes.io/dockerconfigjson", {".dockerconfigjson"})
        )
    if "s3storage" in registry:
        references.append((registry["s3storage"]["certificate"]["name"], "Opaque", S3_KEYS))
    for name, secret_type, keys in references:
        assert name in secrets, f"{scenario}: the installer config references secret {name}, which is not created"
        assert secrets[name].get("type", "Opaque") == secret_type, name
        assert set(secrets[name].get("stringData", {})) == keys, name


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_installer_config_validates_and_its_yaml_is_the_same_object(scenario):
    require_module("jsonschema", "jsonschema")
    import jsonschema

    outputs = SCENARIOS[scenario].outputs
    jsonschema.validate(outputs["installerConfig"], json.loads(SCHEMA.read_text()))
    assert yaml.safe_load(outputs["installerConfigYaml"]) == outputs["installerConfig"]


@pytest.mark.parametrize(
    "mistake",
    [
        {"containerRegistry": {"inCluster": True, "s3Storage": {}}},
        {"containerRegistry": {"inCluster": False}},
        {"imagePullSecrets": [{"kind": "Secret", "name": "x"}]},
        {"workspace": {"image": "gitpod/workspace-full"}},
        {"registry": "x"},
        {"dropImageRepo": True},
        {"customCACert": {"kind": "configmap", "name": "x"}},
        {
            "containerRegistry": {
                "inCluster": True,
                "s3storage": {
                    "bucket": "b",
                    "region": "r",
                    "endpoint": "https://minio:9000",
                    "certificate": {"kind": "secret", "name": "s"},
                },
            }
        },
    ],
)
def test_the_schema_rejects_what_the_installer_would(mistake):
    require_module("jsonschema", "jsonschema")
    import jsonschema

    config = {**SCENARIOS["aws-existing-bucket"].outputs["installerConfig"], **mistake}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(config, json.loads(SCHEMA.read_text()))
