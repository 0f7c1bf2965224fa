"""Wall time and peak memory of the README's test command, in a fresh clone with cold caches.

python -m bench.test_command [--empty-tool-caches] [--keep]

Clones this repository's HEAD into a temporary folder (no .venv, no bytecode, no checker or pytest
caches: nothing the project caches survives) and runs the README's second quick-start command there,
word for word, as a new contributor would. Reported: the wall time of the whole command and of its
parts (set-up, `.ci/check`, pytest, as the command's own output marks them), and the peak resident
memory of the largest single process it ran (getrusage of the waited-for descendants; Linux reports the
largest one, not a sum).

By default the machine's download caches (uv's, npm's, Go's build cache) and the tests' installed
Node.js program (keyed by its lock, see tests/wire/node_program.py) are used as they are, as on any
developer's machine after a first install. `--empty-tool-caches` points all of them at empty folders,
so every package is downloaded and built again: the figure for a machine that never ran anything.
Figures only: nothing here passes or fails on time.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_test_command() -> str:
    """The README's second quick-start command (the one that runs the tests)."""
    block = re.search(r"## Quick start.*?```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert block, "README.md has no quick-start block"
    commands = [line for line in block.group(1).splitlines() if line.strip()]
    assert len(commands) == 2 and "pytest" in commands[1], "the quick start is two commands, the second the tests"
    return commands[1]


def _tool_cache_env(folder: Path) -> dict[str, str]:
    return {
        "UV_CACHE_DIR": str(folder / "uv"),
        "npm_config_cache": str(folder / "npm"),
        "GOCACHE": str(folder / "go-build"),
        "XDG_CACHE_HOME": str(folder / "xdg"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.test_command", description=__doc__.splitlines()[0])
    parser.add_argument("--empty-tool-caches", action="store_true", help="download and build everything again")
    parser.add_argument("--keep", action="store_true", help="keep the clone (its path is printed)")
    options = parser.parse_args(argv)

    command = readme_test_command()
    scratch = Path(tempfile.mkdtemp(prefix="test-command-"))
    clone = scratch / "gitpod-registry"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    env = dict(os.environ)
    if options.empty_tool_caches:
        env.update(_tool_cache_env(scratch / "caches"))
    # Marks between the command's parts, so each part's time can be read from the output.
    timed = command.replace(" && .ci/check", " && echo @@check && .ci/check").replace(
        " && .venv/bin/python -m pytest", " && echo @@pytest && .venv/bin/python -m pytest"
    )
    print(f"$ {command}\n  in {clone}{' (empty tool caches)' if options.empty_tool_caches else ''}", flush=True)
    start = time.monotonic()
    marks: dict[str, float] = {}
    with subprocess.Popen(
        ["bash", "-c", timed], cwd=clone, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        assert process.stdout is not None
        tail: list[str] = []
        for line in process.stdout:
            if line.startswith("@@"):
                marks[line.strip()[2:]] = time.monotonic() - start
                continue
            tail = (tail + [line])[-5:]
    total = time.monotonic() - start
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print("".join(tail), end="")
    check, tests = marks.get("check", total), marks.get("pytest", total)
    print(f"exit status {process.returncode}")
    print(f"wall: {total:.1f} s (set-up {check:.1f} s, .ci/check {tests - check:.1f} s, pytest {total - tests:.1f} s)")
    print(f"peak memory of the largest process: {peak_mib:.0f} MiB")
    if options.keep:
        print(f"kept: {clone}")
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    return process.returncode


if __name__ == "__main__":
    sys.exit(main())
