"""The install command of this package's extras, as it was installed: the package is not on PyPI, so
`pip install 'gitpod-registry[azure]'` finds nothing and a hint must name a git (or local) source."""

from __future__ import annotations

import json
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit, urlunsplit

DISTRIBUTION = "gitpod-registry"
DOCUMENTED_SOURCE = "git+https://github.com/OWNER/gitpod-registry@COMMIT"
"""The form docs/package.md explains: OWNER is where the repository lives, COMMIT a release's commit."""


def _without_userinfo(url: str) -> str:
    # A URL may carry a token (https://TOKEN@host/...): a hint never quotes one.
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _installed_from() -> dict[str, Any]:
    """PEP 610's direct_url.json of the installed distribution, which pip and uv write for git and path installs."""
    try:
        text = metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
        data = json.loads(text or "{}")
    except (metadata.PackageNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def install_command(extra: str) -> str:
    """`pip install 'gitpod-registry[EXTRA] @ SOURCE'`, SOURCE being where this copy came from (the same
    commit, for a git install), else the documented form with its placeholders."""
    direct = _installed_from()
    url, vcs = direct.get("url"), direct.get("vcs_info")
    source = DOCUMENTED_SOURCE
    if isinstance(url, str) and isinstance(vcs, dict):
        if vcs.get("vcs") == "git" and isinstance(vcs.get("commit_id"), str):
            source = f"git+{_without_userinfo(url)}@{vcs['commit_id']}"
    elif isinstance(url, str) and url.startswith("file://"):
        source = url
    return f"pip install '{DISTRIBUTION}[{extra}] @ {source}'"
