"""The releases on record (`releases.json`) and what CHANGELOG.md says about each.

A user pins a release (`@vX.Y.Z`, or the commit named here where no tag exists) and upgrades later;
the upgrade check (offline/upgrade.py) evaluates every release's stacks from the commit it was cut from.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from .engine import PROJECT_DIR

RELEASES_FILE = PROJECT_DIR / "releases.json"
CHANGELOG_FILE = PROJECT_DIR / "CHANGELOG.md"
_HEADING = re.compile(r"^## \[([^\]]+)\]", re.MULTILINE)
_SECTION = re.compile(r"^### (\w+)", re.MULTILINE)


@dataclass(frozen=True)
class Release:
    version: str
    date: str
    commit: str
    """The full commit hash the release was cut from."""


def releases() -> list[Release]:
    """Every release on record, newest first."""
    data = json.loads(RELEASES_FILE.read_text(encoding="utf-8"))
    return [Release(r["version"], r["date"], r["commit"]) for r in data["releases"]]


_VERSION = re.compile(r"v?(\d+\.\d+\.\d+)")


def release_named(name: str) -> Release | None:
    """The release a revision argument names: `v0.2.0` or `0.2.0` as releases.json records it; else None."""
    match = _VERSION.fullmatch(name.strip())
    if not match:
        return None
    return next((r for r in releases() if r.version == match.group(1)), None)


def looks_like_version(name: str) -> bool:
    return bool(_VERSION.fullmatch(name.strip()))


def changelog_entries(text: str | None = None) -> dict[str, str]:
    """{version or "Unreleased": the text of its entry}, in the order CHANGELOG.md has them."""
    text = CHANGELOG_FILE.read_text(encoding="utf-8") if text is None else text
    headings = list(_HEADING.finditer(text))
    return {
        h.group(1): text[h.end() : headings[i + 1].start() if i + 1 < len(headings) else len(text)]
        for i, h in enumerate(headings)
    }


def changed_since(version: str, text: str | None = None) -> str:
    """The "### Changed" sections of every entry newer than `version` ([Unreleased] included)."""
    found = []
    for entry_version, entry in changelog_entries(text).items():
        if entry_version == version:
            break
        sections = list(_SECTION.finditer(entry))
        for i, section in enumerate(sections):
            if section.group(1) == "Changed":
                found.append(entry[section.end() : sections[i + 1].start() if i + 1 < len(sections) else len(entry)])
    return "\n".join(found)
