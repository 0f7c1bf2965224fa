"""A Node.js Pulumi program, run by the Node SDK's own entry point as `pulumi-language-nodejs` runs it.

The language host (sdk/nodejs/cmd/pulumi-language-nodejs/main.go, Run/execRuntime/constructArguments)
runs `node <program>/node_modules/@pulumi/pulumi/cmd/run --monitor A --engine A --organization O
--project P --root-directory D --stack S --pwd D --parallel N .` with the config as JSON in
PULUMI_CONFIG (keys as `<namespace>:config:<name>`, constructConfig) and the secret keys in
PULUMI_CONFIG_SECRET_KEYS. The host's own monitor proxy only forwards, so the program talks to the
test engine directly; without `--sync`, invokes are asynchronous, as in every current SDK.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from .engine import FakeEngine

PROGRAM = Path(__file__).resolve().parent / "node"


def install(project_dir: Path, npm: str) -> Path:
    """The program with its package.json and package-lock.json, installed as a CI job installs a Node.js
    project: `npm ci`, exactly the locked @pulumi/pulumi and its dependencies.

    `npm ci` takes about 15 s of CPU (8,000 files) even from npm's cache, so its result is kept, as npm's
    own cache is, under the user's cache folder, keyed by the lock's hash: a changed lock installs afresh.
    The program's `node_modules` links there; Node.js resolves the link to one real path, so the program
    and the SDK's entry point load the same `@pulumi/pulumi`."""
    shutil.copytree(PROGRAM, project_dir, dirs_exist_ok=True)
    (project_dir / "node_modules").symlink_to(_installed_modules(npm))
    return project_dir


def _installed_modules(npm: str) -> Path:
    lock = (PROGRAM / "package-lock.json").read_bytes() + (PROGRAM / "package.json").read_bytes()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gitpod-registry-tests"
    installed = cache / f"node-{hashlib.sha256(lock).hexdigest()[:16]}"
    if (installed / "node_modules" / ".package-lock.json").exists():
        return installed / "node_modules"
    cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="node-", dir=cache))
    for name in ("package.json", "package-lock.json"):
        shutil.copy(PROGRAM / name, staging / name)
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=staging,
        capture_output=True,
        text=True,
        timeout=540,
    )
    assert done.returncode == 0, f"npm ci failed:\n{done.stdout}\n{done.stderr}"
    try:
        staging.rename(installed)  # atomic: a concurrent run that lost the race keeps its own copy
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
    return installed / "node_modules"


def run(
    node: str,
    project_dir: Path,
    engine: FakeEngine,
    config: dict[str, str],
    secret_keys: list[str],
    program_inputs: dict,
) -> subprocess.CompletedProcess:
    (project_dir / "inputs.json").write_text(json.dumps(program_inputs, indent=2))
    run_path = project_dir / "node_modules" / "@pulumi" / "pulumi" / "cmd" / "run"
    argv = [node, str(run_path)]
    for flag, value in (
        ("monitor", engine.address),
        ("engine", engine.address),
        ("organization", engine.organization),
        ("project", engine.project),
        ("root-directory", str(project_dir)),
        ("stack", engine.stack),
        ("pwd", str(project_dir)),
    ):
        argv += [f"--{flag}", value]
    if engine.dry_run:
        argv.append("--dry-run")
    argv += ["--parallel", "16", "."]
    namespaced = {}
    for key, value in config.items():
        namespace, name = key.split(":", 1)
        namespaced[f"{namespace}:config:{name}"] = value
    env = {
        "PATH": str(Path(node).parent),
        "HOME": str(project_dir),
        "PULUMI_CONFIG": json.dumps(namespaced),
        "PULUMI_CONFIG_SECRET_KEYS": json.dumps(secret_keys),
    }
    return _run_until_done_or_aborted(argv, project_dir, env, engine)


def _run_until_done_or_aborted(argv: list[str], cwd: Path, env: dict[str, str], engine: FakeEngine):
    """Runs the program to its end, or until the engine aborts the deployment; then, as the language
    host does when its Run is cancelled, interrupts it and kills it 5 s later (cmd.Cancel, WaitDelay)."""
    with subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        deadline = time.monotonic() + 300
        while process.poll() is None and not engine.aborted.is_set() and time.monotonic() < deadline:
            time.sleep(0.1)
        if process.poll() is None:
            time.sleep(1)  # the program's own error report is on its way to the engine
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
        stdout, stderr = process.communicate(timeout=30)
    return subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)
