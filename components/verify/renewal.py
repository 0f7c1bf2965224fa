"""A push secret a controller writes and renews (`SecretWriter.CONTROLLER`), judged from the cluster's side.

The operator exports the object whose status says whether the secret is written and current (ESO's ExternalSecret,
`kubectl -n gitpod get externalsecret NAME -o json`), as they export the secret itself. What is read, in
external-secrets/external-secrets at v2.9.0 (378bdb6):
- apis/externalsecrets/v1/externalsecret_types.go: `status.refreshTime` (the last time the secret was written),
  `status.conditions[type=Ready]` with `status`, `reason` (`SecretSynced`, `SecretSyncedError`, ...) and `message`;
  `spec.refreshInterval` (default 1h; 0: never again), `spec.refreshPolicy` (Periodic, CreatedOnce, OnChange),
  `spec.target.name` (default: the ExternalSecret's name), `spec.dataFrom[].sourceRef.generatorRef.kind`.
- pkg/controllers/externalsecret/externalsecret_controller.go: `markAsDone` sets Ready=True and refreshTime to the
  start of the sync that wrote the secret; `markAsFailed` sets Ready=False with a fixed message ("could not get
  secret data from provider") and puts the error itself only in an event (`UpdateFailed`), keeping the old secret
  and refreshTime. Each sync mints a new login (neither ECR's nor GCR's generator keeps a GeneratorState:
  generators/v1/ecr/ecr.go and generators/v1/gcr/gcr.go return none), so a written login expires one login
  lifetime after refreshTime. GCR's sets no `expiry` to go by at all.
- A login no longer than a build (the keyless GCR login: a Google service account's access token, an hour) is
  judged against the program's own bound (renewed_login.max_refresh_seconds), so verify and `pulumi up` accept the
  same intervals.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..kubernetes.renewed_login import (
    MAX_BUILD_RUNTIME_SECONDS,
    REFRESH_INTERVAL_DEFAULT,
    duration_seconds,
    guaranteed_seconds,
    max_refresh_seconds,
)
from ..push_secret import SecretWriter
from ..workspace_images import BACKENDS
from .report import CheckResult
from .secrets import InputError, Secret, load_documents

CONTROLLER = SecretWriter.CONTROLLER
KIND = "ExternalSecret"
LATE_GRACE_SECONDS = 5 * 60
"""How late a renewal may be before verify calls it late: a busy controller's queue, a restart."""
PERIODIC = "Periodic"


@dataclass(frozen=True)
class ExternalSecret:
    name: str
    namespace: str
    target: str
    refresh_interval: str
    refresh_policy: str
    generator_kinds: tuple[str, ...]
    ready: dict | None = field(repr=False)
    """The `Ready` condition of its status, or None when ESO has not reported one."""
    refresh_time: str | None
    source: str


def external_secret_from_manifest(manifest: object, source: str) -> ExternalSecret:
    if not isinstance(manifest, dict) or manifest.get("kind") != KIND:
        found = manifest.get("kind") if isinstance(manifest, dict) else type(manifest).__name__
        raise InputError(f"{source}: expected an {KIND} (kubectl get externalsecret NAME -o json), found {found!r}")
    metadata = manifest.get("metadata") or {}
    name = metadata.get("name")
    if not name:
        raise InputError(f"{source}: the {KIND} has no metadata.name")
    spec, status = manifest.get("spec") or {}, manifest.get("status") or {}
    target = (spec.get("target") or {}).get("name") or name
    kinds = tuple(
        str(ref["kind"])
        for item in spec.get("dataFrom") or []
        if isinstance(item, dict)
        for ref in [((item.get("sourceRef") or {}).get("generatorRef") or {})]
        if ref.get("kind")
    )
    conditions = [c for c in status.get("conditions") or [] if isinstance(c, dict) and c.get("type") == "Ready"]
    return ExternalSecret(
        name=str(name),
        namespace=str(metadata.get("namespace") or ""),
        target=str(target),
        refresh_interval=str(spec.get("refreshInterval") or REFRESH_INTERVAL_DEFAULT),
        refresh_policy=str(spec.get("refreshPolicy") or PERIODIC),
        generator_kinds=kinds,
        ready=conditions[0] if conditions else None,
        refresh_time=status.get("refreshTime") or None,
        source=source,
    )


