"""Runs the real `__main__.py` under Pulumi's mock engine and records what it registers.

One module serves the plan command and the tests. Each evaluation gets a fresh
context, event loop, config and monitor, so scenarios never share state.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import copy
import functools
import json
import logging
import re
import runpy
import subprocess
import sys
from collections.abc import Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi.runtime.settings
from pulumi.runtime import resource as sdk_resource
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.proto import alias_pb2, resource_pb2, source_pb2
from pulumi.runtime.stack import Stack, run_pulumi_func

from . import stack_file
from .mocks import RegistryMocks
from .stack_file import StackFileError

PROJECT_DIR = Path(__file__).resolve().parent.parent
STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class Secret:
    """A value the program marked secret; it prints masked."""

    value: Any

    def __repr__(self) -> str:
        return "[secret]"


@dataclass
class Resource:
    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    protect: bool
    inputs: dict[str, Any]
    """Inputs as the engine received them; secret values are wrapped in Secret."""
    delete_before_replace: bool = False
    aliases: list[str] = field(default_factory=list)
    """URNs this resource was known by before (alias specs resolved to URNs)."""
    provider: str | None = None
    """The explicit provider reference (`URN::ID`) the resource was registered with, if any."""
    input_dependencies: dict[str, list[str]] = field(default_factory=dict)
    """For each input that waits on other resources, their URNs (the engine's propertyDependencies)."""
    dependencies: list[str] = field(default_factory=list)
    """Every resource this one waits on: those of its inputs and its `depends_on`."""


@dataclass
class Evaluation:
    stack: str
    config: dict[str, str]
    resources: list[Resource]
    outputs: dict[str, Any]
    """Stack outputs, resolved; secret ones are wrapped in Secret."""
    error: BaseException | None
    secret_keys: list[str] = field(default_factory=list)
    """Config keys whose values are secret (`secure:` in the stack file)."""
    warnings: list[str] = field(default_factory=list)
    """What the stack file holds that the plan leaves out, and the program's warnings (`pulumi.log.warn`)."""

    def of_type(self, token: str) -> list[Resource]:
        return [r for r in self.resources if r.type == token]

    def one(self, token: str) -> Resource:
        found = self.of_type(token)
        assert len(found) == 1, f"expected one {token}, found {[r.urn for r in found]}"
        return found[0]

    def by_name(self, name: str) -> Resource:
        for resource in self.resources:
            if resource.name == name:
                return resource
        raise KeyError(f"no resource named {name}; have {[r.name for r in self.resources]}")


def revealed(value: Any) -> Any:
    """The value with every Secret replaced by what it holds (for checks that need the real data)."""
    if isinstance(value, Secret):
        return revealed(value.value)
    if isinstance(value, dict):
        return {k: revealed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [revealed(v) for v in value]
    return value


def _unwrap(value: Any) -> Any:
    if rpc.is_rpc_secret(value):
        return Secret(_unwrap(rpc.unwrap_rpc_secret(value)))
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


class RecordingMonitor(MockMonitor):
    """The SDK's mock monitor, also keeping each registration's options in order."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Resource] = []
        self.thread_loops: list[asyncio.AbstractEventLoop] = []

    def _own_thread_loop(self) -> None:
        # The SDK's mock monitor gives each executor thread an event loop and never closes it; left
        # to the garbage collector, such a loop fails noisily in its finaliser (at random, after the
        # tests' summary). Creating them here lets each evaluation close its own. A thread an earlier
        # evaluation left with a closed loop (a program that failed while registrations were in flight)
        # gets a new one.
        try:
            if asyncio.get_event_loop().is_closed():
                raise RuntimeError("closed by an earlier evaluation")
        except RuntimeError:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self.thread_loops.append(loop)

    def Invoke(self, request: resource_pb2.ResourceInvokeRequest) -> resource_pb2.ResourceInvokeResponse:
        self._own_thread_loop()
        return super().Invoke(request)

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # URNs as the real engine makes them (the SDK's mock keeps only the parent's last type), so
        # plans and snapshots name resources as `pulumi stack export` does, and a change of any
        # ancestor's type shows up as the change of URN that makes the engine replace the resource.
        if parent and _qualified_type(parent) != STACK_TYPE:
            type_ = f"{_qualified_type(parent)}${type_}"
        return f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{type_}::{name}"

    def RegisterResource(self, request: resource_pb2.RegisterResourceRequest) -> resource_pb2.RegisterResourceResponse:
        self._own_thread_loop()
        response = super().RegisterResource(request)
        if request.type != STACK_TYPE:
            inputs = rpc.deserialize_properties(request.object, keep_unknowns=True)
            self.registrations.append(
                Resource(
                    urn=response.urn,
                    type=request.type,
                    name=request.name,
                    parent=request.parent or None,
                    custom=request.custom,
                    protect=request.protect,
                    inputs=_unwrap(inputs),
                    delete_before_replace=request.deleteBeforeReplace,
                    aliases=[alias_urn(request, alias, response.urn) for alias in request.aliases],
                    provider=request.provider or None,
                    input_dependencies={
                        key: sorted(deps.urns)
                        for key, deps in sorted(request.propertyDependencies.items())
                        if deps.urns
                    },
                    dependencies=sorted(set(request.dependencies)),
                )
            )
        return response


class _InlineExecutor(concurrent.futures.ThreadPoolExecutor):
    """Runs what the SDK hands its executor at once, in the event loop's thread.

    The SDK sends every registration and invoke through `run_in_executor` so that a gRPC call to the engine
    does not block its event loop (pulumi/runtime/resource.py). The mock monitor answers at once, so the hop
    to a thread and back only cost time: two fifths of an evaluation's CPU, measured. The monitor's own
    awaits inside that call use the SDK's `_sync_await`, which pumps a running loop (pulumi/runtime/
    sync_await.py); snapshots of every example stack are byte for byte those of the threaded run."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> concurrent.futures.Future:
        done: concurrent.futures.Future = concurrent.futures.Future()
        try:
            done.set_result(fn(*args, **kwargs))
        except BaseException as error:  # noqa: BLE001 - the SDK's awaiting code handles it, as from a thread
            done.set_exception(error)
        return done


def _qualified_type(urn: str) -> str:
    return urn.split("::")[2]


def alias_urn(request: resource_pb2.RegisterResourceRequest, alias: alias_pb2.Alias, urn: str) -> str:
    """The URN an alias stands for; a spec's blank fields mean "as this resource has it"."""
    if alias.urn:
        return alias.urn
    spec = alias.spec
    prefix, project, _, name = urn.split("::", 3)
    stack = spec.stack or prefix.split(":", 2)[2]
    type_ = spec.type or request.type
    parent = None if spec.noParent else (spec.parentUrn or request.parent or None)
    if parent and _qualified_type(parent) != STACK_TYPE:
        type_ = f"{_qualified_type(parent)}${type_}"
    return f"urn:pulumi:{stack}::{spec.project or project}::{type_}::{spec.name or name}"


def _scalar(value: Any) -> str:
    """A value set in-process (tests) as PULUMI_CONFIG would carry it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


@functools.lru_cache(maxsize=64)
def _parsed(path: Path, mtime_ns: int, size: int, project: str | None) -> Any:
    if project is None:
        return stack_file.as_mapping(path, stack_file.load(path), "a project file")
    return stack_file.stack_values(path, project)


def _read(path: Path, project: str | None = None) -> Any:
    """The decoded file, decoded again only when it changes: like the CLI, which reads the project and
    stack files once per run, re-evaluations in one process (tests, benchmarks) share the work.
    A deep copy keeps the cached document safe from callers."""
    status = path.stat()
    return copy.deepcopy(_parsed(path, status.st_mtime_ns, status.st_size, project))


def placeholder(key: str, where: str) -> str:
    """What the offline plan hands the program for a `secure:` value it cannot decrypt."""
    # No ':' from the key's namespace: a user name set with --secret must pass the checks a real one passes,
    # and a ':' is what a registry login cannot carry.
    spelt = key.replace(":", ".", 1)
    return f"offline-placeholder-for-{spelt}{'.' + where if where and not where.startswith('[') else where}"


def stack_config(
    stack: str, project_dir: Path = PROJECT_DIR, stack_dir: Path | None = None, *, use_stack_file: bool = True
) -> tuple[dict[str, str], list[str]]:
    """The config the CLI would hand the program: project defaults, then the stack file's values.

    `stack_dir` holds the stack file when it is not beside `Pulumi.yaml`: the upgrade check runs this
    tree's program with a stack file from an earlier release, as a user who upgrades does.
    Raises StackFileError for a file the CLI would refuse (offline/stack_file.py).
    """
    project_file = project_dir / "Pulumi.yaml"
    project = _read(project_file)
    name = project.get("name")
    if not isinstance(name, str) or not name:
        raise StackFileError(project_file, "has no `name:` (a non-empty string)")
    config: dict[str, str] = {}
    declared = project.get("config") or {}
    for key, spec in declared.items() if isinstance(declared, dict) else ():
        # A project key's `default`, or another namespace's `value` (pulumi/pulumi pkg/workspace/config.go,
        # ValidateStackConfigAndApplyProjectConfig); the stack file's value wins over either.
        for attribute in ("default", "value"):
            if isinstance(spec, dict) and attribute in spec:
                config[key if ":" in key else f"{name}:{key}"] = stack_file.config_text(spec[attribute], str)[0]
    stack_path = (stack_dir or project_dir) / f"Pulumi.{stack}.yaml"
    values = _read(stack_path, name) if use_stack_file and stack_path.exists() else {}
    secret_keys = []
    for key, value in values.items():
        text, secret = stack_file.config_text(value, lambda where, key=key: placeholder(key, where))
        config[key] = text
        if secret:
            secret_keys.append(key)
    names = {k if ":" in k else f"{name}:{k}" for k in declared} if isinstance(declared, dict) else set()
    check_handover(stack_path, config, names)
    return config, secret_keys


def check_handover(path: Path, config: dict[str, str], declared: Set[str] = frozenset()) -> None:
    """Refuses config the CLI could not hand the program (PULUMI_CONFIG, stack_file.CONFIG_HANDOVER_MAX).

    Go's json.Marshal writes at least what this compact JSON holds (it also escapes <, > and &), so a
    config under the limit here is never refused; a `secure:` value counts as its placeholder."""
    size = len(json.dumps(config, ensure_ascii=False, separators=(",", ":")).encode())
    if size > stack_file.CONFIG_HANDOVER_MAX:
        largest = max(config, key=lambda key: len(config[key].encode()))
        raise StackFileError(
            path,
            f"the config is {size:,} bytes as the Pulumi CLI hands it to the program (PULUMI_CONFIG, one "
            f"environment variable), more than the {stack_file.CONFIG_HANDOVER_MAX:,} Linux lets a program start "
            f"with; the largest value is {_shown_key(largest, declared)} ({len(config[largest].encode()):,} bytes)",
        )


def _shown_key(key: str, declared: Set[str]) -> str:
    """A config key for a message: one Pulumi.yaml declares, or NAMESPACE:name in letters (`aws:region`,
    `gitpod-registry:airGap`); any other may be a credential pasted as a key, and is not shown."""
    if key in declared or re.fullmatch(r"[a-z][a-z-]{0,30}:[a-zA-Z]{1,40}", key):
        return key
    return "a key not shown (it may hold a credential)"


def all_stacks(project_dir: Path = PROJECT_DIR) -> list[str]:
    """Every stack file in the checkout, the user's own included: what `--all` and plan diffs cover."""
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))


