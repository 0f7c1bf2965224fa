"""`python -m MODULE ARGS...` as a user runs it, without paying for the SDK imports each time.

A fresh interpreter spends about a second importing pulumi and the providers' modules before one of the
project's commands does anything, and the suite runs a dozen of them (plans and diffs in copies of the
project, the probe backend's tests, verify). `run_module` hands each to a server process, one per test
worker, that imported those SDK modules once from the same installed files and forks for each command.
The child then does what `python -m` does (CPython's Modules/main.c, pymain_run_module:
`runpy._run_module_as_main(module, alter_argv=True)` in a fresh `__main__`), in the command's working
directory and environment, its output in files, and exits as the interpreter would: `SystemExit`'s code,
or 1 after the traceback, atexit handlers run.

The project's own modules are not kept: the server drops them after importing, so each command imports
them from its working directory, a copy of the project included. A command whose test depends on the
interpreter's start (another PYTHONHASHSEED, which modules an import loads) runs with `subprocess`, as
does any call whose PYTHON* environment differs from the server's. tests/test_forked_python.py runs
commands both ways and compares them byte for byte.
"""

from __future__ import annotations

import atexit
import gc
import io
import json
import locale
import os
import runpy
import select
import signal
import subprocess
import sys
import tempfile
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What the commands import; the server keeps the installed packages these load, not the modules themselves.
PRELOADED = ("offline.plan", "offline.docs", "components.verify.cli", "pytest")


def _startup_environment(env: dict[str, str]) -> dict[str, str]:
    """The variables the interpreter reads as it starts (PYTHONHASHSEED, PYTHONPATH, ...)."""
    return {key: value for key, value in env.items() if key.startswith("PYTHON")}


class _Server:
    def __init__(self) -> None:
        self.env = dict(os.environ)
        # Unbuffered, so that waiting on the pipe for an answer sees every byte sent.
        self.process = subprocess.Popen(
            [sys.executable, __file__, str(ROOT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
            env=self.env,
        )
        atexit.register(self.stop)

    def stop(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=30)

    def _answer(self) -> dict:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the command server stopped (exit status {self.process.wait()})")
        return json.loads(line)

    def run(self, request: dict, timeout: float) -> int | None:
        """The command's exit status, or None when it ran out of time (it is killed)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request).encode() + b"\n")
        child = self._answer()["pid"]
        if not select.select([self.process.stdout], [], [], timeout)[0]:
            os.kill(child, signal.SIGKILL)
            self._answer()
            return None
        return self._answer()["status"]


_server: _Server | None = None


def _text(data: bytes) -> str:
    # As subprocess.run(text=True) decodes: the locale's encoding, universal newlines.
    return io.TextIOWrapper(io.BytesIO(data), encoding=locale.getpreferredencoding(False)).read()


def run_module(
    module: str, *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """`python -m module args` in `cwd` (with `env`, by default this process's), its output captured as text;
    subprocess.TimeoutExpired after `timeout` seconds, the command killed."""
    global _server
    env = dict(os.environ if env is None else env)
    argv = [sys.executable, "-m", module, *args]
    if _server is None:
        _server = _Server()
    if _startup_environment(env) != _startup_environment(_server.env):
        return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    with tempfile.TemporaryDirectory(prefix="forked-python-") as folder:
        out, err = Path(folder, "stdout"), Path(folder, "stderr")
        request = {"module": module, "args": list(args), "cwd": str(cwd), "env": env, "out": str(out), "err": str(err)}
        status = _server.run(request, timeout)
        stdout, stderr = _text(out.read_bytes()), _text(err.read_bytes())
        if status is None:
            raise subprocess.TimeoutExpired(argv, timeout, stdout, stderr)
        return subprocess.CompletedProcess(argv, status, stdout, stderr)


# The server: `python tests/forked_python.py ROOT`, requests on stdin; on stdout, per request, the child's
# pid as it starts and its exit status as it ends.


def _exit_status(exit: SystemExit) -> int:
    # As the interpreter handles SystemExit (Python/pythonrun.c, handle_system_exit).
    if exit.code is None:
        return 0
    if isinstance(exit.code, int):
        return exit.code & 0xFF
    print(exit.code, file=sys.stderr)
    return 1


def _child(request: dict) -> None:
    status = 1
    try:
        for fd, path, flags in ((0, os.devnull, os.O_RDONLY), (1, request["out"], os.O_WRONLY | os.O_CREAT)):
            os.dup2(os.open(path, flags), fd)
        os.dup2(os.open(request["err"], os.O_WRONLY | os.O_CREAT), 2)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.path[0] = request["cwd"]  # what `-m` puts first
        sys.argv = ["-m", *request["args"]]
        sys.modules["__main__"] = types.ModuleType("__main__")  # the fresh namespace `-m` runs in
        try:
            runpy._run_module_as_main(request["module"], alter_argv=True)  # type: ignore[attr-defined]
            status = 0
        except SystemExit as exit:
            status = _exit_status(exit)
        except BaseException as error:  # noqa: BLE001 - printed as the interpreter prints an uncaught exception
            # From runpy's frame on, as `python -m` shows it: without this function's frame.
            error = error.with_traceback(error.__traceback__.tb_next if error.__traceback__ else None)
            sys.excepthook(type(error), error, error.__traceback__)
            status = 1
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(status)


def _serve(root: Path) -> None:
    root = root.resolve()
    sys.path[0] = str(root)
    for name in PRELOADED:
        __import__(name)
    # Keep the installed packages, drop the project's modules: a command imports those from its own folder.
    installed = Path(sys.prefix).resolve()
    for name, module in list(sys.modules.items()):
        origin = Path(getattr(module, "__file__", None) or "/").resolve()
        if origin.is_relative_to(root) and not origin.is_relative_to(installed):
            del sys.modules[name]
    sys.path[0] = ""
    gc.collect()
    gc.freeze()
    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            _child(request)
        print(json.dumps({"pid": pid}), flush=True)
        _, wait_status = os.waitpid(pid, 0)
        print(json.dumps({"status": os.waitstatus_to_exitcode(wait_status)}), flush=True)


if __name__ == "__main__":
    _serve(Path(sys.argv[1]))
