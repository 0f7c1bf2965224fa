"""ESO's template engine, for tests: main.go (Go's text/template with sprig, as ESO v2.9.0 runs it), built once per
machine and source into the temporary folder, offline, in GOPATH mode against Debian's packages."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from required_tools import missing

SOURCE = Path(__file__).resolve().parent / "main.go"
GOPATH = Path("/usr/share/gocode")
INSTALL = "apt-get install golang-go golang-github-masterminds-sprig-dev"


class TemplateError(Exception):
    """ESO would not render this template: the ExternalSecret goes Ready=False and keeps the old Secret."""


def renderer() -> Path:
    """The built renderer; skips locally (fails under CI) without Go or sprig's source."""
    go = shutil.which("go")
    if go is None:
        missing(f"go is not installed ({INSTALL})")
    if not (GOPATH / "src/github.com/Masterminds/sprig/functions.go").exists():
        missing(f"sprig's source is not installed ({INSTALL})")
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()[:16]
    out = Path(tempfile.gettempdir()) / f"gitpod-registry-esotemplate-{digest}"
    binary = out / "esotemplate"
    if not binary.exists():
        out.mkdir(parents=True, exist_ok=True)
        environment = {**os.environ, "GO111MODULE": "off", "GOPATH": str(GOPATH), "GOCACHE": str(out / "cache")}
        partial = out / f"esotemplate.{os.getpid()}"
        subprocess.run([go, "build", "-o", str(partial), str(SOURCE)], env=environment, check=True, capture_output=True)
        partial.replace(binary)  # atomic: another process building the same source finds a whole binary
    return binary


def render(template: str, data: dict[str, str]) -> str:
    """What ESO writes for one templated key, given the generator's output `data`."""
    request = json.dumps({"template": template, "data": data})
    result = subprocess.run([renderer()], input=request, capture_output=True, text=True, check=True, timeout=30)
    answer = json.loads(result.stdout)
    if "error" in answer:
        raise TemplateError(answer["error"])
    return answer["rendered"]
