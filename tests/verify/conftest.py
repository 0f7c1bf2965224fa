"""Fixtures for the `gitpod-registry verify` tests: a throwaway CA, Secret and config files, the command."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from real.conftest import registry_tools  # noqa: F401 - tests/real's fixture: skips locally, fails under CI=true

from components.verify.cli import main

from .pki import Pki, make_pki


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def secret_manifest(name: str, data: dict[str, str], *, type_: str = "Opaque", string_data: bool = False) -> dict:
    """A Secret as `kubectl get secret -o json` prints it (base64 `data`), or with `stringData`."""
    manifest = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": "gitpod"}, "type": type_}
    if string_data:
        manifest["stringData"] = data
    else:
        manifest["data"] = {key: base64.b64encode(value.encode()).decode() for key, value in data.items()}
    return manifest


def docker_secret(name: str, logins: dict[str, tuple[str, str]]) -> dict:
    """A kubernetes.io/dockerconfigjson Secret with one `auths` entry per host, as the program writes them."""
    auths = {
        host: {"username": user, "password": password, "auth": base64.b64encode(f"{user}:{password}".encode()).decode()}
        for host, (user, password) in logins.items()
    }
    return secret_manifest(
        name, {".dockerconfigjson": json.dumps({"auths": auths})}, type_="kubernetes.io/dockerconfigjson"
    )


def write(path: Path, document: dict, *, as_yaml: bool = False) -> Path:
    path.write_text(yaml.safe_dump(document) if as_yaml else json.dumps(document))
    return path


@dataclass
class Outcome:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err

    def check(self, name_part: str) -> dict:
        """The JSON report's check whose name contains `name_part` (needs --json)."""
        (found,) = [c for c in json.loads(self.out)["checks"] if name_part in c["name"]]
        return found


@pytest.fixture
def verify(capsys: pytest.CaptureFixture[str]):
    """Runs `gitpod-registry verify ARGS` in this process; returns its exit code and output."""

    def run(*args: str | Path) -> Outcome:
        code = main(["verify", *map(str, args)])
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return run
