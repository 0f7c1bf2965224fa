"""The component package and the policy pack, installed and started as the Pulumi CLI would.

One checkout of the repository per test run, shared by the pytest-xdist workers; each plugin directory
gets its virtualenv the language host's way, `uv sync` from its lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from shared_setup import run_folder

from .engine import FakeEngine
from .plugin import ComponentPlugin, checkout, install_dependencies, start_provider, virtualenv

PROJECT, STACK = "consumer", "dev"


@dataclass
class Installed:
    plugin_dir: Path
    python: Path


def _installed(tmp_path_factory, plugin: str, manifest: str) -> Installed:
    """The plugin directory in the run's one checkout, its virtualenv installed once for every worker (each
    virtualenv compiles the SDK modules it imports the first time a plugin starts: about 3 s of CPU)."""
    with run_folder(tmp_path_factory, "plugin-cache") as folder:
        repository = folder / "gitpod-registry"
        if not (folder / "checked-out").exists():
            checkout(repository)
            (folder / "checked-out").touch()
        plugin_dir = repository / plugin
        if not (folder / f"{plugin}-installed").exists():
            install_dependencies(plugin_dir, manifest)
            (folder / f"{plugin}-installed").touch()
        return Installed(plugin_dir, virtualenv(plugin_dir, manifest) / "bin" / "python")


@pytest.fixture(scope="session")
def component_package(tmp_path_factory) -> Installed:
    return _installed(tmp_path_factory, "provider", "PulumiPlugin.yaml")


@pytest.fixture(scope="session")
def policy_pack(tmp_path_factory) -> Installed:
    return _installed(tmp_path_factory, "policy", "PulumiPolicy.yaml")


@contextmanager
def deployment(package: Installed, pwd: Path, **engine_options) -> Iterator[tuple[FakeEngine, ComponentPlugin]]:
    """A test engine with the component provider started in the consumer's directory and configured
    as the engine configures a default provider, ready for Construct (directly or via `remote: true`)."""
    with FakeEngine(project=PROJECT, stack=STACK, **engine_options) as engine:
        process = start_provider(package.python, package.plugin_dir, engine.address, pwd)
        plugin = ComponentPlugin(process, "gitpod-registry")
        try:
            plugin.configure_response = plugin.configure(engine.address, package.plugin_dir, PROJECT, STACK)
            engine.plugins[plugin.package] = plugin
            yield engine, plugin
        finally:
            process.close()


@pytest.fixture(scope="module")
def started(component_package, tmp_path_factory) -> Iterator[tuple[FakeEngine, ComponentPlugin]]:
    """One deployment for a whole test module, as one program with several components."""
    with deployment(component_package, tmp_path_factory.mktemp("consumer"), config={"aws:region": "eu-west-1"}) as both:
        yield both


@pytest.fixture(scope="module")
def engine(started) -> FakeEngine:
    return started[0]


@pytest.fixture(scope="module")
def plugin(started) -> ComponentPlugin:
    return started[1]
