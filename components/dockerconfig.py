"""`.dockerconfigjson` documents and the Kubernetes secrets that carry them.

Gitpod mounts one such secret for pushing workspace images and for pulling private
base images, so every credential the cluster needs ends up in one document: one
entry per bare registry host, `auth` = base64("user:password") with no newline.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence
from typing import TypedDict

import pulumi
import pulumi_kubernetes as k8s

from .validation import InvalidInput, require_type

DOCKER_HUB = "docker.io"
# Names people use for Docker Hub; Gitpod's resolver looks credentials up under docker.io.
_DOCKER_HUB_ALIASES = {"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"}
_HOST = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$")


class RegistryCredential(TypedDict):
    server: str
    """Registry host, e.g. europe-west1-docker.pkg.dev or registry.example.com:5000."""
    username: str
    password: pulumi.Input[str]
    """Secret; never printed."""


def registry_host(field: str, server: object) -> str:
    """The bare host a `.dockerconfigjson` is keyed by: no scheme, no path, Docker Hub as docker.io."""
    require_type(field, server, str, "a registry host such as registry.example.com")
    if "://" in server:
        raise InvalidInput(field, f"{server!r} has a scheme; give the bare host, e.g. registry.example.com")
    host = server.split("/", 1)[0].lower()
    if host in _DOCKER_HUB_ALIASES:
        return DOCKER_HUB
    if not _HOST.match(host) or ("." not in host.split(":")[0] and not host.startswith("localhost")):
        raise InvalidInput(field, f"{server!r} does not start with a registry host such as registry.example.com[:port]")
    return host


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


def docker_config_secret(
    resource_name: str,
    *,
    secret_name: str,
    namespace: str,
    credentials: Sequence[RegistryCredential],
    opts: pulumi.ResourceOptions,
) -> k8s.core.v1.Secret:
    """A kubernetes.io/dockerconfigjson secret holding `credentials`, secret end to end."""
    triples = [
        pulumi.Output.all(registry_host("server", c["server"]), c["username"], c["password"]) for c in credentials
    ]
    document = pulumi.Output.secret(pulumi.Output.all(*triples).apply(lambda items: docker_config_json(items)))
    return k8s.core.v1.Secret(
        resource_name,
        metadata={
            "name": secret_name,
            "namespace": namespace,
            "labels": {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "gitpod"},
        },
        type="kubernetes.io/dockerconfigjson",
        string_data={".dockerconfigjson": document},
        opts=opts,
    )
