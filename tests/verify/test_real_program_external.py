"""`verify` on the program's own output for an external registry, a private component mirror and a private base-image host.

The program is evaluated with the hosts of three local TLS registries; its installerConfigYaml and its
dockerconfigjson secrets are handed to the command exactly as `kubectl get secret -o json` prints them.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from real.dockerconfig_harness import htpasswd_auth

from components.verify.cli import main
from conftest import reveal, run

from .conftest import Outcome, secret_manifest, write
from .pki import Pki
from .servers import TlsRegistry, TokenService

pytestmark = pytest.mark.real

PUSH = ("robot$gitpod-push", "push-token-0123456789")
MIRROR = ("robot$mirror", "mirror-token-abcdef0123")
BASE = ("acme+reader", "quay-token-xyz0123456")


@dataclass
class Installation:
    push: TlsRegistry
    mirror: TlsRegistry
    base: TlsRegistry
    args: list[str]


@pytest.fixture(scope="module")
def installation(registry_tools, pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installation]:
    workdir = tmp_path_factory.mktemp("program-external")
    tokens = TokenService(pki, {BASE[0]: (BASE[1], ["pull"])})
    started: list[TlsRegistry] = []
    try:
        for auth in (htpasswd_auth(workdir, *PUSH), htpasswd_auth(workdir, *MIRROR), tokens.auth):
            started.append(TlsRegistry(workdir, pki, auth))
        push, mirror, base = started
        evaluation = run(
            "dev",
            {
                "gitpod-registry:workspaceImages": {
                    "backend": "external",
                    "url": f"{push.host}/gitpod",
                    "username": PUSH[0],
                    "password": PUSH[1],
                },
                "gitpod-registry:componentImages": {
                    "repository": f"{mirror.host}/gitpod",
                    "username": MIRROR[0],
                    "password": MIRROR[1],
                },
                "gitpod-registry:baseImages": {
                    "registries": [{"server": base.host, "username": BASE[0], "password": BASE[1]}]
                },
            },
        )
        (workdir / "registry.yaml").write_text(evaluation.outputs["installerConfigYaml"])
        args = ["--config", str(workdir / "registry.yaml"), "--ca-file", str(pki.ca), "--json"]
        for secret in evaluation.of_type("kubernetes:core/v1:Secret"):
            name = secret.inputs["metadata"]["name"]
            manifest = secret_manifest(name, reveal(secret.inputs["stringData"]), type_=secret.inputs["type"])
            args += ["--secret", str(write(workdir / f"{name}.json", manifest))]
        yield Installation(push, mirror, base, args)
    finally:
        for registry in started:
            registry.stop()
        tokens.stop()


@pytest.fixture(scope="module")
def outcome(installation: Installation) -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["verify", *installation.args])
    return Outcome(code, out.getvalue(), err.getvalue())


def test_the_push_registry_and_the_base_image_host_pass_with_the_programs_secret(outcome, installation):
    for repository in ("workspace-images", "base-images"):
        assert outcome.check(f"{installation.push.host}/gitpod/{repository}")["ok"], outcome.text
    base = outcome.check(f"{installation.base.host} (privateBaseImageAllowList)")
    assert base["ok"] and base["done"] == [f"logged in as '{BASE[0]}' (Bearer challenge)"], base
    assert installation.push.tagged() == []


def test_the_kubelet_pulls_component_images_with_the_image_pull_secret(outcome):
    assert outcome.check("imagePullSecret gitpod-registry-component-images (kubelet)")["ok"], outcome.text


def test_no_credential_of_any_secret_is_printed(outcome):
    for _, password in (PUSH, MIRROR, BASE):
        assert password not in outcome.text


def test_registry_facade_can_pull_from_the_mirror_with_the_container_registry_secret(outcome):
    # registry-facade pulls supervisor and IDE images from `repository` with the containerRegistry secret only.
    assert outcome.check("(repository: component images)")["ok"], outcome.text
    assert outcome.code == 0, outcome.text
