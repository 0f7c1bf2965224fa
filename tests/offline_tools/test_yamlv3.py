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

pytestmark = pytest.mark.heavy(3)

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


def _go_many(binary: Path, paths: list[Path]) -> list[dict]:
    """yaml.v3's reading of many files in one process (main.go prints a line per file), as `_go` reads one."""
    lines = subprocess.run([binary, *paths], capture_output=True, text=True, check=True, timeout=60).stdout
    results = [json.loads(line) for line in lines.rstrip("\n").split("\n")]  # not splitlines: U+0085 is no break here
    assert len(results) == len(paths)
    for result in results:
        config = json.loads(result.get("config", "null"))
        if isinstance(config, dict) and any(":" not in key for key in config):
            result["config"] = go_json({key if ":" in key else f"p:{key}": value for key, value in config.items()})
    return results


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


def _issue_34_files() -> dict[str, list[str]]:
    """Each class of stack file issue 34 found read differently from yaml.v3, with its neighbours."""
    tabs = []
    for blank in ("\t", " \t", "\t ", "\t\t"):
        tabs += [
            f"config:\n  p:a:{blank}v\n",  # after `:`
            f"config:\n  p:a: v{blank}\n",  # at the end of a line
            f"config:\n  p:a: v{blank}# note\n",  # before a comment
            f"config:\n  p:a: {{b:{blank}v,{blank}c: w{blank}}}\n",  # inside a flow mapping
            f"config:\n  p:a: [1,{blank}2{blank}]\n",  # inside a flow sequence
            f"config:\n  p:a:{blank}# note\n    b: 1\n",  # before a comment that ends a key line
            f"config:\n{blank}p:a: v\n",  # as indentation: refused by both
            f"config:\n  p:a:\n  -{blank}1\n",  # after a block entry
            f"config:\n  p:a: 'x'{blank}\n  p:b: \"y\"{blank}# c\n",  # after quoted scalars
        ]
    # Not \b or \f: Go before 1.22 (Debian's, which builds main.go) writes them as \u0008 and \u000c, the CLI's
    # as \b and \f, as this reader does.
    escapes = [
        f'config:\n  p:a: "x\\{escape}y"\n'
        for escape in [
            "'",
            "/",
            '"',
            "\\\\",
            "t",
            "n",
            "0",
            "a",
            "e",
            "N",
            "_",
            "L",
            "P",
            " ",
            "x41",
            "u00e9",
            "U0001F600",
            "q",
            "%",
        ]
    ]
    escapes += ["config:\n  p:a: 'it''s'\n", 'config:\n  p:a: "a\\/b\\\'c"\n']
    anchors = [
        "config:\n  p:a: &x 1\n  p:b: &x 2\n  p:c: *x\n",
        "config:\n  p:a: &x {k: 1}\n  p:b: *x\n  p:c: &x [2]\n  p:d: *x\n",
        "config:\n  p:a: &x 1\n  p:b: &x\n    k: *x\n",
        "config:\n  p:a: *x\n  p:b: &x 1\n",  # an alias before its anchor: refused by both
    ]
    directives = [f"%YAML {version}\n---\nconfig:\n  p:a: v\n" for version in ("1.0", "1.1", "1.2", "1.3", "2.0")]
    directives += ["%TAG !e! tag:example.com,2000:\n---\nconfig:\n  p:a: v\n"]
    fields = [
        f"{key}: {value}\nconfig:\n  p:a: v\n"
        for key in ("secretsprovider", "encryptedkey", "encryptionsalt", "SecretsProvider")
        for value in ("passphrase", "7", "true", "null", "{a: b}", "[a]", "\n  url: x")
    ]
    numbers = [
        f"config:\n  p:a: {sign}{'7' * n}\n  p:b: {{k: {sign}{'7' * n}}}\n"
        for sign in ("", "-")
        for n in (20, 21, 309, 5000)
    ]
    separators = ['config:\n  p:a: "x\\u2028y\\u2029z"\n']
    return {
        "tabs": tabs,
        "escapes": escapes,
        "anchors": anchors,
        "directives": directives,
        "fields": fields,
        "numbers": numbers,
        "separators": separators,
    }


def test_the_classes_issue_34_found_are_read_as_yamlv3_reads_them(yamlv3, tmp_path):
    classes = _issue_34_files()
    texts = [text for kind in sorted(classes) for text in classes[kind]]
    paths = []
    for i, text in enumerate(texts):
        paths.append(tmp_path / f"Pulumi.c{i}.yaml")
        paths[-1].write_text(text, encoding="utf-8")
    # Both outcomes occur in every class, so a reader that refused (or took) everything would fail here.
    for go, path, text in zip(_go_many(yamlv3, paths), paths, texts, strict=True):
        _same(go, _python(path), text)
    outcomes = {kind: set() for kind in classes}
    results = iter(_go_many(yamlv3, paths))
    for kind in sorted(classes):
        for _ in classes[kind]:
            outcomes[kind].add("error" in next(results))
    assert all(outcomes[kind] == {True, False} for kind in ("tabs", "escapes", "anchors", "directives", "fields"))
