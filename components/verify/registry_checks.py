"""OCI registry checks through python-dxf: push, pull and delete a probe image; log in to mirrors and base-image hosts.

Logins follow the registry's challenge as container runtimes do: `WWW-Authenticate: Basic` gets
the user and password, `Bearer realm=,service=,scope=` gets a token from the realm with them.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TypeVar, cast

import requests
from dxf import DXF, DXFBase
from dxf.exceptions import DXFDigestMismatchError, DXFUnauthorizedError, DXFUnexpectedStatusCodeError

from ..reference import DOCKER_HUB, DOCKER_HUB_API, parse_name
from .network import Transport, network_cause
from .probe_image import ProbeImage, make_probe_image, sha256_digest
from .report import CheckResult, Masker, StepFailed
from .secrets import Login

_VERBS = {"login": "log in", "push": "push", "pull": "pull", "delete": "delete"}


class TokenRefused(Exception):
    """The Bearer realm (token service) did not issue a token for the login."""

    def __init__(self, status: int) -> None:
        super().__init__(f"token service answered {status}")
        self.status = status


def api_host(host: str) -> str:
    """Where a host's registry API answers: Docker Hub's is registry-1.docker.io."""
    return DOCKER_HUB_API if host == DOCKER_HUB else host


def split_url(url: str) -> tuple[str, str]:
    """`host[:port]/path` -> (host, path), by the grammar the program checks it with (reference.parse_name), the
    host as a `.dockerconfigjson` keys it (Docker Hub as docker.io); config.py refuses a URL that does not parse."""
    name = parse_name(url.removesuffix("/"), host_required=False)
    return name.key, name.path


def _registry_errors(response: requests.Response) -> str:
    try:
        errors = response.json().get("errors") or []
        text = "; ".join(f"{e.get('code')}: {e.get('message')}" for e in errors if isinstance(e, dict))
    except (ValueError, AttributeError):
        text = ""
    return f" ({text[:300]})" if text else ""


def registry_cause(error: BaseException, step: str, target: str, user: str | None) -> str:
    """Why `step` against `target` failed, in the words an operator needs."""
    network = network_cause(error, target)
    if network:
        return network
    who = f"user {user!r}" if user else "an anonymous client"
    verb = _VERBS.get(step, step)
    if isinstance(error, TokenRefused):
        if error.status == 401:
            return f"401 wrong login: the token service of {target} refused {who} (wrong or rotated password?)"
        return f"{error.status} from the token service of {target} for {who}"
    if isinstance(error, DXFUnauthorizedError):
        if step == "login":
            return f"401 wrong login: {target} refused {who} (wrong or rotated password?)"
        return f"401 at {step}: {target} refused {who}; the login works but may not {verb} here (no {verb} right)"
    if isinstance(error, requests.HTTPError) and error.response is not None:
        status, details = error.response.status_code, _registry_errors(error.response)
        if status == 403:
            return f"403 no right to {verb}: {target} denies {who}{details}"
        if status == 405:
            return f"405 not allowed: {target} does not allow {verb} requests{details}"
        return f"{status} {error.response.reason} from {target} at {step}{details}"
    if isinstance(error, DXFDigestMismatchError):
        return f"digest mismatch: the registry returned other content than was pushed ({error})"
    if isinstance(error, DXFUnexpectedStatusCodeError):
        return f"{target} answered /v2/ with {error.got}: not a registry API endpoint?"
    return f"{type(error).__name__}: {error}"


T = TypeVar("T")


def _step(step: str, target: str, user: str | None, action: Callable[[], T]) -> T:
    try:
        return action()
    except StepFailed:
        raise
    except Exception as error:  # every failure becomes a plain-words cause; the caller reports it
        raise StepFailed(step, registry_cause(error, step, target, user)) from error


def _authenticate(
    client: DXFBase, login: Login | None, masker: Masker, response: requests.Response, actions: list[str] | None = None
) -> None:
    try:
        if login:
            client.authenticate(login.username, login.password, actions=actions, response=response)
        else:
            client.authenticate(actions=actions, response=response)
    except DXFUnauthorizedError:
        raise TokenRefused(401) from None
    except requests.HTTPError as error:
        raise TokenRefused(error.response.status_code if error.response is not None else 0) from None
    finally:
        masker.add(client.token)


def _on_challenge(login: Login | None, masker: Masker) -> Callable:
    """dxf calls this on every 401: a token for the scope the challenge names (push, delete), as runtimes do."""
    return lambda client, response: _authenticate(client, login, masker, response)


def _log_in(
    client: DXFBase, host: str, login: Login | None, transport: Transport, masker: Masker, actions: list[str] | None
) -> str:
    """Answers the registry's challenge and proves the result on /v2/; returns how it logged in."""
    ping = requests.get(f"https://{api_host(host)}/v2/", verify=transport.verify, timeout=transport.timeout)
    if ping.status_code != 401:
        if not ping.ok:
            raise StepFailed("login", f"{host} answered /v2/ with {ping.status_code}: not a registry API endpoint?")
        return "the registry asks for no login"
    scheme = ping.headers.get("WWW-Authenticate", "").split(" ", 1)[0] or "no"
    _authenticate(client, login, masker, ping, actions)
    client.api_version_check()  # type: ignore[attr-defined]  # DXF's method, not typed on DXFBase
    who = f"as {login.username!r}" if login else "anonymously"
    return f"logged in {who} ({scheme} challenge)"


