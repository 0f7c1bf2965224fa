"""The component package and the policy pack, installed and started as the Pulumi CLI would.

One checkout of the repository per test session; each plugin directory gets its virtualenv the
language host's way (cached locally by requirements, fresh under CI=true).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .engine import FakeEngine
from .plugin import ComponentPlugin, cached_venv, checkout, start_provider

PROJECT, STACK = "consumer", "dev"


@dataclass
class Installed:
    plugin_dir: Path
    python: Path


def _cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "gitpod-registry-wire"


@pytest.fixture(scope="session")
def repository_checkout(tmp_path_factory) -> Path:
    return checkout(tmp_path_factory.mktemp("plugin-cache") / "gitpod-registry")


@pytest.fixture(scope="session")
def component_package(repository_checkout) -> Installed:
    plugin_dir = repository_checkout / "provider"
    return Installed(plugin_dir, cached_venv(plugin_dir, "PulumiPlugin.yaml", _cache_dir()))


@pytest.fixture(scope="session")
def policy_pack(repository_checkout) -> Installed:
    pack_dir = repository_checkout / "policy"
    return Installed(pack_dir, cached_venv(pack_dir, "PulumiPolicy.yaml", _cache_dir()))


@pytest.fixture(scope="module")
def engine() -> Iterator[FakeEngine]:
    with FakeEngine(project=PROJECT, stack=STACK, config={"aws:region": "eu-west-1"}) as running:
        running.register_stack()
        yield running


@pytest.fixture(scope="module")
def plugin(engine, component_package, tmp_path_factory) -> Iterator[ComponentPlugin]:
    """The provider, started in the consumer's directory and configured as the engine configures it."""
    pwd = tmp_path_factory.mktemp("consumer-project")
    process = start_provider(component_package.python, component_package.plugin_dir, engine.address, pwd)
    started = ComponentPlugin(process, "gitpod-registry")
    try:
        started.configure_response = started.configure(engine.address, component_package.plugin_dir, PROJECT, STACK)
        engine.plugins["gitpod-registry"] = started
        yield started
    finally:
        process.close()
