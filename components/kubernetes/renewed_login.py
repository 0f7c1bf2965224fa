"""A registry login that External Secrets Operator (ESO) renews inside the cluster.

ECR tokens last 12 hours and nothing in Gitpod renews a login. But registry-facade, blobserve, ide-service
and image-builder-mk3 re-read the one `.dockerconfigjson` Secret when it is rewritten in place under the
same name (components/common-go/watch/file.go in gitpod-io/gitpod). So ESO writes that Secret: a generator
mints the login with the cluster's own identity, and an ExternalSecret renders it, with the other logins the
secret must carry, every `refresh_interval`. No cloud key is stored anywhere.

What decided each choice, in external-secrets/external-secrets at v2.9.0 (378bdb6):
- runtime/template/v2/template.go: Go `text/template` with `missingkey=error` and sprig, every value a
  string. `login_template` writes every static value as a Go string literal inside an action, so no
  password is ever read as template text, and `toJson` (encoding/json) writes the document, so any
  character stays valid JSON.
- pkg/controllers/templating/parser.go: `templateFrom[].secret` reads the template from a Secret in the
  ExternalSecret's namespace. Static passwords live only there: an ExternalSecret's own template, a
  generator and a ConfigMap are readable by anyone who can read those objects.
- pkg/controllers/externalsecret/externalsecret_controller.go: renewal on `refreshInterval` only (never on
  the token's expiry), and at once when the ExternalSecret's metadata or spec change: the template's hash
  is an annotation, so a changed static login reaches the written Secret at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from ..installer_config import DOCKERCONFIG_KEY, DOCKERCONFIG_TYPE
from ..validation import InvalidInput, describe, kind_of
from .dockerconfig import LABELS, RegistryCredential, auth_entry, secret_output

EXTERNAL_SECRETS_API = "external-secrets.io/v1"
GENERATORS_API = "generators.external-secrets.io/v1alpha1"
ESO_VERSION = "v2.9.0"
"""The ESO release whose API types the objects are checked against (tests/eso_schema.py)."""
SUPPORTED_ESO = "0.16.0 or newer, which serve external-secrets.io/v1; checked against v2.9.0"
ESO_REQUIRED_NOTE = (
    f"External Secrets Operator ({SUPPORTED_ESO}) must run in the cluster before `pulumi up`: it writes the "
    "workspace-images secret; or set externalSecretsOperator.install (docs/external-secrets-operator.md)"
)
"""A controller backend's note when ESO is not installed by this program; the composite replaces it when it is."""

REFRESH_INTERVAL_DEFAULT = "1h"
MAX_BUILD_RUNTIME_SECONDS = 60 * 60
"""components/image-builder-mk3/pkg/orchestrator/orchestrator.go: `maxBuildRuntime = 60 * time.Minute`. A build
pod takes the login when it starts (an env var from a SecretKeyRef) and pushes with it until the build ends."""
MIN_REFRESH_SECONDS = 60
"""Below a minute ESO would ask the cloud for a token on almost every reconcile, for no gain."""
TEMPLATE_VERSION_ANNOTATION = "gitpod-registry.io/template-version"
"""On the ExternalSecret: the template Secret's `metadata.resourceVersion`, which the apiserver changes at every
write of that Secret. A changed login rewrites the template, so the ExternalSecret changes with it and ESO
reconciles it at once; and unlike a digest of the template, it reveals nothing about the passwords in it to
whoever can read the ExternalSecret."""
WAIT_FOR_ANNOTATION = "pulumi.com/waitFor"
"""pulumi-kubernetes (>= 4.18): `pulumi up` waits until the ExternalSecret is Ready, i.e. the Secret is written."""
TEMPLATE_SECRET_TYPE = "gitpod-registry.io/login-template"
"""The template Secret's type: its key must be `.dockerconfigjson` (with templateAs Values ESO writes each key of
the template under its own name), and a type of its own says it is no pull secret (Kubernetes takes any type; ESO
reads a template Secret's data whatever its type)."""
GENERATED_KEYS = ("username", "password", "proxy_endpoint", "expires_at")
"""What ESO's ECRAuthorizationToken generator emits (generators/v1/ecr/ecr.go, `Generate`)."""