def _by_target(manifests: Iterable[object], source: str) -> dict[str, ExternalSecret]:
    found: dict[str, ExternalSecret] = {}
    for manifest in manifests:
        external = external_secret_from_manifest(manifest, source)
        found[external.target] = external
    return found


def read_external_secret_files(paths: Iterable[Path]) -> dict[str, ExternalSecret]:
    """Every ExternalSecret in the files (one, or `kubectl get externalsecrets -o json`'s list), by the secret it
    writes."""
    found: dict[str, ExternalSecret] = {}
    for path in paths:
        try:
            text = Path(path).read_text()
        except OSError as error:
            raise InputError(f"{path}: cannot read ({error.strerror})") from None
        found.update(_by_target(load_documents(text, str(path)), str(path)))
    return found


def read_external_secrets_from_cluster(namespace: str, kubectl: str = "kubectl") -> dict[str, ExternalSecret] | str:
    """The namespace's ExternalSecrets from the current kubeconfig context, by the secret each writes; or why not."""
    resource = CONTROLLER.status_resource or ""
    args = [kubectl, "get", f"{resource}s", "--namespace", namespace, "--output", "json"]
    try:
        run = subprocess.run(args, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"kubectl failed: {error}"
    if run.returncode != 0:
        return (run.stderr.strip().splitlines() or ["kubectl failed"])[-1]
    source = f"cluster:{namespace}"
    try:
        return _by_target(load_documents(run.stdout, source), source)
    except InputError as error:
        return str(error)


def written_by_controller(secret: Secret) -> bool:
    mark = CONTROLLER.written_mark
    return mark is not None and secret.labels.get(mark[0]) == mark[1]


def login_lifetimes() -> dict[str, int]:
    """Seconds a login lasts, by the generator kind that mints it, as the backends declare it."""
    return dict(b.renewed_login_lifetime for b in BACKENDS.values() if b.renewed_login_lifetime is not None)


def span(seconds: float) -> str:
    """A duration as Go writes it, to the nearest minute (or second below one): 11h, 1h30m, 45m, 30s."""
    seconds = abs(seconds)
    if seconds < 59.5:
        return f"{round(seconds)}s"
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours}h{minutes}m" if hours and minutes else f"{hours}h" if hours else f"{minutes}m"


