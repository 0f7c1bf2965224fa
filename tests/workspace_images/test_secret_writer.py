"""Each backend's declaration of who writes the push secret is what its program does, on every example stack."""

from __future__ import annotations

import json

import pytest

from components.push_secret import SecretWriter
from components.workspace_images import BACKENDS, air_gap_backend
from offline.engine import evaluate, shipped_stacks, stack_config


def _backend(stack: str):
    config = stack_config(stack)[0]
    if "gitpod-registry:airGap" in config:
        return air_gap_backend()
    return BACKENDS[json.loads(config["gitpod-registry:workspaceImages"])["backend"]]


@pytest.mark.parametrize("stack", shipped_stacks())
def test_the_declared_writer_is_who_writes_the_secret_gitpod_reads(stack):
    backend, evaluation = _backend(stack), evaluate(stack)
    assert evaluation.error is None, f"{stack}: {evaluation.error}"
    registry = evaluation.outputs["installerConfig"]["containerRegistry"]
    name = evaluation.outputs["workspaceImagesSecret"]
    writer = backend.secret_writer
    assert registry["inCluster"] == (writer is SecretWriter.INSTALLER), f"{stack}: {backend.name} declares {writer}"
    if writer is SecretWriter.INSTALLER:
        return
    assert registry["external"]["certificate"]["name"] == name, stack
    registered_as = writer.registered_as
    assert registered_as is not None, writer
    named = [r for r in evaluation.of_type(registered_as) if r.inputs["metadata"]["name"] == name]
    assert len(named) == 1, f"{stack}: {backend.name} declares {writer} but registers no {registered_as} {name}"


def test_only_a_secret_the_installer_generates_refuses_other_logins():
    """The composite's refusal and its hint follow the declaration (tests/roles hold the messages)."""
    assert {w for w in SecretWriter if not w.carries_other_logins} == {SecretWriter.INSTALLER}
    assert SecretWriter.INSTALLER.registered_as is None
    assert air_gap_backend().secret_writer.carries_other_logins, "the air gap's one login must reach the secret"
