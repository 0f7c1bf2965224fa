"""Check results: one line per check as it finishes, a JSON document for CI, and no credential in either.

Every string a result carries passes the `Masker` before it is printed or stored, so a server
message or an exception text that echoes a password, an `auth` string, a key or a token shows `***`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TextIO

MASK = "***"
# Shorter strings are not masked: replacing every "ab" in the output would hide the message itself.
MIN_MASKED_LENGTH = 4


@dataclass
class CheckResult:
    name: str
    """What was checked, e.g. `push/pull 127.0.0.1:5000/gitpod/workspace-images`."""
    ok: bool
    step: str | None = None
    """The step that failed (login, push, s3:PutObject, ...), or None when the check passed."""
    cause: str | None = None
    """Why it failed, in plain words, or None."""
    notes: list[str] = field(default_factory=list)
    """What the operator should know even when it passed (e.g. a test image that could not be deleted)."""
    done: list[str] = field(default_factory=list)
    """The steps that succeeded, in order."""


class StepFailed(Exception):
    """A check stops at `step` for `cause` (plain words, masked before it is shown)."""

    def __init__(self, step: str, cause: str) -> None:
        super().__init__(f"{step}: {cause}")
        self.step, self.cause = step, cause


class Masker:
    """Replaces every known credential in a text with ***; tokens learned while running are added."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= MIN_MASKED_LENGTH:
            self._secrets.add(secret)
            # A multi-line value (a key file) may be quoted line by line.
            self._secrets.update(line.strip() for line in secret.splitlines() if len(line.strip()) >= 8)

    def __call__(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text


class Report:
    """Collects results; prints each as it comes (to stderr when stdout carries the JSON)."""

    def __init__(self, masker: Masker, *, json_output: bool = False, stream: TextIO | None = None) -> None:
        self.masker, self.json_output = masker, json_output
        self.stream = stream or (sys.stderr if json_output else sys.stdout)
        self.results: list[CheckResult] = []

    def add(self, result: CheckResult) -> CheckResult:
        mask = self.masker
        masked = CheckResult(
            name=mask(result.name),
            ok=result.ok,
            step=mask(result.step) if result.step else None,
            cause=mask(result.cause) if result.cause else None,
            notes=[mask(note) for note in result.notes],
            done=[mask(step) for step in result.done],
        )
        self.results.append(masked)
        print(self.line(masked), file=self.stream, flush=True)
        return masked

    @staticmethod
    def line(result: CheckResult) -> str:
        if result.ok:
            text = f"ok    {result.name}" + (f": {', '.join(result.done)}" if result.done else "")
        else:
            text = f"FAIL  {result.name}\n      failed at: {result.step}\n      cause: {result.cause}"
        return text + "".join(f"\n      note: {note}" for note in result.notes)

    @property
    def ok(self) -> bool:
        return bool(self.results) and all(result.ok for result in self.results)

    def summary(self) -> str:
        passed = sum(result.ok for result in self.results)
        return f"gitpod-registry verify: {passed} of {len(self.results)} checks passed"

    def to_json(self) -> str:
        return json.dumps({"ok": self.ok, "checks": [asdict(result) for result in self.results]}, indent=2)
