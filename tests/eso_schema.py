"""Strict JSON schemas of the External Secrets Operator objects the program registers, derived by hand from ESO's
Go API types at v2.9.0 (external-secrets/external-secrets, tag v2.9.0 = 378bdb6):

- apis/externalsecrets/v1/externalsecret_types.go: ExternalSecretSpec, ExternalSecretTarget, ExternalSecretTemplate,
  ExternalSecretTemplateMetadata, TemplateFrom, TemplateRef, TemplateRefItem, ExternalSecretDataFromRemoteRef,
  StoreGeneratorSourceRef, GeneratorRef (json tags, kubebuilder Enum, Pattern, MinLength and MaxLength markers);
- apis/generators/v1alpha1/types_ecr.go: ECRAuthorizationTokenSpec, AWSAuth, AWSJWTAuth;
- apis/generators/v1alpha1/types_gcr.go: GCRAccessTokenSpec, GCPSMAuth, GCPWorkloadIdentity (required fields and
  name patterns as config/crds/bases/generators.external-secrets.io_gcraccesstokens.yaml renders them);
- apis/meta/v1/types.go: ServiceAccountSelector.

A limitation, said plainly: these are not ESO's own CRDs. No package registry reachable here ships them at a known
version (the npm package @kubernetes-models/external-secrets has compiled, non-strict validators of an unstated
version), and this workplace does not let a project commit what it fetched. Every object is closed
(`additionalProperties: false`, where the apiserver would prune a misspelt field silently); a field the program does
not use is listed by name and left open (`{}`), so the schema stays small. Moving to a newer ESO means reading these
files again at that tag.
"""

from __future__ import annotations

import copy
from typing import Any

import jsonschema

from components.kubernetes.renewed_login import EXTERNAL_SECRETS_API, GENERATORS_API

ESO_VERSION = "v2.9.0"
ANY: dict[str, Any] = {}
STRING = {"type": "string"}
DNS_SUBDOMAIN = {
    "type": "string",
    "minLength": 1,
    "maxLength": 253,
    "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
}
DNS_LABEL = {"type": "string", "minLength": 1, "maxLength": 63, "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"}
"""A namespace a selector names (the CRDs render apis/meta/v1/types.go's markers so)."""
STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}


def closed(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required), "additionalProperties": False}


