"""The acr backend's scheduled purge: the ACR Task the program registers, its task YAML read back, and bad input.

The `acr purge` flags are checked against Microsoft's documented grammar, written here from
https://learn.microsoft.com/azure/container-registry/container-registry-auto-purge (not from the program):
--filter REPO:REGEX (repeatable), --ago a Go-style duration whose units include d, h and m, --untagged,
--keep N, --dry-run.
"""

from __future__ import annotations

import base64
import re
import shlex

import pytest
import yaml

from conftest import run, run_invalid
from offline.engine import evaluate

WS = "gitpod-registry:workspaceImages"
REGISTRY = "azure:containerservice/registry:Registry"
TASK = "azure:containerservice/registryTask:RegistryTask"

# Microsoft's grammar for `acr purge`: flag -> pattern of its value (None: a flag without a value).
PURGE_GRAMMAR: dict[str, re.Pattern[str] | None] = {
    "--filter": re.compile(r"[^:\s]+:.+"),
    "--ago": re.compile(r"([0-9]+[dhm])+"),
    "--untagged": None,
    "--keep": re.compile(r"[0-9]+"),
    "--dry-run": None,
}
REPEATABLE = {"--filter"}
# Gitpod's image-builder pushes to exactly these two repositories (install/installer/pkg/components/image-builder-mk3).
GITPOD_REPOSITORIES = {"base-images", "workspace-images"}
# ACR timer triggers: five cron fields.
CRON = re.compile(r"\S+( \S+){4}")


def acr(**fields):
    return {WS: {"backend": "acr", "resourceGroup": "gitpod", **fields}}


def task_yaml(task) -> dict:
    content = task.inputs["encodedStep"]["taskContent"]
    return yaml.safe_load(base64.b64decode(content, validate=True).decode())


def purge_flags(task) -> dict[str, list[str | None]]:
    """The `acr purge` command of the task's one step, parsed with the documented grammar: flag -> its values."""
    document = task_yaml(task)
    assert document["version"] == "v1.1.0", task.urn
    (step,) = document["steps"]
    words = shlex.split(step["cmd"])
    assert words[:2] == ["acr", "purge"], f"{task.urn}: {step['cmd']}"
    flags: dict[str, list[str | None]] = {}
    rest = words[2:]
    while rest:
        flag = rest.pop(0)
        assert flag in PURGE_GRAMMAR, f"{task.urn}: {flag!r} is not an acr purge flag Microsoft documents"
        pattern = PURGE_GRAMMAR[flag]
        value = None
        if pattern is not None:
            assert rest, f"{task.urn}: {flag} needs a value"
            value = rest.pop(0)
            assert pattern.fullmatch(value), f"{task.urn}: {flag} {value!r} does not fit the documented grammar"
        assert flag in REPEATABLE or flag not in flags, f"{task.urn}: {flag} given twice"
        flags.setdefault(flag, []).append(value)
    return flags


@pytest.fixture(scope="module")
def default_task():
    return run("dev", acr()).one(TASK)


def test_the_task_runs_on_the_registry_on_linux_on_a_daily_timer(default_task):
    evaluation = run("dev", acr())
    registry = evaluation.one(REGISTRY)
    assert default_task.inputs["containerRegistryId"].endswith(
        f"/providers/Microsoft.ContainerRegistry/registries/{registry.inputs['name']}"
    ), default_task.urn
    assert default_task.inputs["platform"] == {"os": "Linux"}, default_task.urn
    assert default_task.inputs["enabled"] is True
    (trigger,) = default_task.inputs["timerTriggers"]
    assert trigger["enabled"] is True and trigger["schedule"] == "0 3 * * *", default_task.urn
    assert CRON.fullmatch(trigger["schedule"])
    assert default_task.parent.endswith("AcrWorkspaceImages::gitpod-workspace-images"), default_task.urn


def test_the_default_purge_covers_only_gitpods_repositories_keeps_a_month_and_frees_storage(default_task):
    flags = purge_flags(default_task)
    repositories = {value.split(":", 1)[0] for value in flags["--filter"]}
    assert repositories == GITPOD_REPOSITORIES, default_task.urn
    # Every tag of those repositories is a candidate; age decides.
    assert {value.split(":", 1)[1] for value in flags["--filter"]} == {".*"}
    assert flags["--ago"] == ["30d"]
    assert flags["--untagged"] == [None], "deleting tags alone frees no storage"
    assert "--keep" not in flags and "--dry-run" not in flags


