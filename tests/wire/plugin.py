"""Installs and starts a Python plugin directory the way the Pulumi CLI's Python language host does.

- Where: the folder holding PulumiPlugin.yaml (or PulumiPolicy.yaml), inside a copy of the whole
  repository, because `pulumi package add <repo>.git/<path>` clones the repository and runs the
  subfolder (sdk/go/common/workspace/plugins.go, gitSource.Download, GetPluginPath).
- Dependencies (sdk/python/toolchain/pip.go, InstallDependencies, with the plugin directory as cwd):
  `python -m venv <venv>`, `pip install --upgrade pip setuptools wheel`, `pip install -r requirements.txt`.
  The virtualenv is the manifest's `virtualenv` option, `venv` by default for plugins
  (pulumi-language-python main.go, parseOptions).
- Start (main.go, RunPlugin): a resource plugin with a `__main__.py` runs as
  `<venv>/bin/python <plugin dir> <engine address>` in the engine's working directory; a policy pack
  as `<venv>/bin/python -u -m pulumi.policy <engine address> <pack dir>` in the pack's directory.
  Either prints its port on the first line of stdout.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import grpc
import yaml

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


def virtualenv_option(plugin_dir: Path, manifest: str) -> str:
    options = (yaml.safe_load((plugin_dir / manifest).read_text())["runtime"] or {}).get("options") or {}
    return options.get("virtualenv", "venv")


def install_dependencies(plugin_dir: Path, venv: Path) -> Path:
    """The language host's three steps; returns the virtualenv's python."""
    python = venv / "bin" / "python"
    steps = [
        [sys.executable, "-m", "venv", str(venv)],
        [str(python), "-m", "pip", "install", "-q", "--upgrade", "pip", "setuptools", "wheel"],
        [str(python), "-m", "pip", "install", "-q", "-r", "requirements.txt"],
    ]
    for step in steps:
        done = subprocess.run(step, cwd=plugin_dir, capture_output=True, text=True, env=activated(venv))
        assert done.returncode == 0, f"{' '.join(step)} failed:\n{done.stdout}\n{done.stderr}"
    return python


def cached_venv(plugin_dir: Path, manifest: str, cache: Path) -> Path:
    """The plugin's virtualenv, installed the language host's way.

    Locally it is reused while the requirements it was made from are unchanged (keyed by their text);
    under CI=true it is always made afresh, so CI proves the install itself.
    """
    key = hashlib.sha256()
    for requirements in sorted(plugin_dir.parent.rglob("requirements*.txt")):
        key.update(requirements.read_bytes())
    key.update(sys.version.encode())
    venv = cache / f"{plugin_dir.name}-{key.hexdigest()[:16]}"
    if os.environ.get("CI") == "true" or not (venv / ".installed").exists():
        for stale in cache.glob(f"{plugin_dir.name}-*"):  # made from other requirements, or half made
            shutil.rmtree(stale, ignore_errors=True)
        install_dependencies(plugin_dir, venv)
        (venv / ".installed").touch()
    link = plugin_dir / virtualenv_option(plugin_dir, manifest)
    link.symlink_to(venv, target_is_directory=True)
    return link / "bin" / "python"


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
    return PluginProcess([str(python), str(plugin_dir), engine_address], pwd, python.parent.parent)


def start_policy_pack(python: Path, pack_dir: Path, engine_address: str, stack: dict[str, str]) -> PluginProcess:
    """`stack` is what the language host's policy proxy learns from the engine's ConfigureStack and
    hands the pack as PULUMI_PROJECT, PULUMI_STACK, PULUMI_ORGANIZATION, PULUMI_DRY_RUN, PULUMI_CONFIG."""
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
