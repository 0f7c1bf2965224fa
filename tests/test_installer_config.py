"""The installer-config YAML: block style, in the installer's key order, read back as the same data."""

from __future__ import annotations

import pytest
import yaml

from components.installer_config import to_yaml
from offline.engine import evaluate, example_stacks, revealed


@pytest.mark.parametrize("stack", example_stacks())
def test_the_yaml_output_is_the_installer_config_output(stack):
    outputs = revealed(evaluate(stack).outputs)
    assert outputs["installerConfigYaml"] == to_yaml(outputs["installerConfig"])
    assert yaml.safe_load(outputs["installerConfigYaml"]) == outputs["installerConfig"]
    # Merged into gitpod.config.yaml by hand: top-level keys first-level, no flow style to re-indent.
    assert "{" not in outputs["installerConfigYaml"]
