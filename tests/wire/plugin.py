"""Installs and starts a Python plugin directory the way the Pulumi CLI's Python language host does.

- Where: the folder holding PulumiPlugin.yaml (or PulumiPolicy.yaml), inside a copy of the whole
  repository, because `pulumi package add <repo>.git/<path>` clones the repository and runs the
  subfolder (sdk/go/common/workspace/plugins.go, gitSource.Download, GetPluginPath).
- Dependencies, for `toolchain: uv` (sdk/python/toolchain/uv.go, InstallDependencies): `uv sync` with
  the plugin directory as cwd and UV_PROJECT_ENVIRONMENT set to the manifest's `virtualenv` (relative
  to the plugin directory); uv itself finds the nearest pyproject.toml and uv.lock upwards.
- Start (main.go, RunPlugin; uv.go, Command): `uv sync --inexact` again, then a resource plugin with a
  `__main__.py` runs as `<venv>/bin/python <plugin dir> <engine address>` in the engine's working
  directory; a policy pack as `<venv>/bin/python -u -m pulumi.policy <engine address> <pack dir>` in
  the pack's directory. Either prints its port on the first line of stdout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

import grpc
import yaml
from required_tools import uv

ROOT = Path(__file__).resolve().parents[2]
# What a clone holds that the plugins can use; everything else in the repository is irrelevant to them.
CHECKOUT = (
    "components",
    "provider",
    "policy",
    "pyproject.toml",
    "uv.lock",
    "README.md",
)
_IGNORED = shutil.ignore_patterns("__pycache__", "venv", ".venv")


def checkout(into: Path) -> Path:
    """A copy of the repository as `pulumi package add` of its git URL leaves it in the plugin cache."""
    for name in CHECKOUT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, into / name, ignore=_IGNORED)
        else:
            shutil.copy(source, into / name)
    return into


def virtualenv(plugin_dir: Path, manifest: str) -> Path:
    options = (yaml.safe_load((plugin_dir / manifest).read_text())["runtime"] or {}).get("options") or {}
    assert options.get("toolchain") == "uv" and "virtualenv" in options, f"{manifest}: {options}"
    return plugin_dir / options["virtualenv"]


def _uv_sync(plugin_dir: Path, venv: Path, *flags: str) -> None:
    executable = uv()
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(venv)}
    # The language host looks uv up on PATH (uv.go, newUv).
    env["PATH"] = f"{Path(executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("VIRTUAL_ENV", None)  # the test run's own, which the CLI's environment would not have
    done = subprocess.run([executable, "sync", *flags], cwd=plugin_dir, capture_output=True, text=True, env=env)
    assert done.returncode == 0, f"uv sync {' '.join(flags)} in {plugin_dir} failed:\n{done.stdout}\n{done.stderr}"


def install_dependencies(plugin_dir: Path, manifest: str) -> Path:
    """What `pulumi install` (or `pulumi package add`) does for the plugin; returns its virtualenv's python.
    From uv's cache this takes about a second, so every session installs afresh, as CI does."""
    venv = virtualenv(plugin_dir, manifest)
    _uv_sync(plugin_dir, venv)
    return venv / "bin" / "python"


def activated(venv: Path) -> dict[str, str]:
    """The environment with the virtualenv activated, as toolchain.ActivateVirtualEnv sets it."""
    env = dict(os.environ)
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONHOME", None)
    return env


class PluginProcess:
    """A started plugin: its port, a channel to it, and everything it printed."""

    def __init__(self, argv: list[str], cwd: Path, venv: Path, env: dict[str, str] | None = None) -> None:
        self.argv = argv
        self.process = subprocess.Popen(
            argv,
            cwd=cwd,
            env={**activated(venv), **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        first = self.process.stdout.readline().strip()
        self.output: list[str] = []
        self._drains = [
            threading.Thread(target=self._drain, args=(stream,), daemon=True)
            for stream in (self.process.stdout, self.process.stderr)
        ]
        for drain in self._drains:
            drain.start()
        if not first.isdigit():
            self.close()
            raise AssertionError(f"{' '.join(argv)} printed no port: {first!r}\n{self.printed}")
        self.address = f"127.0.0.1:{first}"
        self.channel = grpc.insecure_channel(self.address)
        grpc.channel_ready_future(self.channel).result(timeout=30)

    def _drain(self, stream) -> None:
        for line in stream:
            self.output.append(line)

    @property
    def printed(self) -> str:
        return "".join(self.output)

    def close(self) -> None:
        if getattr(self, "channel", None) is not None:
            self.channel.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        for drain in self._drains:
            drain.join(timeout=10)


def start_provider(python: Path, plugin_dir: Path, engine_address: str, pwd: Path) -> PluginProcess:
    _uv_sync(plugin_dir, python.parent.parent, "--inexact")
    return PluginProcess([str(python), str(plugin_dir), engine_address], pwd, python.parent.parent)


def start_policy_pack(python: Path, pack_dir: Path, engine_address: str, stack: dict[str, str]) -> PluginProcess:
    """`stack` is what the language host's policy proxy learns from the engine's ConfigureStack and
    hands the pack as PULUMI_PROJECT, PULUMI_STACK, PULUMI_ORGANIZATION, PULUMI_DRY_RUN, PULUMI_CONFIG."""
    _uv_sync(pack_dir, python.parent.parent, "--inexact")
    return PluginProcess(
        [str(python), "-u", "-m", "pulumi.policy", engine_address, str(pack_dir)],
        pack_dir,
        python.parent.parent,
        stack,
    )


class ComponentPlugin:
    """The engine's side of a started component provider: handshake, Configure, Construct."""

    def __init__(self, process: PluginProcess, package: str) -> None:
        from pulumi.runtime.proto import provider_pb2_grpc

        self.process = process
        self.package = package
        self.stub = provider_pb2_grpc.ResourceProviderStub(process.channel)

    def configure(self, engine_address: str, plugin_dir: Path, project: str, stack: str):
        """What the engine does before a default provider's first Construct (provider_plugin.go)."""
        from google.protobuf import empty_pb2, struct_pb2
        from pulumi.runtime.proto import provider_pb2

        try:
            self.stub.Handshake(
                provider_pb2.ProviderHandshakeRequest(
                    engine_address=engine_address,
                    root_directory=str(plugin_dir),
                    program_directory=str(plugin_dir),
                    configure_with_urn=True,
                ),
                timeout=30,
            )
        except grpc.RpcError as error:  # the Python SDK's provider predates Handshake; the engine falls back
            assert error.code() == grpc.StatusCode.UNIMPLEMENTED, error
        self.stub.GetPluginInfo(empty_pb2.Empty(), timeout=30)
        return self.stub.Configure(
            provider_pb2.ConfigureRequest(
                variables={},
                args=struct_pb2.Struct(),
                acceptSecrets=True,
                acceptResources=True,
                urn=f"urn:pulumi:{stack}::{project}::pulumi:providers:{self.package}::default",
                name="default",
                type=f"pulumi:providers:{self.package}",
                id="00000000-0000-0000-0000-000000000000",
            ),
            timeout=30,
        )

    def construct(self, request):
        return self.stub.Construct(request, timeout=180)
