"""The command as operators get it: the wheel's `gitpod-registry` script, `python -m`, and `--from-cluster`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from forked_python import run_module
from real.processes import free_port
from wheel import session_wheel

from .conftest import secret_manifest, write

ROOT = Path(__file__).resolve().parents[2]
S3_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package's wheel, as tests/test_package.py builds it."""
    return session_wheel(tmp_path_factory)


def test_the_wheel_installs_the_gitpod_registry_command(wheel, tmp_path):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        assert "gitpod-registry = gitpod_registry.verify:run" in archive.read(entry_points).decode()
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        requires = archive.read(metadata).decode()
        archive.extractall(tmp_path / "site")
    assert "gitpod_registry/verify/cli.py" in names
    # verify's client libraries are the `verify` extra, not the components' own dependencies.
    for client in ("python-dxf", "boto3", "requests"):
        (line,) = [r for r in requires.splitlines() if r.startswith(f"Requires-Dist: {client}")]
        assert line.endswith("; extra == 'verify'") or line.endswith('; extra == "verify"'), line
    assert "Provides-Extra: verify" in requires
    # The index renders the description on its own: no link may point into the repository.
    description = requires.split("\n\n", 1)[1]
    assert "# gitpod-registry" in description
    assert not [link for link in re.findall(r"\]\(([^)]*)\)", description) if not link.startswith("https://")]
    # The packaged module runs under its installed name, apart from this repository's components/.
    script = "import sys; from gitpod_registry.verify import run; sys.exit(run(sys.argv[1:]))"
    shown = subprocess.run(
        [sys.executable, "-c", script, "verify", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "site")},
    )
    assert shown.returncode == 0, shown.stderr
    assert "--secret FILE" in shown.stdout and "--ca-file" in shown.stdout
    # Installed without the extra, the command says how to get it instead of a traceback.
    without = subprocess.run(
        [sys.executable, "-c", "import sys; sys.modules['dxf'] = None; " + script, "verify", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "site")},
    )
    # The package is not on PyPI: the hint names a git source (this copy records none, so the documented form).
    assert without.returncode == 2, without.stderr
    assert (
        "pip install 'gitpod-registry[verify] @ git+https://github.com/OWNER/gitpod-registry@COMMIT'" in without.stderr
    )


def test_the_install_hint_names_the_source_and_commit_the_package_came_from(monkeypatch):
    from components import distribution

    recorded = {
        "url": "https://ci-token:s3cr3t@git.example.com/acme/gitpod-registry.git",
        "vcs_info": {"vcs": "git", "commit_id": "94abcba20f3ea89db451bb02eb679bc7c6a0dcdc", "requested_revision": "v0"},
    }
    monkeypatch.setattr(distribution, "_installed_from", lambda: recorded)
    hint = distribution.install_command("verify")
    assert hint == (
        "pip install 'gitpod-registry[verify] @ "
        "git+https://git.example.com/acme/gitpod-registry.git@94abcba20f3ea89db451bb02eb679bc7c6a0dcdc'"
    )
    assert "s3cr3t" not in hint
    monkeypatch.setattr(distribution, "_installed_from", lambda: {"url": "file:///opt/src", "dir_info": {}})
    assert distribution.install_command("azure") == "pip install 'gitpod-registry[azure] @ file:///opt/src'"


def test_python_m_runs_the_command_and_exits_2_on_unusable_input(tmp_path):
    result = run_module("components.verify", "verify", "--config", str(tmp_path / "missing.yaml"), cwd=ROOT)
    assert result.returncode == 2 and "missing.yaml: cannot read" in result.stderr


@pytest.fixture
def kubectl(tmp_path, monkeypatch) -> Path:
    """A stand-in kubectl on PATH that prints the secrets in secrets/NAME.json and logs its arguments."""
    secrets = tmp_path / "cluster"
    secrets.mkdir()
    tool = tmp_path / "bin" / "kubectl"
    tool.parent.mkdir()
    tool.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> {secrets}/calls.log\n'
        f'if [ -f "{secrets}/$3.json" ]; then cat "{secrets}/$3.json"; exit 0; fi\n'
        'echo "Error from server (NotFound): secrets \\"$3\\" not found" >&2\n'
        "exit 1\n"
    )
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tool.parent}{os.pathsep}{os.environ['PATH']}")
    return secrets


def test_from_cluster_reads_each_referenced_secret_not_given_as_a_file(verify, tmp_path, kubectl):
    endpoint = f"127.0.0.1:{free_port()}"
    config = {
        "containerRegistry": {
            "inCluster": True,
            "s3storage": {
                "bucket": "b",
                "region": "eu-west-1",
                "endpoint": endpoint,
                "certificate": {"kind": "secret", "name": "gitpod-registry-s3"},
            },
        },
        "customCACert": {"kind": "secret", "name": "private-ca"},
    }
    manifest = secret_manifest("gitpod-registry-s3", {"s3AccessKey": "AKIAEXAMPLE0001", "s3SecretKey": S3_SECRET})
    write(kubectl / "gitpod-registry-s3.json", manifest)
    outcome = verify(
        "--config", write(tmp_path / "c.json", config), "--from-cluster", "--namespace", "gitpod-prod",
        "--json", "--timeout", "5",
    )  # fmt: skip
    calls = (kubectl / "calls.log").read_text().splitlines()
    assert calls == [
        "get secret gitpod-registry-s3 --namespace gitpod-prod --output json",
        "get secret private-ca --namespace gitpod-prod --output json",
    ]
    # The key was read from the cluster: the check reached the (closed) endpoint with it.
    check = outcome.check("registry storage")
    assert check["step"] == "s3:GetBucketLocation" and "connection refused" in check["cause"]
    assert S3_SECRET not in outcome.text and "AKIAEXAMPLE0001" not in outcome.text
    ca = outcome.check("private-ca")
    assert ca["step"] == "read secret" and 'secrets "private-ca" not found' in ca["cause"]
    assert json.loads(outcome.out)["ok"] is False
