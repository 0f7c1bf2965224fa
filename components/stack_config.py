"""Reads a stack's Pulumi configuration into the composite's checked arguments, through config_spec.

The reader maps each key to its argument (the snake_case of its path), refuses unknown keys at
every level with the nearest known one, parses scalars as the CLI hands them over (every value
arrives as a string; objects as JSON text), fills provider-config fallbacks such as `aws:region`,
and checks everything once, before any resource is registered. Errors name the config key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi.runtime.config

from .config_spec import PROJECT, SPEC
from .fields import Field
from .kubernetes.dockerconfig import Password
from .registries_args import CheckedRegistries, check_args
from .validation import (
    CLUSTER_NAME_MAX,
    INT32_MAX,
    WITHHELD,
    InvalidInput,
    at,
    cluster_name,
    describe,
    key_ref,
    may_hold_credential,
    render,
    unknown_field,
)
from .workspace_images import BACKENDS


class InvalidConfig(InvalidInput):
    """An InvalidInput whose message names config keys (`gitpod-registry:workspaceImages.backend`)."""


def all_config() -> dict[str, Any]:
    """Every config value the program was given: the CLI's PULUMI_CONFIG, and values set in-process (mocks)."""
    return {**pulumi.runtime.config.get_config_env(), **pulumi.runtime.config.CONFIG.get()}


def _object_fields(field: Field, value: Mapping[str, Any]) -> tuple[Field, ...]:
    # workspaceImages takes the fields of its backend; an unknown backend is reported by the check.
    backend = value.get("backend")
    if field.name == "workspace_images" and isinstance(backend, str) and backend in BACKENDS:
        return field.fields_for(backend)
    return field.fields


def _empty(field: Field, path: str) -> InvalidInput:
    """A key given no value: YAML `key:`, `key: null` and `key: ""` all reach the program this way."""
    if field.secret:
        give = f"set it with `pulumi config set --secret --path {key_ref(path)} ...`"
    else:
        give = "give a value"
    if field.default is not None:
        unset = f"remove the key to use the default {describe(field.default)}"
    elif field.alternative_to is not None:
        unset = f"remove the key and give {field.alternative_to}"
    elif field.default_text is not None:
        unset = f"remove the key to use the default ({field.default_text})"
    elif field.fallback is not None:
        unset = f"remove the key to use {field.fallback}"
    elif field.required:
        return InvalidInput(path, f"empty, and it is required; {give}")
    else:
        unset = "remove the key to leave it unset"
    return InvalidInput(path, f"empty; {give}, or {unset}")


def _convert(field: Field, value: Any, path: str) -> Any:
    """A value from config JSON with its keys renamed to arguments; credentials wrapped as Password."""
    if value is None or value == "":
        raise _empty(field, path)
    if field.kind == "object" and isinstance(value, dict):
        fields = {f.key: f for f in _object_fields(field, value)}
        for name in value:
            if name not in fields:
                raise unknown_field(path, str(name), [f.name for f in fields.values()])
        return {fields[k].name: _convert(fields[k], v, at(path, fields[k].name)) for k, v in value.items()}
    if field.kind == "array" and isinstance(value, list) and field.fields:
        element = Field(field.name, "object", fields=field.fields)
        return [_convert(element, item, at(path, i)) for i, item in enumerate(value)]
    if field.secret and isinstance(value, str):
        return Password(value)
    return value


class _LongNumber(Exception):
    def __init__(self, digits: int) -> None:
        self.digits = digits


# Python's int() refuses decimal text of over 4300 digits with a ValueError (sys.get_int_max_str_digits); no
# number that long fits any field, so json.loads is stopped before it gets there.
_JSON_INT_DIGITS_MAX = 40


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > _JSON_INT_DIGITS_MAX:
        raise _LongNumber(len(text.lstrip("-")))
    return int(text)


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object of JSON text with each key once: json.loads would keep the last of two silently. A value
    the CLI builds from YAML never has two (yaml.v3 refuses them); one set as a JSON string can."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _parse(field: Field, raw: Any) -> Any:
    """A top-level value as the CLI hands it over: a string, with objects and lists as JSON text."""
    if not isinstance(raw, str) or raw == "":
        return raw  # set in-process (mocks, tests) as a structured value; "" is refused as empty
    if field.kind in ("object", "array"):
        try:
            return json.loads(raw, object_pairs_hook=_unique_keys, parse_int=_json_int)
        except _LongNumber as error:
            raise InvalidInput(
                field.name,
                f"the JSON text given holds a {error.digits}-digit number; whole numbers here are at most "
                f"{INT32_MAX} (the package's integer)",
            ) from None
        except _DuplicateKey as error:
            raise InvalidInput(
                field.name,
                f"the JSON text given holds key {describe(error.key)} twice in one object; the program cannot "
                "know which value you meant: give each key once",
            ) from None
        except (ValueError, RecursionError):
            expected = "an object (a YAML mapping)" if field.kind == "object" else "a list"
            # Not echoed: a string where an object belongs may be anything, a password included.
            raise InvalidInput(field.name, f"expected {expected}, got a string (value not shown)") from None
    if field.kind == "boolean":
        if raw.lower() not in ("true", "false"):
            raise InvalidInput(field.name, f"expected true or false, got {describe(raw)}")
        return raw.lower() == "true"
    return raw


