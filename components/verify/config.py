"""The registry fields of a Gitpod installer config (the program's `installerConfigYaml`), read for checking.

Only the fields that name registries and their secrets are read; any other installer keys are
ignored, so the whole gitpod-config.yaml works as well as the fragment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..installer_config import DEFAULT_COMPONENT_REPOSITORY
from ..push_secret import SecretWriter
from ..reference import ReferenceError, check_host, parse_name
from ..validation import describe
from .secrets import InputError, load_documents


@dataclass(frozen=True)
class SecretRef:
    name: str
    field: str
    """The config field that references it, e.g. containerRegistry.external.certificate."""


@dataclass(frozen=True)
class S3Storage:
    bucket: str
    region: str
    endpoint: str
    """host[:port], no scheme; the registry always speaks HTTPS to it."""
    certificate: SecretRef
    """Secret with keys s3AccessKey and s3SecretKey."""


@dataclass(frozen=True)
class RegistryConfig:
    in_cluster: bool
    repository: str | None = None
    external_url: str | None = None
    external_secret: SecretRef | None = None
    s3: S3Storage | None = None
    private_base_hosts: list[str] = field(default_factory=list)
    image_pull_secrets: list[SecretRef] = field(default_factory=list)
    custom_ca: SecretRef | None = None

    @property
    def mirror(self) -> str | None:
        """The component image repository when it is not Gitpod's public one."""
        if self.repository and self.repository.rstrip("/") != DEFAULT_COMPONENT_REPOSITORY:
            return self.repository
        return None

    @property
    def secret_writer(self) -> SecretWriter | None:
        """Who writes the containerRegistry secret: the installer with inCluster: true; otherwise this program or
        a controller, which the config does not tell apart (None; verify reads the secret given either way)."""
        return SecretWriter.INSTALLER if self.in_cluster else None

    def secret_refs(self) -> list[SecretRef]:
        refs = [self.external_secret, self.s3.certificate if self.s3 else None, self.custom_ca]
        return [ref for ref in refs if ref is not None] + self.image_pull_secrets


def _ref(value: object, field_name: str) -> SecretRef:
    if not isinstance(value, dict) or not value.get("name"):
        raise InputError(f"{field_name}: expected {{kind: secret, name: NAME}}")
    if value.get("kind", "secret") != "secret":
        raise InputError(f"{field_name}.kind is {value.get('kind')!r}; the installer accepts only `secret`")
    return SecretRef(str(value["name"]), field_name)


def _string(parent: dict, key: str, field_name: str) -> str:
    value = parent.get(key)
    if not isinstance(value, str) or not value:
        raise InputError(f"{field_name}: required, a non-empty string")
    return value


def _name(value: str, field_name: str, *, host_required: bool) -> str:
    """A registry host and path, read by the grammar the program checks them with (reference.parse_name)."""
    try:
        parse_name(value.removesuffix("/"), host_required=host_required)
    except ReferenceError as error:
        raise InputError(f"{field_name}: {describe(value)} {error}") from None
    return value


def parse_config(document: object, source: str = "config") -> RegistryConfig:
    if not isinstance(document, dict):
        raise InputError(f"{source}: expected the installer config (an object with containerRegistry)")
    registry = document.get("containerRegistry")
    if not isinstance(registry, dict):
        raise InputError(f"{source}: containerRegistry is missing")
    in_cluster = registry.get("inCluster")
    if not isinstance(in_cluster, bool):
        raise InputError(f"{source}: containerRegistry.inCluster: required, true or false")
    external_url = external_secret = s3 = None
    if not in_cluster:
        external = registry.get("external")
        if not isinstance(external, dict):
            raise InputError(f"{source}: containerRegistry.external: required when inCluster is false")
        field_name = "containerRegistry.external.url"
        external_url = _name(_string(external, "url", field_name), field_name, host_required=True)
        external_secret = _ref(external.get("certificate"), "containerRegistry.external.certificate")
    elif registry.get("s3storage") is not None:
        storage = registry["s3storage"]
        if not isinstance(storage, dict):
            raise InputError(f"{source}: containerRegistry.s3storage: expected an object")
        fields = {key: _string(storage, key, f"containerRegistry.s3storage.{key}") for key in ("bucket", "region")}
        endpoint = _string(storage, "endpoint", "containerRegistry.s3storage.endpoint")
        try:
            check_host(endpoint)
        except ReferenceError as error:
            raise InputError(f"containerRegistry.s3storage.endpoint: host[:port] without a scheme; {error}") from None
        certificate = _ref(storage.get("certificate"), "containerRegistry.s3storage.certificate")
        s3 = S3Storage(fields["bucket"], fields["region"], endpoint, certificate)
    hosts = registry.get("privateBaseImageAllowList") or []
    if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
        raise InputError(f"{source}: containerRegistry.privateBaseImageAllowList: expected a list of hosts")
    pull_secrets = document.get("imagePullSecrets") or []
    if not isinstance(pull_secrets, list):
        raise InputError(f"{source}: imagePullSecrets: expected a list of {{kind: secret, name}}")
    repository = document.get("repository")
    if repository is not None and not isinstance(repository, str):
        raise InputError(f"{source}: repository: expected a string")
    if repository:
        _name(repository, "repository", host_required=False)
    return RegistryConfig(
        in_cluster=in_cluster,
        repository=repository or None,
        external_url=external_url,
        external_secret=external_secret,
        s3=s3,
        private_base_hosts=list(hosts),
        image_pull_secrets=[_ref(ref, f"imagePullSecrets[{i}]") for i, ref in enumerate(pull_secrets)],
        custom_ca=_ref(document["customCACert"], "customCACert") if document.get("customCACert") else None,
    )


def read_config(path: Path) -> RegistryConfig:
    try:
        text = Path(path).read_text()
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    documents = load_documents(text, str(path))
    if len(documents) == 1 and isinstance(documents[0], str):
        # `pulumi stack output --json installerConfigYaml` prints the YAML as one JSON string.
        documents = load_documents(documents[0], str(path))
    if len(documents) != 1:
        raise InputError(f"{path}: expected one installer config document, found {len(documents)}")
    return parse_config(documents[0], str(path))
