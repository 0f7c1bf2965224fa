"""The stack-file reader against yaml.v3 itself, the Pulumi CLI's YAML parser.

tests/yamlv3/main.go decodes a stack file with Debian's golang-gopkg-yaml.v3-dev (gopkg.in/yaml.v3, as
pulumi/pulumi's sdk/go/common/encoding uses it) and prints its config as JSON, or its error. Every
generated stack file (stack_file_strategies) must be refused by both or read by both as the same values.
Without Go the module skips locally and fails under CI=true (.ci/run installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from required_tools import missing
from stack_file_strategies import one_merge_files, stack_files, two_merge_files

from offline.stack_file import StackFileError, go_json, stack_values

pytestmark = pytest.mark.heavy(4)

READER = Path(__file__).resolve().parent.parent / "yamlv3"
GOPATH = Path("/usr/share/gocode")
INSTALL = "apt-get install golang-go golang-gopkg-yaml.v3-dev"


@pytest.fixture(scope="module")
def yamlv3(tmp_path_factory) -> Path:
    """The Go reader, built once, offline, in GOPATH mode."""
    go = shutil.which("go")
    if go is None:
        missing(f"go is not installed ({INSTALL})")
    if not (GOPATH / "src/gopkg.in/yaml.v3/decode.go").exists():
        missing(f"yaml.v3's source is not installed ({INSTALL})")
    out = tmp_path_factory.mktemp("yamlv3")
    environment = {**os.environ, "GO111MODULE": "off", "GOPATH": str(GOPATH), "GOCACHE": str(out / "cache")}
    subprocess.run(
        [go, "build", "-o", str(out / "yamlv3"), "."], cwd=READER, env=environment, check=True, capture_output=True
    )
    return out / "yamlv3"


def _go(binary: Path, path: Path) -> dict:
    """yaml.v3's reading; keys without a namespace get the project's, as Pulumi's loader names them."""
    result = json.loads(subprocess.run([binary, path], capture_output=True, text=True, check=True, timeout=30).stdout)
    config = json.loads(result.get("config", "null"))
    if isinstance(config, dict) and any(":" not in key for key in config):  # else Go's own text, untouched
        result["config"] = go_json({key if ":" in key else f"p:{key}": value for key, value in config.items()})
    return result


def _python(path: Path) -> dict:
    try:
        return {"config": go_json(stack_values(path, "p") or None)}
    except StackFileError as error:
        return {"error": str(error)}


def _same(go: dict, python: dict, text: str) -> None:
    assert ("error" in go) == ("error" in python), f"yaml.v3: {go}\nhere: {python}\nfile:\n{text}"
    if "config" in go:
        assert go["config"] == python["config"], f"yaml.v3: {go}\nhere: {python}\nfile:\n{text}"


FEW = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
GENERATED = {
    "mixed": stack_files,  # merge keys, duplicate keys, tags and scalars together
    "two-merges": two_merge_files,  # test_stack_file.py's: refused
    "one-merge": one_merge_files.map(lambda case: case[0]),  # test_stack_file.py's: merged
}


@pytest.mark.parametrize("kind", sorted(GENERATED))
def test_generated_stack_files_are_read_as_yamlv3_reads_them(yamlv3, tmp_path, kind):
    path = tmp_path / "Pulumi.t.yaml"

    @FEW
    @given(text=GENERATED[kind])
    @example(text="config:\n  p:base: &base\n    a: 1\n  p:k0:\n    <<: *base\n    <<: *base\n")
    @example(text="config:\n  p:base: &base\n    a: 1\n  p:k0:\n    !!merge <<: *base\n    b: 2\n")
    @example(text="config:\n  p:k0:\n    a: 1\n    'a': 2\n")
    def compare(text: str) -> None:
        path.write_text(text, encoding="utf-8")
        _same(_go(yamlv3, path), _python(path), text)

    compare()


@pytest.mark.parametrize(
    "name", sorted(p.name for p in Path(__file__).resolve().parents[2].glob("Pulumi.*.yaml") if p.name != "Pulumi.yaml")
)
def test_the_example_stacks_are_read_as_yamlv3_reads_them(yamlv3, name):
    path = Path(__file__).resolve().parents[2] / name
    go, python = _go(yamlv3, path), _python(path)
    assert "error" not in go and "error" not in python, (go, python)
    # The example stacks use the project's own keys, NAMESPACE:name, which the reader keeps as given.
    assert go["config"] == python["config"]