def _fill_fallbacks(args: dict[str, Any], config: Mapping[str, Any], renamed: dict[str, str]) -> None:
    """Provider config (aws:region, gcp:project, gcp:region) serves fields the stack leaves unset."""
    workspace = args.get("workspace_images")
    if not isinstance(workspace, dict) or not isinstance(workspace.get("backend"), str):
        return
    if workspace["backend"] not in BACKENDS:
        return
    for field in SPEC.field("workspace_images").fields_for(workspace["backend"]):
        if field.fallback is None or field.name in workspace:
            continue
        if field.fallback_applies is not None and not field.fallback_applies(workspace):
            continue
        renamed[at("workspace_images", field.name)] = field.fallback
        if config.get(field.fallback) is not None:
            workspace[field.name] = config[field.fallback]


def _default_cluster_name(stack: str) -> str:
    try:
        return cluster_name("cluster_name", stack)
    except InvalidInput:
        raise InvalidInput(
            "cluster_name",
            f"not set, and the stack name {describe(stack)} cannot serve as its default; set it to 1-"
            f"{CLUSTER_NAME_MAX} lowercase letters, digits and '-', starting with a letter",
        ) from None


def _project_keys(config: Mapping[str, Any]) -> dict[str, Any]:
    """The project's keys without the namespace. `gitpod-registry:config:NAME` is the CLI's older spelling of
    `gitpod-registry:NAME` (config/key.go, ParseKey); one key in two spellings is refused, naming both, since
    a Go map (config.Map) decides which one the CLI keeps."""
    given: dict[str, Any] = {}
    spelt: dict[str, str] = {}
    for key, value in config.items():
        if not key.startswith(f"{PROJECT}:"):
            continue
        name = key.split(":", 1)[1]
        name = name.removeprefix("config:") if name.count(":") == 1 else name
        if name in spelt:
            first, second = sorted((spelt[name], key))
            shown = not any(may_hold_credential(part) for part in f"{first}:{second}".split(":"))
            both = f"as {first} and as {second}" if shown else "in two spellings (not shown)"
            raise InvalidInput(
                name, f"given twice, {both}; the Pulumi CLI keeps one of them at random, so give it once"
            )
        spelt[name] = key
        given[name] = value
    return given


def _credential_paths(field: Field, value: Any, path: str) -> list[str]:
    """The paths of the credential fields (declared `secret`) that `value` gives a string."""
    if field.kind == "object" and isinstance(value, dict):
        fields = {f.key: f for f in _object_fields(field, value)}
        return [
            p
            for k, v in value.items()
            if k in fields
            for p in _credential_paths(fields[k], v, at(path, fields[k].name))
        ]
    if field.kind == "array" and isinstance(value, list) and field.fields:
        element = Field(field.name, "object", fields=field.fields)
        return [p for i, item in enumerate(value) for p in _credential_paths(element, item, at(path, i))]
    return [path] if field.secret and isinstance(value, str) and value else []


def secret_keys() -> set[str]:
    """The config keys the engine marks secret: a value set with `--secret`, or an object holding one.

    The CLI marks a whole top-level key secret when any value inside it is `secure:` (pulumi/pulumi
    sdk/go/common/resource/config/value.go: `unmarshalValue`, `hasSecureValue`) and hands the list to the
    program as PULUMI_CONFIG_SECRET_KEYS (read by `get_config_secret_keys_env`); in-process (mocks,
    automation) it arrives through `set_all_config` and `is_config_secret`."""
    from_env = set(pulumi.runtime.config.get_config_secret_keys_env())
    return from_env | {key for key in all_config() if pulumi.runtime.config.is_config_secret(key)}


def plaintext_credentials(config: Mapping[str, Any], secret: set[str]) -> list[str]:
    """Warnings for credentials given in plain text: a key with a credential field that the engine does
    not mark secret was written into the stack file without `secure:`. Only key names and field paths are
    named, never a value. A key that holds one `secure:` value is secret as a whole, so a second, plain
    password beside it cannot be told apart (the engine says no more)."""
    fields = {field.key: field for field in SPEC.fields}
    found = []
    for name, raw in _project_keys(config).items():
        field = fields.get(name)
        if field is None or {f"{PROJECT}:{name}", f"{PROJECT}:config:{name}"} & secret:
            continue
        try:
            value = _parse(field, raw)
        except InvalidInput:
            continue  # refused by the reader, naming the key
        for path in _credential_paths(field, value, field.name):
            key = render(path, "config")
            found.append(
                f"{key} is a credential written in plain text (no `secure:`): anyone who can read the stack "
                f"file or its history can read it. Encrypt it with `pulumi config set --secret --path '{key}' "
                "VALUE`, and rotate it if the file was ever shared or committed"
            )
    return found


