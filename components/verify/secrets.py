"""Kubernetes Secrets as `kubectl get secret -o json` (or `-o yaml`) prints them, and the logins in them.

A Secret's values are decoded once here. Error messages name the file, the secret and the key,
never a value; `credential_strings` lists every value the report must mask.
"""

from __future__ import annotations

import base64
import binascii
import json
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..installer_config import DOCKERCONFIG_KEY, DOCKERCONFIG_TYPE
from ..reference import login_key

# Fields of a .dockerconfigjson entry that hold a credential.
_CREDENTIAL_FIELDS = ("password", "auth", "identitytoken", "registrytoken")


class InputError(Exception):
    """A config or secret file that cannot be used; the message names the file and field, never a value."""


@dataclass(frozen=True)
class Secret:
    name: str
    type: str
    data: dict[str, str] = field(repr=False)
    """Decoded values by key (`data` base64-decoded, `stringData` as is; stringData wins, as in Kubernetes)."""
    source: str
    """Where it was read: a file path or `cluster`."""
    labels: dict[str, str] = field(default_factory=dict)
    """metadata.labels: a controller marks the secrets it writes (SecretWriter.written_mark)."""


@dataclass(frozen=True)
class Login:
    """What a container runtime sends to one registry host: docker's rule, `auth` wins over username/password."""

    username: str
    password: str = field(repr=False)
    problem: str | None = None
    """Why this entry cannot work as written (no password, a newline in `auth`, ...), or None."""


def bare_host(server: str) -> str:
    """The host a `.dockerconfigjson` entry or an image reference names, keyed as the program keys its logins
    (reference.login_key); a key of a hand-made secret may carry a scheme and a path (`https://index.docker.io/v1/`)."""
    return login_key(server.split("://", 1)[-1].split("/", 1)[0])


def load_documents(text: str, source: str) -> list[object]:
    """The objects in a JSON or YAML text; a `kind: List` (kubectl with several names) gives its items."""
    try:
        documents = [json.loads(text)]
    except ValueError:
        try:
            documents = [d for d in yaml.safe_load_all(text) if d is not None]
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark else ""
            raise InputError(f"{source}: neither JSON nor YAML{where}") from None
    items: list[object] = []
    for document in documents:
        if isinstance(document, dict) and str(document.get("kind", "")).endswith("List"):
            items.extend(document.get("items") or [])
        else:
            items.append(document)
    return items


def secret_from_manifest(manifest: object, source: str) -> Secret:
    if not isinstance(manifest, dict):
        raise InputError(f"{source}: expected a Kubernetes Secret object, found {type(manifest).__name__}")
    if manifest.get("kind", "Secret") != "Secret":
        raise InputError(f"{source}: kind is {manifest.get('kind')!r}, expected Secret")
    name = (manifest.get("metadata") or {}).get("name")
    if not name:
        raise InputError(f"{source}: the Secret has no metadata.name")
    data: dict[str, str] = {}
    for key, value in (manifest.get("data") or {}).items():
        try:
            data[key] = base64.b64decode(str(value), validate=True).decode()
        except (binascii.Error, ValueError):
            raise InputError(f"{source}: secret {name}: data.{key} is not base64 of UTF-8 text") from None
    for key, value in (manifest.get("stringData") or {}).items():
        data[key] = str(value)
    labels = (manifest.get("metadata") or {}).get("labels") or {}
    labels = {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}
    return Secret(name, manifest.get("type", "Opaque"), data, source, labels)


def read_secret_files(paths: Iterable[Path]) -> dict[str, Secret]:
    """Every Secret in the files, by name."""
    secrets: dict[str, Secret] = {}
    for path in paths:
        try:
            text = Path(path).read_text()
        except OSError as error:
            raise InputError(f"{path}: cannot read ({error.strerror})") from None
        for manifest in load_documents(text, str(path)):
            secret = secret_from_manifest(manifest, str(path))
            secrets[secret.name] = secret
    return secrets


def read_from_cluster(names: Iterable[str], namespace: str, kubectl: str = "kubectl") -> dict[str, Secret | str]:
    """Each named Secret from the current kubeconfig context, or why it could not be read."""
    found: dict[str, Secret | str] = {}
    for name in names:
        args = [kubectl, "get", "secret", name, "--namespace", namespace, "--output", "json"]
        try:
            run = subprocess.run(args, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as error:
            found[name] = f"kubectl failed: {error}"
            continue
        if run.returncode != 0:
            # kubectl's error names the secret and the reason (NotFound, Forbidden), never its data.
            found[name] = (run.stderr.strip().splitlines() or ["kubectl failed"])[-1]
            continue
        found[name] = secret_from_manifest(json.loads(run.stdout), f"cluster:{namespace}/{name}")
    return found


def docker_logins(secret: Secret) -> dict[str, Login]:
    """The logins in a `.dockerconfigjson` secret, by bare host."""
    if DOCKERCONFIG_KEY not in secret.data:
        raise InputError(f"{secret.source}: secret {secret.name} has no key {DOCKERCONFIG_KEY}")
    try:
        document = json.loads(secret.data[DOCKERCONFIG_KEY])
    except ValueError:
        raise InputError(f"{secret.source}: secret {secret.name}: {DOCKERCONFIG_KEY} is not JSON") from None
    auths = document.get("auths") if isinstance(document, dict) else None
    if not isinstance(auths, dict):
        raise InputError(f"{secret.source}: secret {secret.name}: {DOCKERCONFIG_KEY} has no `auths` object")
    return {bare_host(server): _login(server, entry) for server, entry in auths.items()}


def _login(server: str, entry: object) -> Login:
    if not isinstance(entry, dict):
        return Login("", "", f"auths[{server}] is not an object")
    username, password = str(entry.get("username") or ""), str(entry.get("password") or "")
    problem = None
    if entry.get("auth"):
        try:
            decoded = base64.b64decode(str(entry["auth"]), validate=True).decode()
        except (binascii.Error, ValueError):
            return Login(username, password, f"auths[{server}].auth is not base64 of user:password")
        auth_user, colon, auth_password = decoded.partition(":")
        if not colon:
            return Login(username, password, f"auths[{server}].auth has no ':' between user and password")
        if (username or password) and (auth_user, auth_password) != (username, password):
            problem = f"auths[{server}].auth does not match its username/password; runtimes send auth"
        if auth_password.endswith("\n"):
            problem = f"auths[{server}].auth ends in a newline (made with `echo | base64`?): the login will fail"
        username, password = auth_user, auth_password
    elif not username or not password:
        problem = f"auths[{server}] has neither auth nor both username and password"
    return Login(username, password, problem)


def credential_strings(secrets: Iterable[Secret]) -> set[str]:
    """Every string of these secrets that output must never show, in each form it may take."""
    masked: set[str] = set()
    for secret in secrets:
        masked.update(secret.data.values())
        if secret.type != DOCKERCONFIG_TYPE and DOCKERCONFIG_KEY not in secret.data:
            continue
        try:
            auths = json.loads(secret.data[DOCKERCONFIG_KEY]).get("auths") or {}
        except (ValueError, KeyError, AttributeError):
            continue
        for entry in auths.values():
            if not isinstance(entry, dict):
                continue
            masked.update(str(entry[key]) for key in _CREDENTIAL_FIELDS if entry.get(key))
            login = _login("", entry)
            if login.password:
                masked.add(login.password)
                masked.add(base64.b64encode(f"{login.username}:{login.password}".encode()).decode())
    return {value for value in masked if value}
