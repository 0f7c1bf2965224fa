"""Proof that every image Gitpod's runtime pulls meets the login its configuration meant, in the secret its reader reads.

For each scenario the program's installer fragment is expanded into the pulls the installer would render
(tests/gitpod_runtime.py cites the Gitpod code for each reader), and each pull is followed to the secret
its reader uses: component images through the kubelet and registry-facade, blobserve, ide-service; base
images through image-builder; workspace images through registry-facade, from which the kubelet pulls.
"""

from __future__ import annotations

import copy
import json

import pytest

from components.workspace_images import BACKENDS
from gitpod_runtime import (
    BUILTIN_REGISTRY_AUTH,
    CLOUD_MINTED_LOGINS,
    INSTALLER,
    RUNTIME_SCENARIOS,
    dockerconfig_documents,
    intended_logins,
    login_in,
    problems,
    runtime_pulls,
)
from offline.engine import Secret

SCENARIOS = {scenario.id: scenario for scenario in RUNTIME_SCENARIOS}


@pytest.fixture(scope="module", params=sorted(SCENARIOS))
def case(request):
    scenario = SCENARIOS[request.param]
    evaluation = scenario.evaluate()
    return scenario, evaluation, intended_logins(scenario.full_config(), evaluation)


def test_each_login_a_cloud_mints_is_modelled():
    """The model reads a login from the config when the installer makes it or the backend is given it; any other
    backend's login is minted by its cloud, whose model the runtime model needs (and only those have one)."""
    minted = {
        name
        for name, backend in BACKENDS.items()
        if backend.secret_writer.carries_other_logins and backend.from_login is None
    }
    assert set(CLOUD_MINTED_LOGINS) == minted


def test_every_pull_meets_the_intended_login_in_the_secret_its_reader_reads(case):
    scenario, evaluation, intended = case
    assert problems(evaluation, intended, scenario.user_base_images) == [], scenario.id


def test_every_login_the_config_gives_is_read_by_some_reader(case):
    scenario, evaluation, intended = case
    pulls = runtime_pulls(evaluation.outputs["installerConfig"], scenario.user_base_images)
    unread = sorted(host for host in intended if not [p for p in pulls if p.host == host and p.secrets])
    assert unread == [], f"{scenario.id}: no reader uses the login for {unread}"


def test_every_login_the_program_writes_is_one_a_reader_needs(case):
    scenario, evaluation, intended = case
    pulls = runtime_pulls(evaluation.outputs["installerConfig"], scenario.user_base_images)
    read = {(secret, p.host) for p in pulls for secret in p.secrets if intended.get(p.host) not in (None, INSTALLER)}
    documents = dockerconfig_documents(evaluation)
    written = {(secret, host) for secret, document in documents.items() for host in document["auths"]}
    assert written <= read, f"{scenario.id}: logins no reader uses: {sorted(written - read)}"
    for secret, host in written:
        assert login_in(documents[secret], host) == intended[host], (scenario.id, secret, host)


def test_in_cluster_registries_rely_on_the_installers_secret_alone():
    for scenario in RUNTIME_SCENARIOS:
        config = scenario.evaluate().outputs["installerConfig"]
        if config["containerRegistry"]["inCluster"]:
            readers = {p.reader for p in runtime_pulls(config) if BUILTIN_REGISTRY_AUTH in p.secrets}
            assert readers == {"registry-facade", "blobserve", "ide-service", "image-builder-mk3"}, scenario.id


def _without(evaluation, secret_name: str, host: str):
    """The same evaluation with one login taken out of one secret: what the program did before it was fixed."""
    broken = copy.deepcopy(evaluation)
    for resource in broken.resources:
        if resource.inputs.get("metadata", {}).get("name") == secret_name:
            document = json.loads(resource.inputs["stringData"].value[".dockerconfigjson"])
            del document["auths"][host]
            resource.inputs["stringData"] = Secret({".dockerconfigjson": json.dumps(document)})
    return broken


def test_the_proof_catches_a_mirror_login_only_in_image_pull_secrets():
    scenario = SCENARIOS["external-with-mirror-and-base-images"]
    evaluation = scenario.evaluate()
    intended = intended_logins(scenario.full_config(), evaluation)
    broken = _without(evaluation, "gitpod-registry-workspace-images", "mirror.example.com:5000")
    found = problems(broken, intended, scenario.user_base_images)
    readers = {line.split(" ", 1)[0] for line in found}
    assert readers == {"registry-facade", "blobserve", "ide-service", "image-builder-mk3"}, found
    assert any("mirror.example.com:5000/gitpod/supervisor" in line for line in found), found


def test_the_proof_catches_a_base_image_login_that_is_not_allow_listed():
    scenario = SCENARIOS["external-with-mirror-and-base-images"]
    evaluation = scenario.evaluate()
    intended = intended_logins(scenario.full_config(), evaluation)
    broken = copy.deepcopy(evaluation)
    broken.outputs["installerConfig"]["containerRegistry"]["privateBaseImageAllowList"] = ["docker.io"]
    found = problems(broken, intended, scenario.user_base_images)
    assert found == [
        "image-builder-mk3 pulls mirror.example.com:5000/gitpod/gitpod/workspace-full:latest with no secret",
        "image-builder-mk3 pulls quay.io/acme/python:3.12 with no secret",
    ]
