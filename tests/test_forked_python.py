"""The forked command server (tests/forked_python.py) runs a command as `python -m` does: the same exit status,
output and error output, byte for byte, as a fresh interpreter, for a plan, verify's refusal, and small
modules that show what `-m` sets up (argv, `__main__`, the working directory first on the path, the
environment, SystemExit, an uncaught exception's traceback, atexit), and kills one that runs out of time."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from forked_python import run_module

from offline.engine import PROJECT_DIR

MODULES = {
    "shows.py": (
        "import atexit, os, sys\n"
        "import sibling\n"
        "atexit.register(print, 'at exit')\n"
        "print(__name__, sys.argv[1:], sys.argv[0] == __file__, sys.path[0] == os.getcwd(), sibling.NAME)\n"
        "print(os.environ.get('FORKED_PYTHON_CHECK'), file=sys.stderr)\n"
        "sys.exit(3)\n"
    ),
    "sibling.py": "NAME = 'imported from the working directory'\n",
    "raises.py": "def fail():\n    raise ValueError('no such registry')\n\nfail()\n",
    "says.py": "import sys\nprint('partial output')\nsys.exit('refused: a message')\n",
    "hashes.py": "print(hash('gitpod'))\n",
    "sleeps.py": "import time\nprint('started', flush=True)\ntime.sleep(120)\n",
    "package/__init__.py": "",
    "package/__main__.py": "print('the package runs its __main__')\n",
}


def _both(module: str, *args: str, cwd, env=None) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    fresh = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    return fresh, run_module(module, *args, cwd=cwd, env=env)


def _same(fresh: subprocess.CompletedProcess, forked: subprocess.CompletedProcess) -> None:
    assert (forked.returncode, forked.stdout, forked.stderr) == (fresh.returncode, fresh.stdout, fresh.stderr)


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    folder = tmp_path_factory.mktemp("modules")
    for name, source in MODULES.items():
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_text(source)
    return folder


def test_a_plan_is_the_same_forked_as_fresh():
    fresh, forked = _both("offline.plan", "dev", cwd=PROJECT_DIR)
    assert fresh.returncode == 0 and "gitpod-registry" in fresh.stdout, fresh.stderr
    _same(fresh, forked)


def test_a_refusal_is_the_same_forked_as_fresh(tmp_path):
    fresh, forked = _both("components.verify", "verify", "--config", str(tmp_path / "missing.yaml"), cwd=PROJECT_DIR)
    assert fresh.returncode == 2, fresh.stderr
    _same(fresh, forked)


@pytest.mark.parametrize("module", ["shows", "raises", "says", "package"])
def test_what_python_m_sets_up_is_the_same_forked_as_fresh(modules, module):
    env = {**os.environ, "FORKED_PYTHON_CHECK": "the environment given"}
    fresh, forked = _both(module, "--flag", "value", cwd=modules, env=env)
    assert fresh.stdout or fresh.stderr, module
    _same(fresh, forked)


def test_another_hash_seed_gets_a_fresh_interpreter(modules):
    """A forked child keeps the server's hash seed, so a call that sets another runs in a fresh process."""
    seeds = [{**os.environ, "PYTHONHASHSEED": seed} for seed in ("1", "2")]
    results = [_both("hashes", cwd=modules, env=env) for env in seeds]
    for fresh, forked in results:
        _same(fresh, forked)
    assert results[0][0].stdout != results[1][0].stdout


def test_a_command_out_of_time_is_killed_and_the_next_one_runs(modules):
    with pytest.raises(subprocess.TimeoutExpired) as late:
        run_module("sleeps", cwd=modules, timeout=2)
    assert late.value.output == "started\n"
    _same(*_both("package", cwd=modules))
