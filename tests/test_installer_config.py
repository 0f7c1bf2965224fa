"""The installer-config YAML: the same text whichever PyYAML emitter a machine has."""

from __future__ import annotations

import pytest
import yaml

from components.installer_config import external_registry, installer_fragment, to_yaml
from offline.engine import evaluate, example_stacks, revealed

pytestmark = pytest.mark.skipif(not hasattr(yaml, "CSafeDumper"), reason="PyYAML built without libyaml")


def _fragments() -> list[dict]:
    stacks = [revealed(evaluate(stack).outputs["installerConfig"]) for stack in example_stacks()]
    many_hosts = installer_fragment(
        repository="registry.example.com:5000/gitpod/" + "deep/" * 20 + "build",
        workspace_image="registry.example.com/gitpod/workspace-full@sha256:" + "0" * 64,
        container_registry=external_registry(
            "push.example.com/gitpod", "gitpod-registry-push", [f"registry{i}.example.com" for i in range(300)]
        ),
        image_pull_secrets=["pull-a", "pull-b"],
        drop_image_repo=True,
    )
    return [*stacks, many_hosts]


@pytest.mark.parametrize("fragment", _fragments())
def test_libyaml_and_python_emitters_write_the_same_text(fragment):
    text = to_yaml(fragment)
    assert text == to_yaml(fragment, yaml.SafeDumper)
    assert yaml.safe_load(text) == fragment
