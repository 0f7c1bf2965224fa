"""Reads a stack's Pulumi configuration into the composite's arguments.

Every value is parsed and validated here, in plain Python, before any resource is
registered; errors name the config key (`gitpod-registry:...`) and what is allowed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from . import validation
from .dockerconfig import Password
from .gcp_names import is_gcr_domain
from .registry_roles import GitpodImageRegistriesArgs, check_args, check_backend
from .validation import InvalidInput

PROJECT = "gitpod-registry"
DEFAULT_NAMESPACE = "gitpod"

ConfigReader = Callable[[str, str], "str | None"]
"""Returns the raw value of config key (namespace, key), or None when unset."""

# Config fields of workspaceImages, per backend, and the argument each becomes.
_WORKSPACE_FIELDS: dict[str, dict[str, str]] = {
    "s3": {
        "backend": "backend",
        "bucket": "bucket",
        "keyGeneration": "key_generation",
        "keepPreviousKey": "keep_previous_key",
    },
    "artifact-registry": {
        "backend": "backend",
        "location": "location",
        "repository": "repository",
        "serviceAccount": "service_account",
        "cleanupOlderThanDays": "cleanup_older_than_days",
        "cleanupKeepCount": "cleanup_keep_count",
        "keyGeneration": "key_generation",
        "keepPreviousKey": "keep_previous_key",
    },
    "external": {"backend": "backend", "url": "url", "username": "username", "password": "password"},
}
_COMPONENT_IMAGE_FIELDS = {
    "repository": "component_repository",
    "username": "component_username",
    "password": "component_password",
    "dropImageRepo": "drop_image_repo",
}
_BASE_IMAGE_FIELDS = {"workspaceImage": "workspace_image", "registries": "base_image_registries"}
_AIR_GAP_FIELDS = {"registry": "registry", "username": "username", "password": "password"}
# Argument-path prefixes whose config key is not their camelCase spelling.
_KEY_PREFIXES = {
    "base_image_registries": "baseImages.registries",
    "air_gap": "airGap",
    "drop_image_repo": "componentImages.dropImageRepo",
}


def key(name: str) -> str:
    return f"{PROJECT}:{name}"


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)


_FIXED_KEYS = {
    "workspace_images.region": "aws:region",
    "workspace_images.project": "gcp:project",
    "component_repository": key("componentImages.repository"),
    "workspace_image": key("baseImages.workspaceImage"),
    "component_username": key("componentImages.username"),
    "component_password": key("componentImages.password"),
}


def config_key_of(arg_path: str) -> str:
    """The config key an argument path of GitpodImageRegistriesArgs comes from."""
    if arg_path in _FIXED_KEYS:
        return _FIXED_KEYS[arg_path]
    for prefix, config_path in _KEY_PREFIXES.items():
        if arg_path.startswith(prefix):
            rest = arg_path[len(prefix) :]
            return key(config_path + ".".join(_camel(part) for part in rest.split(".")))
    return key(".".join(_camel(part) for part in arg_path.split(".")))


def _hide_passwords(value: Any) -> Any:
    """Wraps every `password` field so it cannot be printed; the config reader hands them over as plain JSON."""
    if isinstance(value, list):
        return [_hide_passwords(item) for item in value]
    if isinstance(value, dict):
        return {
            name: Password(item) if name == "password" and isinstance(item, str) else _hide_passwords(item)
            for name, item in value.items()
        }
    return value


def _parse_object(name: str, raw: str | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    if not isinstance(value, dict):
        # kind_of, not the value: a misplaced list of registries would carry passwords.
        raise InvalidInput(key(name), f"expected an object (a YAML mapping), got {validation.kind_of(value)}")
    return value


def _parse_bool(name: str, raw: str | None, default: bool) -> bool:
    if raw is None:
        return default
    if raw.lower() not in ("true", "false"):
        raise InvalidInput(key(name), f"expected true or false, got {validation.describe(raw)}")
    return raw.lower() == "true"


def _rename(prefix: str, given: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    validation.require_known_fields(key(prefix), given, fields)
    return {fields[name]: value for name, value in given.items()}


def _default_cluster_name(stack: str) -> str:
    try:
        return validation.cluster_name(key("clusterName"), stack)
    except InvalidInput:
        pass
    raise InvalidInput(
        key("clusterName"),
        f"not set, and the stack name {stack!r} cannot serve as its default; set it to 1-"
        f"{validation.CLUSTER_NAME_MAX} lowercase letters, digits and '-', starting with a letter",
    )


def load(read: ConfigReader, stack: str) -> GitpodImageRegistriesArgs:
    """Parses and validates the stack's configuration; raises InvalidInput on the first problem."""
    air_gap = _hide_passwords(_parse_object("airGap", read(PROJECT, "airGap")))
    workspace = _hide_passwords(_parse_object("workspaceImages", read(PROJECT, "workspaceImages")))
    if workspace is None and air_gap is None:
        raise InvalidInput(
            key("workspaceImages"),
            "required (unless airGap is set); set it to an object with 'backend' (s3, artifact-registry, "
            "external), e.g. `pulumi config set --path workspaceImages.backend s3`",
        )

    cluster = read(PROJECT, "clusterName")
    args: GitpodImageRegistriesArgs = {
        "cluster_name": cluster if cluster is not None else _default_cluster_name(stack),
        "namespace": read(PROJECT, "namespace") or DEFAULT_NAMESPACE,
        "protect_data": _parse_bool("protectData", read(PROJECT, "protectData"), True),
    }
    renamed: dict[str, str] = {}
    if workspace is not None:
        backend = check_backend(key("workspaceImages.backend"), workspace.get("backend"))
        workspace_args = _rename("workspaceImages", workspace, _WORKSPACE_FIELDS[backend])
        if backend == "s3":
            workspace_args["region"] = read("aws", "region")
        elif backend == "artifact-registry":
            workspace_args["project"] = read("gcp", "project")
            # The repository defaults to the provider's region; gcr.io-domain repositories have a fixed one.
            if "location" not in workspace_args and not is_gcr_domain(workspace_args.get("repository")):
                workspace_args["location"] = read("gcp", "region")
                renamed["workspace_images.location"] = "gcp:region"
        args["workspace_images"] = workspace_args
    if air_gap is not None:
        args["air_gap"] = _rename("airGap", air_gap, _AIR_GAP_FIELDS)
    for name, fields in (("componentImages", _COMPONENT_IMAGE_FIELDS), ("baseImages", _BASE_IMAGE_FIELDS)):
        role = _hide_passwords(_parse_object(name, read(PROJECT, name)))
        if role is not None:
            args.update(_rename(name, role, fields))
    check_args(args, lambda path: renamed.get(path) or config_key_of(path))
    return args