def _parse_time(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def missing_check_cause(secret_name: str, namespace: str) -> str:
    mark = CONTROLLER.written_mark or ("", "")
    return (
        f"secret {secret_name} is written by External Secrets Operator (label {mark[0]}: {mark[1]!r}), so whether its "
        f"login is current is in the status of the {KIND} that writes it: pass it with --external-secret FILE "
        f"(kubectl -n {namespace} get {CONTROLLER.status_resource}s -o json > FILE), or use --from-cluster"
    )


def check_renewal(external: ExternalSecret, lifetimes: Mapping[str, int], now: datetime, namespace: str) -> CheckResult:
    """Whether the written login is current and stays valid for a whole image build; each failure says what to do."""
    result = CheckResult(f"renewed login {external.target} ({KIND} {external.name})", ok=False)
    ns = external.namespace or namespace
    describe = f"kubectl -n {ns} describe {CONTROLLER.status_resource} {external.name}"
    lifetime = next((lifetimes[k] for k in external.generator_kinds if k in lifetimes), None)
    written = _parse_time(external.refresh_time) if external.refresh_time else None
    age = (now - written).total_seconds() if written else None

    def fail(step: str, cause: str) -> CheckResult:
        result.step, result.cause = step, cause
        return result

    if external.ready is None:
        return fail(
            "Ready",
            f"External Secrets Operator has not reported on it (no Ready condition in its status): is ESO running, "
            f"and does it serve external-secrets.io/v1 (0.16 or newer)? {describe} shows its events",
        )
    reason, message = external.ready.get("reason") or "no reason", external.ready.get("message") or "no message"
    if external.ready.get("status") != "True":
        if lifetime is not None and age is not None:
            left = lifetime - age
            result.notes.append(
                f"the login written last ({span(age)} ago) "
                + (f"stays valid for {span(left)}" if left > 0 else f"expired {span(-left)} ago")
            )
        return fail(
            "Ready",
            f"not Ready: {reason}: {message}. ESO keeps the secret it wrote last and puts the error itself in an "
            f"event (UpdateFailed): {describe}"
            + (
                ". Its generator could not mint a login: check the identity it uses (the service account it names "
                "and the cloud role that account may assume)"
                if "from provider" in message
                else ""
            ),
        )
    result.done.append(f"Ready ({reason}: {message})")
    if written is None or age is None:
        return fail(
            "refreshTime",
            f"status.refreshTime is {'missing' if not external.refresh_time else 'not a time'}: ESO has not "
            f"written the secret; {describe}",
        )
    if external.refresh_policy != PERIODIC:
        return fail(
            "refreshPolicy",
            f"refreshPolicy {external.refresh_policy} renews the login only when the {KIND} changes, but a login "
            "expires on its own clock; set refreshPolicy Periodic (the default) or remove it",
        )
    interval = duration_seconds(external.refresh_interval)
    if interval is None or interval <= 0:
        return fail(
            "refreshInterval",
            f"refreshInterval {external.refresh_interval!r} "
            + ("is not a duration" if interval is None else "never renews the login after its first write")
            + f"; set it to a duration such as {REFRESH_INTERVAL_DEFAULT} (workspaceImages.refreshInterval)",
        )
    if lifetime is None:
        result.notes.append(
            f"verify knows no login lifetime for generator {', '.join(external.generator_kinds) or '(none)'}: "
            "the login's expiry is not checked"
        )
    else:
        longest = max_refresh_seconds(lifetime)
        if interval > longest:
            return fail(
                "refreshInterval",
                f"refreshInterval {external.refresh_interval} renews a login that lasts {span(lifetime)} only "
                f"{span(lifetime - interval)} before it expires, but an image build takes the login when it starts "
                f"and may push with it for up to {span(MAX_BUILD_RUNTIME_SECONDS)} (image-builder's "
                f"maxBuildRuntime): set workspaceImages.refreshInterval to at most {span(longest)}",
            )
        result.done.append(
            f"renewed every {external.refresh_interval}; a login lasts {span(lifetime)}, so each stays valid "
            f"{span(lifetime - interval)} after the next renewal (maxBuildRuntime {span(MAX_BUILD_RUNTIME_SECONDS)})"
        )
        if lifetime - interval < MAX_BUILD_RUNTIME_SECONDS:
            result.notes.append(
                f"a login lasts {span(lifetime)}, no longer than an image build may (maxBuildRuntime): a build that "
                f"starts just before a renewal has {span(lifetime - interval)} to push, and fails at push if it runs "
                "longer; a shorter refreshInterval narrows that (docs/backend-artifact-registry.md)"
            )
    if age < -LATE_GRACE_SECONDS:
        return fail(
            "refreshTime",
            f"refreshTime {external.refresh_time} is {span(-age)} in the future: this machine's clock or the "
            "cluster's is wrong, so the login's expiry cannot be judged",
        )
    if lifetime is not None:
        left = lifetime - age
        if left <= 0:
            return fail(
                "expiry",
                f"the written login expired {span(-left)} ago (written {span(age)} ago at {external.refresh_time}, "
                f"a login lasts {span(lifetime)}): ESO has not renewed it; is its controller running? "
                f"({describe}; kubectl get pods -A -l app.kubernetes.io/name=external-secrets)",
            )
        kept = guaranteed_seconds(lifetime)
        if left < kept:
            return fail(
                "expiry",
                f"the written login expires in {span(left)}, before an image build starting now could end "
                f"(maxBuildRuntime {span(MAX_BUILD_RUNTIME_SECONDS)}"
                + (
                    f"; a login that lasts {span(lifetime)} is meant to keep {span(kept)}"
                    if kept < MAX_BUILD_RUNTIME_SECONDS
                    else ""
                )
                + f"); it was written {span(age)} ago and is renewed every {external.refresh_interval}: ESO is not "
                f"renewing it in time ({describe})",
            )
    if age > interval + LATE_GRACE_SECONDS:
        return fail(
            "refreshTime",
            f"written {span(age)} ago at {external.refresh_time}, but renewed every {external.refresh_interval}: "
            f"ESO is late by {span(age - interval)}; is its controller running? ({describe}; kubectl get pods -A "
            "-l app.kubernetes.io/name=external-secrets)",
        )
    written_text = f"written {span(age)} ago ({external.refresh_time})"
    if lifetime is not None:
        written_text += f", expires in {span(lifetime - age)}"
    result.done.append(written_text)
    result.ok = True
    return result