def check_push_pull(url: str, suffix: str, login: Login | None, transport: Transport, masker: Masker) -> CheckResult:
    """Pushes a fresh image to `<url>/<suffix>` under a unique tag, pulls it back, compares digests, deletes it."""
    host, path = split_url(url)
    repository = "/".join(part for part in (path, suffix) if part)
    result = CheckResult(f"push and pull {host}/{repository}", ok=False)
    if login is None or login.problem:
        result.step = "credentials"
        result.cause = login.problem if login else f"the containerRegistry secret has no entry for {host}"
        return result
    image = make_probe_image()
    user, pushed_blobs, pushed_tag = login.username, [], None
    actions = ["pull", "push"]
    auth = _on_challenge(login, masker)
    with DXF(api_host(host), repository, auth, tlsverify=transport.verify, timeout=transport.timeout) as client:
        try:
            result.done.append(
                _step("login", host, user, partial(_log_in, client, host, login, transport, masker, actions))
            )
            with tempfile.TemporaryDirectory(prefix="gitpod-registry-verify-") as workdir:
                for digest, blob in image.blobs.items():
                    (Path(workdir) / digest[7:]).write_bytes(blob)
                    _step("push", host, user, partial(client.push_blob, str(Path(workdir) / digest[7:])))
                    pushed_blobs.append(digest)
            _step("push", host, user, lambda: client.set_manifest(image.tag, image.manifest.decode()))
            pushed_tag = image.tag
            result.done.append(f"pushed {host}/{repository}:{image.tag}")
            _step("pull", host, user, lambda: _pull_and_compare(client, image))
            result.done.append(f"pulled it back, digest {image.manifest_digest} matches")
            result.ok = True
        except StepFailed as failure:
            result.step, result.cause = failure.step, failure.cause
        finally:
            _delete(client, host, user, pushed_tag, pushed_blobs, result, f"{host}/{repository}:{image.tag}")
    return result


def _pull_and_compare(client: DXF, image: ProbeImage) -> None:
    _, response = client.get_manifest_and_response(image.tag)
    pulled = sha256_digest(response.content)
    if pulled != image.manifest_digest:
        raise StepFailed("pull", f"digest mismatch: pushed manifest {image.manifest_digest}, pulled {pulled}")
    layer_digest = sha256_digest(image.layer)
    if (
        b"".join(cast(Iterable[bytes], client.pull_blob(layer_digest))) != image.layer
    ):  # pull_blob also checks the digest
        raise StepFailed("pull", f"the pulled layer {layer_digest} differs from the pushed one")


def _delete(
    client: DXF, host: str, user: str, tag: str | None, blobs: list[str], result: CheckResult, ref: str
) -> None:
    if tag is None and not blobs:
        return
    try:
        if tag is not None:
            client.del_alias(tag)
    except Exception as error:
        cause = registry_cause(error, "delete", host, user)
        if cause.startswith("405"):
            result.notes.append(
                f"the registry does not allow deletes ({cause}); the test image {ref} stays: remove it by hand"
            )
        else:
            result.notes.append(f"could not delete the test image {ref}: {cause}; remove it by hand")
        return
    try:
        for digest in blobs:
            client.del_blob(digest)
    except Exception as error:
        cause = registry_cause(error, "delete", host, user)
        result.notes.append(f"deleted the tag, but its blobs stay until the registry's garbage collection: {cause}")
        return
    result.done.append("deleted it")


def check_login(host: str, login: Login | None, transport: Transport, masker: Masker) -> CheckResult:
    """The login handshake against host's /v2/ with `login` (anonymous when None) succeeds."""
    result = CheckResult(f"log in to {host}", ok=False)
    if login is not None and login.problem:
        result.step, result.cause = "credentials", login.problem
        return result
    auth = _on_challenge(login, masker)
    # The repository name is never used: with no actions, the token is asked for without a scope, as `docker login` does.
    with DXF(api_host(host), "login-check", auth, tlsverify=transport.verify, timeout=transport.timeout) as client:
        try:
            log_in = partial(_log_in, client, host, login, transport, masker, None)
            result.done.append(_step("login", host, login.username if login else None, log_in))
            result.ok = True
        except StepFailed as failure:
            result.step, result.cause = failure.step, failure.cause
    return result
