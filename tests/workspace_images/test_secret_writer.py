"""Each backend's declaration of who writes the push secret is what its program does, on every example stack."""

from __future__ import annotations

import pytest

from components.push_secret import SecretWriter
from components.stack_config import load
from components.workspace_images import BACKENDS, air_gap_backend
from offline.engine import evaluate, program_config, shipped_stacks


@pytest.mark.parametrize("stack", shipped_stacks())
def test_the_declared_writer_is_who_writes_the_secret_gitpod_reads(stack):
    checked, evaluation = load(program_config(stack)[0], stack), evaluate(stack)
    assert evaluation.error is None, f"{stack}: {evaluation.error}"
    registry = evaluation.outputs["installerConfig"]["containerRegistry"]
    name = evaluation.outputs["workspaceImagesSecret"]
    backend, writer = checked.backend, checked.secret_writer
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


MODES = {
    "artifact-registry": (
        {"gcp:project": "acme-gitpod", "gcp:region": "europe-west1"},
        ({}, {"gkeClusterName": "gitpod", "gkeClusterLocation": "europe-west1"}),
    )
}
"""Per backend whose writer depends on its mode: provider config, and the fields that choose each mode."""


def test_a_writer_that_depends_on_the_mode_carries_other_logins_as_the_declared_one_does():
    """The composite refuses a mirror login and base-image logins from `secret_writer` before the backend's own check
    has decided its mode; every writer a mode can choose must agree with it on that."""
    assert sorted(MODES) == sorted(n for n, b in BACKENDS.items() if b.writer_for is not None)
    for name, (provider, modes) in MODES.items():
        backend = BACKENDS[name]
        chosen = set()
        for fields in modes:
            config = {**provider, "gitpod-registry:workspaceImages": {"backend": name, **fields}}
            chosen.add(load(program_config("dev", config, use_stack_file=False)[0], "dev").secret_writer)
        assert len(chosen) == len(modes), f"{name}: its modes choose {chosen}"
        for writer in chosen:
            assert writer.carries_other_logins == backend.secret_writer.carries_other_logins, (name, writer)
