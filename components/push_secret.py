"""Who writes the push secret: the one `.dockerconfigjson` Gitpod's image-builder-mk3, registry-facade, blobserve
and ide-service read. Each backend declares it (`Backend.secret_writer`); the composite, the runtime model of the
tests, verify and the policy pack's copy ask this declaration instead of a backend's name or a resource type.
Plain Python, no Pulumi: verify reads it too."""

from __future__ import annotations

from enum import Enum


class SecretWriter(Enum):
    """Who writes the one `.dockerconfigjson` that image-builder-mk3, registry-facade, blobserve and ide-service
    read (the secret `containerRegistry` names; registry-facade/daemonset.go, image-builder-mk3/deployment.go)."""

    PROGRAM = "program"
    """This program: a `kubernetes.io/dockerconfigjson` Secret, with the push login and every other login."""
    INSTALLER = "installer"
    """Gitpod's installer, for its in-cluster registry (`containerRegistry.inCluster: true`): it generates the
    secret with its own registry's login only (install/installer/pkg/components/docker-registry/secret.go)."""
    CONTROLLER = "controller"
    """A controller in the cluster (External Secrets Operator) writes and renews the secret from objects this
    program creates (an ExternalSecret and its template), which can carry the other logins too."""

    @property
    def carries_other_logins(self) -> bool:
        """Whether other logins (a component mirror's, private base-image registries') can reach that secret."""
        return self is not SecretWriter.INSTALLER

    @property
    def written_mark(self) -> tuple[str, str] | None:
        """The label (key, value) this writer puts on every secret it writes, by which verify tells who wrote a
        secret it is given; None: no mark. ESO: `reconcile.external-secrets.io/managed: "true"` (external-secrets
        v2.9.0, apis/externalsecrets/v1/externalsecret_types.go `LabelManaged`, set in
        pkg/controllers/externalsecret/externalsecret_controller.go)."""
        return _WRITTEN_MARK[self]

    @property
    def status_resource(self) -> str | None:
        """What kubectl calls the object whose status says whether the secret is written and current (its `Ready`
        condition and last refresh), in the secret's namespace; None: no such object."""
        return _STATUS_RESOURCE[self]

    @property
    def registered_as(self) -> str | None:
        """The type of what this program registers that the secret is, or is written from; None: nothing."""
        return _REGISTERED_AS[self]


_REGISTERED_AS = {
    SecretWriter.PROGRAM: "kubernetes:core/v1:Secret",
    SecretWriter.INSTALLER: None,
    SecretWriter.CONTROLLER: "kubernetes:external-secrets.io/v1:ExternalSecret",
}
_WRITTEN_MARK = {
    SecretWriter.PROGRAM: None,
    SecretWriter.INSTALLER: None,
    SecretWriter.CONTROLLER: ("reconcile.external-secrets.io/managed", "true"),
}
_STATUS_RESOURCE = {
    SecretWriter.PROGRAM: None,
    SecretWriter.INSTALLER: None,
    SecretWriter.CONTROLLER: "externalsecret",
}
