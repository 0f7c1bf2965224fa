"""The installer-config YAML: block style, in the installer's key order, read back as the same data."""

from __future__ import annotations

import pytest
import yaml

from offline.engine import evaluate, example_stacks, revealed


@pytest.mark.parametrize("stack", example_stacks())
def test_the_yaml_output_is_the_installer_config_output(stack):
    outputs = revealed(evaluate(stack).outputs)
    text, config = outputs["installerConfigYaml"], outputs["installerConfig"]
    assert yaml.safe_load(text) == config
    # In the fragment's own key order (the installer's), not sorted: each top-level key on its own line, in turn.
    top_level = [line.split(":", 1)[0] for line in text.splitlines() if line[:1].isalpha()]
    assert top_level == list(config), stack
    # Merged into gitpod.config.yaml by hand: top-level keys first-level, no flow style to re-indent.
    assert "{" not in outputs["installerConfigYaml"]
