"""A scheduled ACR Task running `acr purge` on Gitpod's two repositories: storage that stays bounded on every SKU.

Nothing in Gitpod ever deletes a workspace image, and ACR's own retention policy exists on Premium only and
removes untagged manifests only. Microsoft's documented way to bound a registry on Basic and Standard is a
timer-triggered ACR Task running `acr purge` (learn.microsoft.com/azure/container-registry/container-registry-auto-purge).

Why deleting is safe here, from gitpod-io/gitpod: image-builder tags each image with a hash of its build inputs
(components/image-builder-mk3/pkg/orchestrator/orchestrator.go, getBaseImageRef, getWorkspaceImageRef) and checks
that the tag exists on every workspace start (ResolveWorkspaceImage, Build: checkImageExists), rebuilding a missing
one; a build runs at most maxBuildRuntime (60 min, same file) and a workspace at most workspace.maxLifetime (36 h
by default, install/installer/pkg/config/v1/config.go). So a purged image costs one rebuild at its next start, and
an age floor above those two keeps every image a running workspace may still need.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from .. import validation
from ..fields import Field, checked_values
from ..installer_config import PUSHED_REPOSITORIES
from ..validation import InvalidInput, at, ref

TASK_NAME = "gitpod-purge"
TIMER_NAME = "gitpod-purge-schedule"
DEFAULT_OLDER_THAN_DAYS = 30
DEFAULT_KEEP_COUNT = 0
DEFAULT_UNTAGGED = True
DEFAULT_SCHEDULE = "0 3 * * *"
# A workspace runs at most 36 h (Gitpod's default workspace.maxLifetime) and its image was pushed at most 60 min
# (maxBuildRuntime) before it started: an image younger than two days may still be pulled by a running workspace.
MIN_OLDER_THAN_DAYS = 2
# acr-cli turns `--ago Nd` into hours and parses it as a Go time.Duration, an int64 of nanoseconds (about 292 years).
MAX_OLDER_THAN_DAYS = (2**63 - 1) // (86_400 * 10**9)
# The step's timeout (seconds): ACR's own default for a task step; a purge of two repositories takes far less.
STEP_TIMEOUT = 3600
# ACR timer triggers take five-field cron expressions (minute hour day-of-month month day-of-week), in UTC.
_CRON_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 6))
_CRON_ITEM = re.compile(r"(\*|([0-9]+)(?:-([0-9]+))?)(?:/([0-9]+))?")


@dataclass(frozen=True)
class Purge:
    """What the purge task deletes, and when; see `command`."""

    older_than_days: int = DEFAULT_OLDER_THAN_DAYS
    untagged: bool = DEFAULT_UNTAGGED
    keep_count: int = DEFAULT_KEEP_COUNT
    schedule: str = DEFAULT_SCHEDULE

    def command(self) -> str:
        """The `acr purge` command line (Microsoft's grammar: --filter REPO:REGEX, --ago, --untagged, --keep)."""
        words = ["acr", "purge"]
        words += [f"--filter '{repository}:.*'" for repository in PUSHED_REPOSITORIES]
        words.append(f"--ago {self.older_than_days}d")
        if self.untagged:
            words.append("--untagged")
        if self.keep_count:
            words.append(f"--keep {self.keep_count}")
        return " ".join(words)

    def task_yaml(self) -> str:
        """The ACR Task (version v1.1.0) that `az acr task create --cmd ... --context /dev/null` would write."""
        return (
            "version: v1.1.0\n"
            "steps:\n"
            f"  - cmd: {self.command()}\n"
            "    disableWorkingDirectoryOverride: true\n"
            f"    timeout: {STEP_TIMEOUT}\n"
        )

    def encoded_step(self) -> str:
        return base64.b64encode(self.task_yaml().encode()).decode()


def _schedule(field: str, value: Any) -> str:
    value = validation.require_type(field, value, str, "a cron schedule such as '0 3 * * *'")
    allowed = (
        "use five fields, minute hour day-of-month month day-of-week (UTC), each *, a number, a range a-b or a "
        "comma-separated list of those, optionally with /step, e.g. '0 3 * * *' (every day at 03:00 UTC)"
    )
    # Single spaces only: a tab, a newline or an invisible character is refused, not silently dropped.
    parts = value.split(" ")
    if len(parts) != len(_CRON_FIELDS):
        raise InvalidInput(field, f"{validation.describe(value)} is not a cron schedule; {allowed}")
    for part, (name, low, high) in zip(parts, _CRON_FIELDS, strict=True):
        for item in part.split(","):
            match = _CRON_ITEM.fullmatch(item)
            bounds = [int(n) for n in (match.group(2), match.group(3)) if n is not None] if match else []
            step = int(match.group(4)) if match and match.group(4) is not None else None
            if not match or any(not low <= n <= high for n in bounds) or step == 0:
                raise InvalidInput(
                    field,
                    f"{validation.describe(value)} is not a cron schedule: its {name} field {validation.describe(part)} is not "
                    f"*, a number from {low} to {high}, a range or a list; {allowed}",
                )
    return value


PURGE_FIELDS = (
    Field(
        "purge",
        "boolean",
        default=True,
        description="Run a scheduled ACR Task with acr purge on base-images and workspace-images, so storage stays "
        "bounded on every SKU; Gitpod rebuilds a purged image at its next start.",
    ),
    Field(
        "purge_older_than_days",
        "integer",
        default=DEFAULT_OLDER_THAN_DAYS,
        minimum=MIN_OLDER_THAN_DAYS,
        maximum=MAX_OLDER_THAN_DAYS,
        bounds_why=" (a Gitpod workspace runs up to 36 hours on an image pushed up to an hour before it started, so "
        "a younger image may still be pulled, see docs/backend-acr.md; acr purge's --ago is a Go duration, at most "
        "about 292 years)",
        description=f"With purge: delete tags pushed more than this many days ago (--ago), at least {MIN_OLDER_THAN_DAYS}.",
    ),
    Field(
        "purge_untagged",
        "boolean",
        default=DEFAULT_UNTAGGED,
        description="With purge: also delete untagged manifests (--untagged), which is what frees storage.",
    ),
    Field(
        "purge_keep_count",
        "integer",
        default=DEFAULT_KEEP_COUNT,
        minimum=0,
        description="With purge: keep this many most recent of the tags it would delete, per repository (--keep).",
    ),
    Field(
        "purge_schedule",
        "string",
        default=DEFAULT_SCHEDULE,
        check=_schedule,
        description="With purge: when it runs, a five-field cron expression in UTC (0 3 * * * is daily at 03:00).",
    ),
)
_TUNING = tuple(f.name for f in PURGE_FIELDS if f.name != "purge")


def check_purge(args: Mapping[str, Any], path: str) -> Purge | None:
    """The purge the fields at `path` ask for; None when `purge` is false."""
    switch, *tuning = PURGE_FIELDS
    if not switch.checked(at(path, "purge"), args.get("purge")):
        given = [name for name in _TUNING if args.get(name) is not None]
        if given:
            raise InvalidInput(
                at(path, given[0]),
                f"only meaningful while {ref(at(path, 'purge'))} is true; remove it, or set that to true",
            )
        return None
    values = checked_values(tuple(tuning), args, path)
    return Purge(
        older_than_days=values["purge_older_than_days"],
        untagged=values["purge_untagged"],
        keep_count=values["purge_keep_count"],
        schedule=values["purge_schedule"],
    )


def purge_task(
    containerservice: Any, name: str, registry_id: pulumi.Input[str], purge: Purge, opts: pulumi.ResourceOptions
) -> Any:
    """The timer-triggered ACR Task on the registry `registry_id` (pulumi_azure's `containerservice` module)."""
    return containerservice.RegistryTask(
        name,
        name=TASK_NAME,
        container_registry_id=registry_id,
        platform={"os": "Linux"},
        encoded_step={"task_content": purge.encoded_step()},
        timer_triggers=[{"name": TIMER_NAME, "schedule": purge.schedule, "enabled": True}],
        enabled=True,
        opts=opts,
    )