def test_every_setting_reaches_the_command_and_the_schedule():
    task = run("dev", acr(purgeOlderThanDays=7, purgeUntagged=False, purgeKeepCount=5, purgeSchedule="30 1 * * 0")).one(
        TASK
    )
    flags = purge_flags(task)
    assert flags["--ago"] == ["7d"] and flags["--keep"] == ["5"]
    assert "--untagged" not in flags
    assert task.inputs["timerTriggers"][0]["schedule"] == "30 1 * * 0"


def test_the_step_is_a_task_az_acr_would_write(default_task):
    (step,) = task_yaml(default_task)["steps"]
    assert set(step) == {"cmd", "disableWorkingDirectoryOverride", "timeout"}
    assert step["disableWorkingDirectoryOverride"] is True and step["timeout"] == 3600


def test_purge_off_registers_no_task_and_changes_nothing_else():
    on, off = run("dev", acr()), run("dev", acr(purge=False))
    assert off.of_type(TASK) == []
    assert sorted((r.urn, r.inputs) for r in on.resources if r.type != TASK) == sorted(
        (r.urn, r.inputs) for r in off.resources
    )


def test_the_azure_example_stack_has_the_purge():
    evaluation = evaluate("azure")
    assert evaluation.error is None, evaluation.error
    assert purge_flags(evaluation.one(TASK))["--ago"] == ["30d"]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (acr(purge="no"), r"workspaceImages.purge: expected true or false"),
        (
            acr(purgeOlderThanDays=1),
            r"workspaceImages.purgeOlderThanDays: expected a whole number from 2 to 106751 \(a Gitpod workspace .*\), got 1",
        ),
        (acr(purgeOlderThanDays=0), r"workspaceImages.purgeOlderThanDays: expected a whole number from 2 to 106751"),
        (
            acr(purgeOlderThanDays=106_752),
            r"purgeOlderThanDays: expected a whole number from 2 to 106751 \(.*292 years",
        ),
        (acr(purgeOlderThanDays="30d"), r"workspaceImages.purgeOlderThanDays: expected a whole number"),
        (acr(purgeKeepCount=-1), r"workspaceImages.purgeKeepCount: expected a whole number from 0 to 2147483647"),
        (acr(purgeKeepCount=True), r"workspaceImages.purgeKeepCount: expected a whole number from 0"),
        (acr(purgeUntagged="yes"), r"workspaceImages.purgeUntagged: expected true or false"),
        (acr(purgeSchedule="daily"), r"workspaceImages.purgeSchedule: 'daily' is not a cron schedule; use five"),
        (acr(purgeSchedule="0 3 * *"), r"workspaceImages.purgeSchedule: '0 3 \* \*' is not a cron schedule"),
        (
            acr(purgeSchedule="0 24 * * *"),
            r"workspaceImages.purgeSchedule: '0 24 \* \* \*' is not a cron schedule: its hour field '24' is not \*, "
            r"a number from 0 to 23",
        ),
        (acr(purgeSchedule="*/0 * * * *"), r"its minute field '\*/0' is not"),
        (acr(purgeSchedule="0 3 * * MON"), r"its day of week field 'MON' is not"),
        (acr(purgeSchedule=3), r"workspaceImages.purgeSchedule: expected a cron schedule"),
        (
            acr(purge=False, purgeOlderThanDays=10),
            r"workspaceImages.purgeOlderThanDays: only meaningful while gitpod-registry:workspaceImages.purge is true",
        ),
    ],
)
def test_bad_purge_settings_are_refused_naming_the_key(config, expected):
    message = run_invalid(config)
    assert message.startswith("invalid configuration: gitpod-registry:workspaceImages.purge"), message
    assert re.search(expected, message), message


def test_a_refused_purge_setting_registers_nothing():
    evaluation = evaluate("dev", acr(purgeSchedule="every day"), use_stack_file=False)
    assert "purgeSchedule" in str(evaluation.error)
    assert evaluation.resources == [], [r.urn for r in evaluation.resources]


def test_schedules_with_ranges_lists_and_steps_pass():
    for schedule in ("0 3 * * *", "*/15 0-5 * * 1-5", "0 2,14 1 */2 0"):
        task = run("dev", acr(purgeSchedule=schedule)).one(TASK)
        assert task.inputs["timerTriggers"][0]["schedule"] == schedule