def enum(*values: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


METADATA = closed(
    {"name": DNS_SUBDOMAIN, "namespace": DNS_SUBDOMAIN, "labels": STRING_MAP, "annotations": STRING_MAP},
    ("name", "namespace"),
)

TEMPLATE_REF = closed(
    {
        "name": DNS_SUBDOMAIN,
        "items": {
            "type": "array",
            "items": closed({"key": STRING, "templateAs": enum("Values", "KeysAndValues")}, ("key",)),
        },
    },
    ("name", "items"),
)

TEMPLATE = closed(
    {
        "type": STRING,
        "engineVersion": enum("v2"),
        "metadata": closed({"annotations": STRING_MAP, "labels": STRING_MAP, "finalizers": ANY}),
        "mergePolicy": enum("Replace", "Merge"),
        "data": STRING_MAP,
        "templateFrom": {
            "type": "array",
            "items": closed(
                {
                    "configMap": TEMPLATE_REF,
                    "secret": TEMPLATE_REF,
                    "target": STRING,
                    "literal": STRING,
                    "valuesDecodingStrategy": enum("Auto", "Base64", "Base64URL", "None"),
                }
            ),
        },
    }
)

GENERATOR_KINDS = (
    "ACRAccessToken",
    "BeyondtrustWorkloadCredentialsDynamicSecret",
    "ClusterGenerator",
    "CloudsmithAccessToken",
    "ECRAuthorizationToken",
    "Fake",
    "GCRAccessToken",
    "GithubAccessToken",
    "GitlabDeployToken",
    "QuayAccessToken",
    "Password",
    "SSHKey",
    "STSSessionToken",
    "UUID",
    "VaultDynamicSecret",
    "Webhook",
    "Grafana",
    "MFA",
)

EXTERNAL_SECRET_SPEC = closed(
    {
        "secretStoreRef": ANY,
        "target": closed(
            {
                "name": DNS_SUBDOMAIN,
                "creationPolicy": enum("Owner", "Orphan", "Merge", "None", "CreateOrMerge"),
                "deletionPolicy": enum("Delete", "Merge", "Retain"),
                "template": TEMPLATE,
                "manifest": ANY,
                "immutable": {"type": "boolean"},
            }
        ),
        "refreshPolicy": enum("CreatedOnce", "Periodic", "OnChange"),
        "refreshInterval": STRING,
        "syncWindows": ANY,
        "data": ANY,
        "dataFrom": {
            "type": "array",
            "items": closed(
                {
                    "extract": ANY,
                    "find": ANY,
                    "rewrite": ANY,
                    "sourceRef": closed(
                        {
                            "storeRef": ANY,
                            "generatorRef": closed(
                                {"apiVersion": STRING, "kind": enum(*GENERATOR_KINDS), "name": DNS_SUBDOMAIN},
                                ("kind", "name"),
                            ),
                        }
                    ),
                }
            ),
        },
    }
)

ECR_AUTHORIZATION_TOKEN_SPEC = closed(
    {
        "region": STRING,
        "auth": closed(
            {
                "secretRef": ANY,
                "jwt": closed(
                    {
                        "serviceAccountRef": closed(
                            {
                                "name": DNS_SUBDOMAIN,
                                "namespace": DNS_LABEL,
                                "audiences": {"type": "array", "items": STRING},
                            },
                            ("name",),
                        )
                    }
                ),
            }
        ),
        "role": STRING,
        "scope": STRING,
    },
    ("region",),
)


SERVICE_ACCOUNT_SELECTOR = closed(
    {
        "name": DNS_SUBDOMAIN,
        "namespace": DNS_LABEL,
        "audiences": {"type": "array", "items": STRING},
    },
    ("name",),
)
"""apis/meta/v1/types.go ServiceAccountSelector."""

GCR_ACCESS_TOKEN_SPEC = closed(
    {
        "projectID": STRING,
        "auth": closed(
            {
                "secretRef": ANY,
                "workloadIdentity": closed(
                    {
                        "serviceAccountRef": SERVICE_ACCOUNT_SELECTOR,
                        "clusterLocation": STRING,
                        "clusterName": STRING,
                        "clusterProjectID": STRING,
                    },
                    ("serviceAccountRef", "clusterLocation", "clusterName"),
                ),
                "workloadIdentityFederation": ANY,
            }
        ),
    },
    ("auth", "projectID"),
)


def _object(api_version: str, kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    return closed(
        {"apiVersion": {"const": api_version}, "kind": {"const": kind}, "metadata": METADATA, "spec": spec},
        ("apiVersion", "kind", "metadata", "spec"),
    )


SCHEMAS: dict[tuple[str, str], dict[str, Any]] = {
    (EXTERNAL_SECRETS_API, "ExternalSecret"): _object(EXTERNAL_SECRETS_API, "ExternalSecret", EXTERNAL_SECRET_SPEC),
    (GENERATORS_API, "ECRAuthorizationToken"): _object(
        GENERATORS_API, "ECRAuthorizationToken", ECR_AUTHORIZATION_TOKEN_SPEC
    ),
    (GENERATORS_API, "GCRAccessToken"): _object(GENERATORS_API, "GCRAccessToken", GCR_ACCESS_TOKEN_SPEC),
}
"""(apiVersion, kind) -> the schema of a whole object, as ESO v2.9.0 serves it."""


def eso_manifest(resource: Any) -> dict[str, Any]:
    """A registered ESO object as the manifest the Kubernetes provider sends (a copy: tests may edit it)."""
    api_version, kind = resource.type.removeprefix("kubernetes:").rsplit(":", 1)
    return copy.deepcopy(
        {
            "apiVersion": api_version,
            "kind": kind,
            "metadata": resource.inputs["metadata"],
            "spec": resource.inputs["spec"],
        }
    )


def validate(manifest: dict[str, Any]) -> None:
    """Validates an ESO manifest against the schema of its apiVersion and kind; jsonschema.ValidationError if it
    does not hold."""
    jsonschema.validate(manifest, SCHEMAS[(manifest["apiVersion"], manifest["kind"])])