def shipped_stacks(project_dir: Path = PROJECT_DIR) -> list[str]:
    """The example stacks this repository ships: stack files git tracks. Snapshots and tests cover
    these only, so a Pulumi.prod.yaml a user keeps in the checkout (untracked) never fails them.
    Outside a git checkout (an exported revision), every stack file."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--", "Pulumi.*.yaml"], cwd=project_dir, capture_output=True, check=True
        ).stdout.decode()
    except (OSError, subprocess.CalledProcessError):
        return all_stacks(project_dir)
    tracked = {Path(name).name for name in listed.split("\0") if name and "/" not in name}
    return [stack for stack in all_stacks(project_dir) if f"Pulumi.{stack}.yaml" in tracked]


example_stacks = shipped_stacks
"""Kept for callers of the earlier name: the shipped example stacks."""


def evaluate(
    stack: str,
    config: dict[str, Any] | None = None,
    *,
    use_stack_file: bool = True,
    program: Path = PROJECT_DIR / "__main__.py",
    project: str = "gitpod-registry",
    stack_dir: Path | None = None,
) -> Evaluation:
    """Runs `program` for `stack`; `config` (full keys, objects allowed) overrides the stack file,
    which is read from `stack_dir` when given (see `stack_config`)."""
    try:
        values, secret_keys = program_config(stack, config, use_stack_file=use_stack_file, stack_dir=stack_dir)
        notices = stack_notices(stack, stack_dir=stack_dir) if use_stack_file else []
    except StackFileError as error:
        # A broken stack file is this stack's error; nothing is evaluated, other stacks go on.
        return Evaluation(stack, {}, [], {}, error)
    evaluation = contextvars.copy_context().run(_evaluate, stack, values, secret_keys, program, project)
    evaluation.warnings[:0] = notices
    return evaluation


def stack_notices(stack: str, project_dir: Path = PROJECT_DIR, stack_dir: Path | None = None) -> list[str]:
    """What the CLI would take from the stack file besides `config:`, and the plan cannot: an ESC
    `environment:` block, whose environments the CLI opens with Pulumi ESC before the program runs, merging
    their `pulumiConfig` into the config."""
    path = (stack_dir or project_dir) / f"Pulumi.{stack}.yaml"
    if not path.exists():
        return []
    document = _read(path)
    if document.get("environment") is None:
        return []
    imports = document["environment"]
    if isinstance(imports, dict):
        imports = imports.get("imports", [])
    names = [name for name in imports if isinstance(name, str)] if isinstance(imports, list) else []
    shown = [name for name in names if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,99}", name)]
    listed = f" ({', '.join(shown)})" if shown and len(shown) == len(names) else ""
    return [
        f"{path.name}: `environment:` imports Pulumi ESC environments{listed}; the Pulumi CLI adds their "
        "pulumiConfig values to this stack's config, and this offline plan cannot read them: it shows the stack "
        "without them"
    ]


def program_config(
    stack: str, config: dict[str, Any] | None = None, *, use_stack_file: bool = True, stack_dir: Path | None = None
) -> tuple[dict[str, str], list[str]]:
    """The config the program is handed, as the CLI hands it: strings, objects as JSON text. Pulumi.yaml's
    values always apply; `config` (full keys; None removes a key) overrides the stack file, or stands in for
    it without `use_stack_file`."""
    values, secret_keys = stack_config(stack, stack_dir=stack_dir, use_stack_file=use_stack_file)
    for key, value in (config or {}).items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = _scalar(value)
    return values, secret_keys


class _Warnings(logging.Handler):
    """The program's `pulumi.log.warn` messages (the mock engine logs them), kept for the plan to print."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _evaluate(stack: str, config: dict[str, str], secret_keys: list[str], program: Path, project: str) -> Evaluation:
    loop = asyncio.new_event_loop()
    loop.set_default_executor(_InlineExecutor(max_workers=1))
    asyncio.set_event_loop(loop)
    monitor = RecordingMonitor(RegistryMocks())
    warnings = _Warnings()
    # One logger for every evaluation, its handler swapped per evaluation: a logger is never freed, and a test
    # run evaluates thousands of times (pytest visits every non-propagating logger at each test phase).
    logger = logging.getLogger("offline.program")
    logger.propagate = False
    logger.addHandler(warnings)
    stack_trace = sdk_resource._get_stack_trace
    # The SDK walks the whole Python stack at every registration to send the engine a source position
    # (pulumi/runtime/resource.py, _get_stack_trace); the mock monitor ignores it and plans name resources
    # by URN, so the walk, about a sixth of an evaluation, is skipped here.
    sdk_resource._get_stack_trace = source_pb2.StackTrace
    try:
        pulumi.runtime.settings.ROOT.set(None)
        # The SDK keeps its pending apply tasks in one set shared by every context; a program that failed in an
        # apply leaves tasks of its closed loop there, which the next evaluation would await.
        pulumi.runtime.settings.SETTINGS.outputs = set()  # type: ignore[bad-assignment]  # a context property
        pulumi.runtime.set_all_config(dict(config), list(secret_keys))
        pulumi.runtime.set_mocks(
            monitor.mocks, project=project, stack=stack, preview=False, monitor=monitor, logger=logger
        )
        if str(program.parent) not in sys.path:
            sys.path.insert(0, str(program.parent))
        error: BaseException | None = None

        def run_program() -> None:
            runpy.run_path(str(program), run_name="__main__")

        try:
            loop.run_until_complete(run_pulumi_func(run_program))
        except Exception as exc:  # noqa: BLE001 - the caller decides what an error means
            error = exc
        root = pulumi.runtime.settings.get_root_resource()
        stack_outputs = root.outputs if error is None and isinstance(root, Stack) else {}
        outputs = loop.run_until_complete(_resolve(stack_outputs))
        return Evaluation(
            stack, dict(config), monitor.registrations, outputs, error, list(secret_keys), warnings.messages
        )
    finally:
        sdk_resource._get_stack_trace = stack_trace
        logger.removeHandler(warnings)
        for thread_loop in monitor.thread_loops:
            thread_loop.close()
        loop.close()
        asyncio.set_event_loop(None)


async def _resolve(outputs: dict[str, Any]) -> dict[str, Any]:
    resolved: dict[str, Any] = {}
    for name, value in outputs.items():
        output = pulumi.Output.from_input(value)
        plain = await output.future()
        resolved[name] = Secret(plain) if await output.is_secret() else plain
    return resolved
