"""`.dockerconfigjson` documents, the credentials that go into them, and the secrets that carry them.

Gitpod mounts one such secret for pushing workspace images and for pulling private
base images, so every credential the cluster needs ends up in one document: one
entry per bare registry host, `auth` = base64("user:password") with no newline.
"""

import base64
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ..installer_config import DOCKERCONFIG_KEY, DOCKERCONFIG_TYPE
from ..reference import ReferenceError, parse_name
from ..validation import InvalidInput, at, describe, key_ref, kind_of, ref, require_known_fields, require_type
from .limits import check_secret_size

LABELS = {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "gitpod"}
"""Labels of every Kubernetes secret the components create."""

USERNAME_MAX = 1024
PASSWORD_MAX = 4096
"""The longest user name and password (bytes, UTF-8) a registry login takes here. A runtime sends the login
as one header line, `Authorization: Basic base64(user:password)`, and nginx, in front of Harbor, GitLab,
Nexus and most self-hosted registries, answers 400 to a header line over its default 8 KiB
(large_client_header_buffers 4 8k): 1024 + 1 + 4096 bytes are 6,828 in base64, which fits with the header's
name. The largest login people paste, a GCP service-account key (`_json_key`), is about 2.4 KB."""


class Password:
    """A password read from configuration. It prints masked, so it cannot leak through a
    log line, an f-string or an exception; it reaches resources only via `secret_output`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Password([secret])"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Password) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Password", self._value))


PasswordInput = pulumi.Input[str] | Password


def secret_output(password: PasswordInput) -> pulumi.Output[str]:
    """The password as a Pulumi secret, whatever form it was given in."""
    return pulumi.Output.secret(password.reveal() if isinstance(password, Password) else password)


class RegistryCredential(TypedDict):
    server: str
    """Registry host, e.g. europe-west1-docker.pkg.dev or registry.example.com:5000 (a path is ignored)."""
    username: str
    """User (or robot account) that can pull from server."""
    password: PasswordInput
    """Secret; its password or token. Never printed."""


def registry_host(field: str, server: object) -> str:
    """The host a `.dockerconfigjson` is keyed by: lowercase, no path, Docker Hub as docker.io.

    `server` is a host, optionally with a port and a repository path, parsed by the runtimes' grammar
    (reference.py): its first component must be what a runtime reads as a host.
    """
    server = require_type(field, server, str, "a registry host such as registry.example.com")
    try:
        # A trailing '/' after a path is harmless here; the runtime's grammar has none.
        return parse_name(server.removesuffix("/"), host_required=True).key
    except ReferenceError as error:
        raise InvalidInput(field, f"{describe(server)} {error}") from None


def _control_characters(text: str) -> bool:
    # RFC 7617: neither part of a Basic login may hold a control character; a newline pasted with a
    # token is the usual one, and would end up inside `auth`.
    return any(unicodedata.category(c) == "Cc" for c in text)


_INVISIBLE = {"Cf": "a format character", "Zl": "a line separator", "Zp": "a paragraph separator"}


def _invisible_character(text: str) -> str | None:
    """What a reviewer cannot see in a login, or None: a format character (zero-width space and joiners,
    U+FEFF, right-to-left overrides), a line or paragraph separator (U+2028, U+2029), or a space other than
    U+0020 (no-break, ideographic, ...). Each prints as nothing or as a plain space, in a plan and in a
    terminal, so two different logins look alike; a registry compares them byte by byte."""
    for character in text:
        category = unicodedata.category(character)
        if category in _INVISIBLE or (category == "Zs" and character != " "):
            kind = _INVISIBLE.get(category, "a space other than U+0020")
            return f"U+{ord(character):04X}, {kind}"
    return None


def _check_visible(field: str, text: str, how: str = "") -> None:
    found = _invisible_character(text)
    if found is not None:
        raise InvalidInput(
            field,
            f"contains a character a reviewer cannot see ({found}), e.g. pasted from a web page or a document; "
            f"retype it (value not shown){'; ' + how if how else ''}",
        )


def check_username(field: str, value: object) -> str:
    if value is None or value == "":
        raise InvalidInput(field, "required; the registry user name")
    value = require_type(field, value, str, "a user name (a string)")
    _check_length(field, value, USERNAME_MAX, "user name")
    if ":" in value:
        # Registries split `auth` at the first ':'; a colon in the user name shifts it into the password.
        # Not echoed: `user:token` pasted here holds a token.
        raise InvalidInput(
            field, "contains ':', which a registry login cannot carry (value not shown: it may hold a token)"
        )
    if _control_characters(value):
        raise InvalidInput(field, "contains a control character, e.g. a newline pasted with it (value not shown)")
    _check_visible(field, value)
    if value.strip() != value or not value.strip():
        raise InvalidInput(field, "starts or ends with whitespace, or is only whitespace (value not shown)")
    return value


def _check_length(field: str, text: str, maximum: int, what: str) -> None:
    """Length first, before any other work on the text; the refusal shows the size only."""
    if len(text) > maximum or len(text.encode()) > maximum:
        raise InvalidInput(
            field,
            f"too long for a registry login: {len(text.encode()):,} bytes (value not shown); a {what} takes at "
            f"most {maximum:,} bytes, so that the login fits the 8 KiB header line registries accept",
        )


def _check_password_text(field: str, text: str, how: str) -> None:
    _check_length(field, text, PASSWORD_MAX, "password or token")
    if text == "":
        raise InvalidInput(field, f"required; {how}")
    if _control_characters(text):
        raise InvalidInput(
            field, f"contains a control character, e.g. a newline pasted with it (value not shown); {how}"
        )
    _check_visible(field, text, how)
    if not text.strip():
        raise InvalidInput(field, f"is only whitespace (value not shown); {how}")


def check_password(field: str, value: object) -> PasswordInput:
    """A password given as config secret, plain string or Output; never echoed in the error."""
    how = f"set it with `pulumi config set --secret --path {key_ref(field)} ...`"
    if value is None:
        raise InvalidInput(field, f"required; {how}")
    if isinstance(value, Password):
        _check_password_text(field, value.reveal(), how)
        return value
    if isinstance(value, pulumi.Output):
        return value  # known only at deployment
    if not isinstance(value, str):
        raise InvalidInput(field, f"expected a string, got {kind_of(value)} (value not shown); quote it and {how}")
    _check_password_text(field, value, how)
    return value


def check_credential(field: str, credential: object) -> RegistryCredential:
    """Validates one {server, username, password}; `field` names the credential, e.g. `...registries[0]`."""
    if not isinstance(credential, dict):
        raise InvalidInput(field, f"expected an object with server, username and password, got {kind_of(credential)}")
    require_known_fields(field, credential, ["server", "username", "password"])
    return {
        "server": registry_host(at(field, "server"), credential.get("server")),
        "username": check_username(at(field, "username"), credential.get("username")),
        "password": check_password(at(field, "password"), credential.get("password")),
    }


def _same_login(a: RegistryCredential, b: RegistryCredential) -> bool:
    if a["username"] != b["username"]:
        return False
    plain = (str, Password)
    # Outputs cannot be compared before deployment, so two of them for one host count as different.
    return isinstance(a["password"], plain) and isinstance(b["password"], plain) and a["password"] == b["password"]


def merged_entries(entries: Sequence[tuple[str, RegistryCredential]]) -> list[tuple[str, RegistryCredential]]:
    """One (path, credential) per host, in a stable order. `entries` pairs each checked credential with the
    path that named it; the same login twice is merged, two different logins for a host are refused."""
    by_host: dict[str, tuple[str, RegistryCredential]] = {}
    for field, credential in entries:
        host = credential["server"]
        if host in by_host:
            first_field, first = by_host[host]
            if not _same_login(first, credential):
                raise InvalidInput(
                    field,
                    f"registry host {host!r} already has a different credential ({ref(first_field)}); Gitpod mounts "
                    "one .dockerconfigjson, which holds one credential per host: use one login for both",
                )
            continue
        by_host[host] = (field, credential)
    return [by_host[host] for host in sorted(by_host)]


def merge_credentials(entries: Sequence[tuple[str, RegistryCredential]]) -> list[RegistryCredential]:
    """The credentials of `merged_entries`, without their paths."""
    return [credential for _, credential in merged_entries(entries)]


@dataclass(frozen=True)
class RegistryLogins:
    """Checked logins a backend's secret carries besides its own push login, one per host, each with the
    path it was given at: private base-image registries, and a private component mirror.

    Gitpod's runtime reads one `.dockerconfigjson` for all of them: image-builder-mk3 for base images,
    registry-facade, blobserve and ide-service for Gitpod's own images (see registries_args.py).
    """

    entries: tuple[tuple[str, RegistryCredential], ...] = ()
    allow_list: tuple[str, ...] = ()
    """Hosts image-builder may use these logins for when it pulls base images
    (`containerRegistry.privateBaseImageAllowList`), sorted."""

    @property
    def credentials(self) -> tuple[RegistryCredential, ...]:
        return tuple(credential for _, credential in self.entries)

    @property
    def hosts(self) -> list[str]:
        return [credential["server"] for credential in self.credentials]

    def path_of(self, host: str) -> str:
        return next(path for path, credential in self.entries if credential["server"] == host)

    def with_login(self, path: str, credential: RegistryCredential, allow: bool) -> "RegistryLogins":
        """These logins and one more (merged with an equal one for its host, refused if it differs);
        `allow` puts its host on the allow list."""
        entries = tuple(merged_entries([*self.entries, (path, credential)]))
        check_docker_config_size(path, [c for _, c in entries])
        allow_list = {*self.allow_list, credential["server"]} if allow else set(self.allow_list)
        return RegistryLogins(entries, tuple(sorted(allow_list)))


NO_LOGINS = RegistryLogins()


def check_logins(path: str, value: object) -> RegistryLogins:
    """A list of {server, username, password} at `path`, checked, merged to one login per host, allow-listed."""
    if not isinstance(value, list):
        raise InvalidInput(path, f"expected a list, got {kind_of(value)}")
    entries = [(at(path, i), check_credential(at(path, i), credential)) for i, credential in enumerate(value)]
    merged = tuple(merged_entries(entries))
    check_docker_config_size(path, [credential for _, credential in merged])
    return RegistryLogins(merged, tuple(sorted(credential["server"] for _, credential in merged)))


def check_docker_config_size(field: str, credentials: Sequence[RegistryCredential]) -> None:
    """Refuses logins whose `.dockerconfigjson` would not fit one Kubernetes Secret (1 MiB). A password known
    only at deployment (an Output) counts as empty: the check never refuses what might fit."""
    known = [
        (c["server"], c["username"], c["password"].reveal() if isinstance(c["password"], Password) else c["password"])
        for c in credentials
    ]
    document = docker_config_json([(h, u, p if isinstance(p, str) else "") for h, u, p in known])
    check_secret_size(field, len(document.encode()), "the registry secret (.dockerconfigjson)")


def auth_entry(username: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"username": username, "password": password, "auth": token}


def check_unique_hosts(field: str, hosts: Sequence[str]) -> None:
    """One entry per host: two credentials for the same host would silently shadow each other."""
    seen: set[str] = set()
    for host in hosts:
        if host in seen:
            raise InvalidInput(field, f"two credentials for registry host {host!r}; give each host once")
        seen.add(host)


def docker_config_json(credentials: Sequence[tuple[str, str, str]]) -> str:
    """The document for (host, username, password) triples, keys in a stable order."""
    check_unique_hosts("credentials", [host for host, _, _ in credentials])
    auths = {host: auth_entry(username, password) for host, username, password in credentials}
    return json.dumps({"auths": dict(sorted(auths.items()))}, sort_keys=True)


def docker_config_document(credentials: Sequence[RegistryCredential]) -> pulumi.Output[str]:
    """The `.dockerconfigjson` for `credentials`, as a secret (a password may be another resource's output)."""
    logins = [pulumi.Output.all(c["server"], c["username"], secret_output(c["password"])) for c in credentials]
    return pulumi.Output.secret(pulumi.Output.all(*logins).apply(docker_config_json))


def docker_config_secret(
    resource_name: str,
    *,
    secret_name: str,
    namespace: str,
    credentials: Sequence[RegistryCredential],
    opts: pulumi.ResourceOptions,
) -> k8s.core.v1.Secret:
    """A kubernetes.io/dockerconfigjson secret holding `credentials`, secret end to end."""
    return k8s.core.v1.Secret(
        resource_name,
        metadata={
            "name": secret_name,
            "namespace": namespace,
            "labels": LABELS,
        },
        type=DOCKERCONFIG_TYPE,
        string_data={DOCKERCONFIG_KEY: docker_config_document(credentials)},
        opts=opts,
    )