# time.ParseDuration's grammar (ESO reads refreshInterval as a metav1.Duration).
_DURATION_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def duration_seconds(text: str) -> float | None:
    """Seconds of a Go duration such as 1h30m, or None if Go's time.ParseDuration would refuse it."""
    sign, body = (-1, text[1:]) if text.startswith("-") else (1, text.removeprefix("+"))
    if body == "0":
        return 0.0
    total, position = 0.0, 0
    while position < len(body):
        match = _DURATION_PART.match(body, position)
        if match is None or match.group(1) in ("", "."):
            return None
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        position = match.end()
    return sign * total if body else None


def seconds_text(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h" if not rest else f"{hours}h{rest // 60}m" if hours else f"{rest // 60}m"


def max_refresh_seconds(token_lifetime_seconds: int) -> int:
    """The longest renewal interval allowed for a login that lasts `token_lifetime_seconds`.

    A login that outlives a build by far (ECR's 12h) is renewed at least maxBuildRuntime before it expires, so it
    serves every build. One that does not (a Google access token's hour) cannot serve every build whatever the
    interval: then a quarter of its life, so every build starts with at least three quarters of it (45m of an
    hour) and only a build longer than that can fail at push. Whole minutes, so the bound is said as it is kept."""
    return max(token_lifetime_seconds - MAX_BUILD_RUNTIME_SECONDS, token_lifetime_seconds // 4) // 60 * 60


def guaranteed_seconds(token_lifetime_seconds: int) -> int:
    """How long every written login stays valid after the next renewal is due, at the longest interval allowed."""
    return token_lifetime_seconds - max_refresh_seconds(token_lifetime_seconds)


def check_refresh_interval(field: str, value: object, token_lifetime_seconds: int, what: str) -> str:
    """A renewal interval in Go's duration syntax within [1m, token lifetime - image-builder's maxBuildRuntime].

    `what` says how long the token lives, e.g. "an ECR login lasts 12h"."""
    if not isinstance(value, str) or isinstance(value, bool):
        raise InvalidInput(field, f"expected a duration such as 1h or 30m, got {kind_of(value)}")
    seconds = duration_seconds(value)
    if seconds is None:
        raise InvalidInput(field, f"{describe(value)} is not a duration; write it as Go does, e.g. 1h, 30m or 2h30m")
    longest = max_refresh_seconds(token_lifetime_seconds)
    if not MIN_REFRESH_SECONDS <= seconds <= longest:
        kept = guaranteed_seconds(token_lifetime_seconds)
        why = (
            "so a login must be renewed at least that long before it expires"
            if kept >= MAX_BUILD_RUNTIME_SECONDS
            else f"which no interval can cover; at most {seconds_text(longest)} leaves every build at least "
            f"{seconds_text(kept)}"
        )
        raise InvalidInput(
            field,
            f"{describe(value)} is out of range; allowed {seconds_text(MIN_REFRESH_SECONDS)} to "
            f"{seconds_text(longest)}: {what}, and an image build takes the login when it starts and may push "
            f"with it for up to {seconds_text(MAX_BUILD_RUNTIME_SECONDS)} (image-builder's maxBuildRuntime), {why}",
        )
    return value


def go_string(text: str) -> str:
    """`text` as a Go interpreted string literal, which text/template reads inside an action.

    JSON's string escapes are a subset of Go's (\\" \\\\ \\n \\t \\uXXXX); with ensure_ascii off no surrogate
    pair is written, which Go's strconv.Unquote would not join."""
    return json.dumps(text, ensure_ascii=False)


def _static_entry(host: str, username: str, password: str) -> str:
    fields = " ".join(f"{go_string(key)} {go_string(value)}" for key, value in auth_entry(username, password).items())
    return f"{go_string(host)} (dict {fields})"


def login_template(host: str, static: Sequence[tuple[str, str, str]] = ()) -> str:
    """The template of the `.dockerconfigjson`: the generated login (the generator's keys `username` and
    `password`) for `host`, and the static (host, username, password) logins beside it."""
    entries = [_static_entry(*login) for login in sorted(static)]
    generated = (
        f'{go_string(host)} (dict "username" .username "password" .password '
        '"auth" (printf "%s:%s" .username .password | b64enc))'
    )
    return "{{ " + f'dict "auths" (dict {" ".join([*entries, generated])})' + " | toJson }}"


def external_secret_spec(
    *, secret_name: str, template_secret_name: str, generator_kind: str, generator_name: str, refresh_interval: str
) -> dict[str, Any]:
    """The ExternalSecret's spec: the generator's output rendered through the template Secret into a
    kubernetes.io/dockerconfigjson Secret ESO owns, rewritten in place every refresh_interval."""
    return {
        "refreshInterval": refresh_interval,
        "target": {
            "name": secret_name,
            "creationPolicy": "Owner",
            "deletionPolicy": "Retain",
            "template": {
                "type": DOCKERCONFIG_TYPE,
                "engineVersion": "v2",
                "mergePolicy": "Replace",
                "metadata": {"labels": dict(LABELS)},
                "templateFrom": [
                    {
                        "target": "Data",
                        "secret": {
                            "name": template_secret_name,
                            "items": [{"key": DOCKERCONFIG_KEY, "templateAs": "Values"}],
                        },
                    }
                ],
            },
        },
        "dataFrom": [
            {
                "sourceRef": {
                    "generatorRef": {"apiVersion": GENERATORS_API, "kind": generator_kind, "name": generator_name}
                }
            }
        ],
    }


def login_service_account(
    resource_name: str,
    *,
    name: str,
    namespace: str,
    annotations: Mapping[str, pulumi.Input[str]],
    opts: pulumi.ResourceOptions,
) -> k8s.core.v1.ServiceAccount:
    """The Kubernetes service account whose tokens the login's generator exchanges for the cloud identity named in
    `annotations`; no pod mounts its token."""
    return k8s.core.v1.ServiceAccount(
        resource_name,
        metadata={"name": name, "namespace": namespace, "labels": LABELS, "annotations": dict(annotations)},
        automount_service_account_token=False,
        opts=opts,
    )


def renewed_login(
    name: str,
    *,
    namespace: str,
    secret_name: str,
    host: pulumi.Input[str],
    static: Sequence[RegistryCredential],
    generator_kind: str,
    generator_spec: Mapping[str, Any],
    refresh_interval: str,
    opts: pulumi.ResourceOptions,
) -> pulumi.Output[str]:
    """Registers the template Secret, the generator and the ExternalSecret; returns the name of the Secret ESO
    writes, known once the ExternalSecret is Ready (`pulumi.com/waitFor`), so the installer config never points
    at a Secret that does not exist yet. Pulumi does not own that Secret: a refresh after a renewal shows no
    drift."""
    logins = [pulumi.Output.all(c["server"], c["username"], secret_output(c["password"])) for c in static]
    template = pulumi.Output.secret(
        pulumi.Output.all(host, *logins).apply(lambda parts: login_template(parts[0], parts[1:]))
    )
    template_secret_name = f"{secret_name}-template"
    template_secret = k8s.core.v1.Secret(
        f"{name}-template",
        metadata={"name": template_secret_name, "namespace": namespace, "labels": LABELS},
        type=TEMPLATE_SECRET_TYPE,
        string_data={DOCKERCONFIG_KEY: template},
        opts=opts,
    )
    generator_name = f"{secret_name}-token"
    generator = k8s.apiextensions.CustomResource(
        f"{name}-token",
        api_version=GENERATORS_API,
        kind=generator_kind,
        metadata={"name": generator_name, "namespace": namespace, "labels": LABELS},
        spec=dict(generator_spec),
        opts=opts,
    )
    version = template_secret.metadata.apply(lambda meta: meta.resource_version or "")
    external_secret = k8s.apiextensions.CustomResource(
        f"{name}-external-secret",
        api_version=EXTERNAL_SECRETS_API,
        kind="ExternalSecret",
        metadata={
            "name": secret_name,
            "namespace": namespace,
            "labels": LABELS,
            "annotations": {WAIT_FOR_ANNOTATION: "condition=Ready", TEMPLATE_VERSION_ANNOTATION: version},
        },
        spec=external_secret_spec(
            secret_name=secret_name,
            template_secret_name=template_secret_name,
            generator_kind=generator_kind,
            generator_name=generator_name,
            refresh_interval=refresh_interval,
        ),
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[template_secret, generator])),
    )
    return pulumi.Output.all(external_secret.urn, secret_name).apply(lambda parts: parts[1])
