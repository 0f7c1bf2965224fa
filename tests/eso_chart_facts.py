"""Facts of ESO's Helm chart `external-secrets` 2.9.0, read at tag helm-chart-2.9.0 (cc5bfbc) of
external-secrets/external-secrets, under deploy/charts/external-secrets/. Only what the hardening tests need; the
chart itself is not vendored. No `helm` binary can be installed here (Debian ships none, and its Go 1.19 is too old
to build Helm 3.2x), so the chart is not rendered: the tests hold the values to these facts instead.
"""

from __future__ import annotations

CHART_VERSION = "2.9.0"

DEFAULTS = {
    # values.yaml, each key with its default at the tag.
    "installCRDs": True,
    "crds.createClusterExternalSecret": True,
    "crds.createClusterSecretStore": True,
    "crds.createSecretStore": True,
    "crds.createClusterGenerator": True,
    "crds.createClusterPushSecret": True,
    "crds.createPushSecret": True,
    "crds.conversion.enabled": False,
    "scopedNamespace": "",
    "scopedRBAC": False,
    "processClusterExternalSecret": True,
    "processClusterPushSecret": True,
    "processClusterStore": True,
    "processSecretStore": True,
    "processClusterGenerator": True,
    "processPushSecret": True,
    "serviceAccount.create": True,
    "serviceAccount.name": "",
    "rbac.create": True,
    "rbac.serviceAccountTokenCreate": True,
    "rbac.servicebindings.create": True,
    "rbac.aggregateToView": True,
    "rbac.aggregateToEdit": True,
    "rbac.aggregateToAdmin": True,
    "webhook.create": True,
    "certController.create": True,
    "fullnameOverride": "",
}

CRD_SWITCHES = {
    # values.yaml: "If set to false you must also set processX: false" (crds.createX -> processX).
    "crds.createClusterExternalSecret": "processClusterExternalSecret",
    "crds.createClusterSecretStore": "processClusterStore",
    "crds.createClusterGenerator": "processClusterGenerator",
    "crds.createClusterPushSecret": "processClusterPushSecret",
    "crds.createPushSecret": "processPushSecret",
}

AGGREGATION = {
    # templates/rbac.yaml: the labels `<fullname>-view` and `<fullname>-edit` carry, each under its switch.
    "view": {
        "rbac.aggregateToView": "rbac.authorization.k8s.io/aggregate-to-view",
        "rbac.aggregateToEdit": "rbac.authorization.k8s.io/aggregate-to-edit",
        "rbac.aggregateToAdmin": "rbac.authorization.k8s.io/aggregate-to-admin",
    },
    "edit": {
        "rbac.aggregateToEdit": "rbac.authorization.k8s.io/aggregate-to-edit",
        "rbac.aggregateToAdmin": "rbac.authorization.k8s.io/aggregate-to-admin",
    },
}

CLUSTER_ROLES = {
    # templates/*rbac.yaml: ClusterRoles (or bindings) rendered whatever scopedRBAC says, each under its switches.
    "<fullname>-servicebindings": ("rbac.create", "rbac.servicebindings.create"),
    "<fullname>-cert-controller": ("certController.create",),
}