def read(config: Mapping[str, Any], stack: str, renamed: dict[str, str]) -> dict[str, Any]:
    """The composite's arguments from `config` (full keys, `gitpod-registry:...`), before the check."""
    given = _project_keys(config)
    fields = {field.key: field for field in SPEC.fields}
    for name in given:
        if name not in fields:
            raise unknown_field("", name, [f.name for f in SPEC.fields])
    args: dict[str, Any] = {}
    for key, raw in given.items():
        field = fields[key]
        args[field.name] = _convert(field, _parse(field, raw), field.name)
    if "workspace_images" not in args and "air_gap" not in args:
        raise InvalidInput(
            "workspace_images",
            "required (unless airGap is set); set it to an object with 'backend' "
            f"({', '.join(BACKENDS)}), e.g. `pulumi config set --path workspaceImages.backend {next(iter(BACKENDS))}`",
        )
    if "cluster_name" not in args:
        args["cluster_name"] = _default_cluster_name(stack)
    _fill_fallbacks(args, config, renamed)
    return args


def _squashed(namespace: str) -> str:
    return "".join(c for c in namespace.lower() if c.isascii() and c.isalnum())


def is_near_miss_namespace(namespace: str) -> bool:
    """A namespace that is not the project's but reads as a misspelling of it: `gitpod`, `gitpod_registry`,
    `Gitpod-Registry`, `gitpod-regsitry`. Pulumi compares namespaces as given (resource/config/key.go), so
    the CLI hands such keys to the program under that namespace, where nothing reads them."""
    if namespace == PROJECT:
        return False
    from difflib import SequenceMatcher

    squashed, project = _squashed(namespace), _squashed(PROJECT)
    return squashed in (project, "gitpod") or SequenceMatcher(None, squashed, project).ratio() >= 0.85


def refuse_near_miss_keys(config: Mapping[str, Any]) -> None:
    """Refuses a key that the program would read if its namespace were spelt `gitpod-registry`, naming both
    spellings, as an unknown key inside the namespace is refused: set there, it would silently do nothing."""
    known = {field.key for field in SPEC.fields}
    for key in sorted(config):
        space, _, name = key.partition(":")
        name = name.removeprefix("config:") if name.count(":") == 1 else name
        if not name or name not in known or not is_near_miss_namespace(space):
            continue
        if describe(space) == WITHHELD:
            given = f"given in a namespace not shown (it may hold a credential) instead of {PROJECT!r}"
        else:
            given = f"given as {key}, in namespace {space!r} instead of {PROJECT!r}"
        raise InvalidConfig(
            f"{PROJECT}:{name}",
            f"{given}; config namespaces are compared as spelt, so the program would never read it and it "
            f"would do nothing: write it as {PROJECT}:{name}",
        )


def other_case_keys(config: Mapping[str, Any]) -> list[str]:
    """Warnings for keys in a namespace that differs from the project's by case alone (`Gitpod-Registry:x`).

    Pulumi's config namespaces are case-sensitive (resource/config/key.go compares them as given), so the
    program never reads these keys: `namespace` set there is silently not set."""
    found = []
    for key in sorted(config):
        space, _, name = key.partition(":")
        if not name or space == PROJECT or space.lower() != PROJECT:
            continue
        if WITHHELD in (describe(space), describe(name)):
            found.append(
                f"a config key (not shown: it may hold a credential) is in a namespace that differs from {PROJECT} "
                "by case alone; config namespaces are case-sensitive, so this program ignores it"
            )
        else:
            found.append(
                f"config key {space}:{name} is in namespace {space!r}, not {PROJECT!r}; config namespaces are "
                f"case-sensitive, so this program ignores it: write it as {PROJECT}:{name}"
            )
    return found


def load(config: Mapping[str, Any], stack: str) -> CheckedRegistries:
    """Reads and checks the stack's configuration; raises InvalidConfig naming the key on the first problem."""
    refuse_near_miss_keys(config)
    renamed: dict[str, str] = {}
    try:
        for warning in [*other_case_keys(config), *plaintext_credentials(config, secret_keys())]:
            pulumi.log.warn(warning)
        checked = check_args(read(config, stack, renamed))
    except InvalidInput as error:
        raise InvalidConfig(error.where("config", renamed), error.problem_in("config", renamed)) from None
    for doubt in checked.warnings:
        pulumi.log.warn(f"{doubt.where('config', renamed)}: {doubt.problem_in('config', renamed)}")
    return checked
