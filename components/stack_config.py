"""Reads a stack's Pulumi configuration into the composite's arguments.

Every value is parsed and validated here, in plain Python, before any resource is
registered; errors name the config key (`gitpod-registry:...`) and what is allowed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from . import validation
from .gcp_names import is_gcr_domain
from .gitpod_image_registries import GitpodImageRegistriesArgs, check_args, check_backend
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
}
_COMPONENT_IMAGE_FIELDS = {"repository": "component_repository"}
_BASE_IMAGE_FIELDS = {"workspaceImage": "workspace_image"}


def key(name: str) -> str:
    return f"{PROJECT}:{name}"


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)


def config_key_of(arg_path: str) -> str:
    """The config key an argument path of GitpodImageRegistriesArgs comes from."""
    fixed = {
        "workspace_images.region": "aws:region",
        "workspace_images.project": "gcp:project",
        "component_repository": key("componentImages.repository"),
        "workspace_image": key("baseImages.workspaceImage"),
    }
    if arg_path in fixed:
        return fixed[arg_path]
    return key(".".join(_camel(part) for part in arg_path.split(".")))


def _parse_object(name: str, raw: str | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    if not isinstance(value, dict):
        raise InvalidInput(key(name), f"expected an object (a YAML mapping), got {validation.describe(value)}")
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
    if re.match(r"^[a-z]([-a-z0-9]*[a-z0-9])?$", stack) and len(stack) <= validation.CLUSTER_NAME_MAX:
        return stack
    raise InvalidInput(
        key("clusterName"),
        f"not set, and the stack name {stack!r} cannot serve as its default; set it to 1-"
        f"{validation.CLUSTER_NAME_MAX} lowercase letters, digits and '-', starting with a letter",
    )


def load(read: ConfigReader, stack: str) -> GitpodImageRegistriesArgs:
    """Parses and validates the stack's configuration; raises InvalidInput on the first problem."""
    workspace = _parse_object("workspaceImages", read(PROJECT, "workspaceImages"))
    if workspace is None:
        raise InvalidInput(
            key("workspaceImages"),
            "required; set it to an object with 'backend' (s3 or artifact-registry), e.g. "
            "`pulumi config set --path workspaceImages.backend s3`",
        )

    backend = check_backend(key("workspaceImages.backend"), workspace.get("backend"))
    workspace_args = _rename("workspaceImages", workspace, _WORKSPACE_FIELDS[backend])
    renamed: dict[str, str] = {}
    if backend == "s3":
        workspace_args["region"] = read("aws", "region")
    elif backend == "artifact-registry":
        workspace_args["project"] = read("gcp", "project")
        # The repository defaults to the provider's region; gcr.io-domain repositories have a fixed one.
        if "location" not in workspace_args and not is_gcr_domain(workspace_args.get("repository")):
            workspace_args["location"] = read("gcp", "region")
            renamed["workspace_images.location"] = "gcp:region"

    cluster = read(PROJECT, "clusterName")
    args: GitpodImageRegistriesArgs = {
        "cluster_name": cluster if cluster is not None else _default_cluster_name(stack),
        "namespace": read(PROJECT, "namespace") or DEFAULT_NAMESPACE,
        "protect_data": _parse_bool("protectData", read(PROJECT, "protectData"), True),
        "workspace_images": workspace_args,
    }
    for name, fields in (("componentImages", _COMPONENT_IMAGE_FIELDS), ("baseImages", _BASE_IMAGE_FIELDS)):
        role = _parse_object(name, read(PROJECT, name))
        if role is not None:
            args.update(_rename(name, role, fields))
    check_args(args, lambda path: renamed.get(path) or config_key_of(path))
    return args
