"""The component package and the policy pack, installed and started as the Pulumi CLI would.

One checkout of the repository per test session (per pytest-xdist worker); each plugin directory
gets its virtualenv the language host's way, `uv sync` from its lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from .engine import FakeEngine
from .plugin import ComponentPlugin, checkout, install_dependencies, start_provider

PROJECT, STACK = "consumer", "dev"


@dataclass
class Installed:
    plugin_dir: Path
    python: Path


@pytest.fixture(scope="session")
def repository_checkout(tmp_path_factory) -> Path:
    return checkout(tmp_path_factory.mktemp("plugin-cache") / "gitpod-registry")


@pytest.fixture(scope="session")
def component_package(repository_checkout) -> Installed:
    plugin_dir = repository_checkout / "provider"
    return Installed(plugin_dir, install_dependencies(plugin_dir, "PulumiPlugin.yaml"))


@pytest.fixture(scope="session")
def policy_pack(repository_checkout) -> Installed:
    pack_dir = repository_checkout / "policy"
    return Installed(pack_dir, install_dependencies(pack_dir, "PulumiPolicy.yaml"))


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
