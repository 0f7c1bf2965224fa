"""Which changed inputs make a provider replace a resource, and which resources hold data.

When a resource's inputs change, the engine asks its provider to Diff them, and the provider answers
"replace" for a change of a property that cannot be updated in place. pulumi-aws, pulumi-gcp and
pulumi-azure are bridged from the Terraform providers, whose schema marks such a property
`ForceNew: true`; the bridge turns a ForceNew change into a replacement (pulumi-terraform-bridge
pkg/tfbridge/provider.go, Diff). pulumi-kubernetes is native and decides by itself. The table holds
every resource type the program registers, read at the provider versions uv.lock pins; each entry
cites the file that decides it. A type missing here fails the test that holds this table to the
program (tests/offline_tools/test_upgrade.py), so a new resource type cannot go unchecked.

Both the upgrade test and the plan diff (`python -m offline.plan --diff`) read this one table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .changes import ABSENT, Change

# Terraform attribute names become camelCase Pulumi inputs (bucket_prefix -> bucketPrefix). Sources, read
# for the versions uv.lock pins:
# - pulumi-aws 7.51.1 bridges hashicorp/terraform-provider-aws v6 (paths under internal/service/). v6 gives
#   every regional resource a `region` input and replaces the resource when it changes, except from unset
#   to the provider's region or back (forceNewIfRegionChanges, internal/provider/sdkv2; the framework
#   interceptor resourceForceNewIfRegionChanges): a CustomizeDiff, so the registry docs do not show it.
# - pulumi-gcp 10.2.0 bridges hashicorp/terraform-provider-google-beta v8 (google-beta/services/...).
# - pulumi-azure 6.40.1 bridges hashicorp/terraform-provider-azurerm v4 (internal/services/containers/).
# - pulumi-kubernetes 4.34 decides by itself (provider/pkg/provider/diff.go, provider.go).
# None of the bridged providers' resources.go overrides ForceNew for these types.
FORCES_REPLACEMENT: dict[str, tuple[str, ...]] = {
    # s3/bucket.go: bucket, bucket_prefix, bucket_namespace, object_lock_enabled (and the deprecated
    # object_lock_configuration.object_lock_enabled) ForceNew; region as above.
    "aws:s3/bucket:Bucket": (
        "bucket",
        "bucketPrefix",
        "bucketNamespace",
        "objectLockEnabled",
        "objectLockConfiguration.objectLockEnabled",
        "region",
    ),
    # s3/bucket_lifecycle_configuration.go: bucket, expected_bucket_owner RequiresReplace.
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ("bucket", "expectedBucketOwner", "region"),
    # s3/bucket_ownership_controls.go, bucket_policy.go, bucket_public_access_block.go: bucket ForceNew.
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ("bucket", "region"),
    "aws:s3/bucketPolicy:BucketPolicy": ("bucket", "region"),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ("bucket", "region"),
    # s3/bucket_server_side_encryption_configuration.go: bucket ForceNew; expected_bucket_owner replaces
    # unless set from empty to the caller's account (CustomizeDiff; the program never sets it).
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "bucket",
        "expectedBucketOwner",
        "region",
    ),
    # iam/user.go: name and path update in place (UpdateUser); IAM has no region.
    "aws:iam/user:User": (),
    # iam/user_policy.go: name, name_prefix, user ForceNew.
    "aws:iam/userPolicy:UserPolicy": ("name", "namePrefix", "user"),
    # iam/access_key.go: user, pgp_key ForceNew (status updates in place).
    "aws:iam/accessKey:AccessKey": ("user", "pgpKey"),
    # ecr/repository.go: name and encryption_configuration (encryption_type, kms_key) ForceNew; tag
    # mutability, scanning and force_delete update in place; region as above.
    "aws:ecr/repository:Repository": ("name", "encryptionConfigurations", "region"),
    # ecr/lifecycle_policy.go: repository and policy ForceNew (the resource has no Update; a changed policy is
    # deleted and put again, which leaves the repository without rules for a moment and deletes no image).
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": ("repository", "policy", "region"),
    # iam/role.go: name, name_prefix, path ForceNew (the trust policy updates in place).
    "aws:iam/role:Role": ("name", "namePrefix", "path"),
    # iam/role_policy.go: name, name_prefix, role ForceNew.
    "aws:iam/rolePolicy:RolePolicy": ("name", "namePrefix", "role"),
    # artifactregistry/resource_artifact_registry_repository.go: format, repository_id, kms_key_name,
    # location, mode, project, remote_repository_config ForceNew, and maven_config's two fields.
    "gcp:artifactregistry/repository:Repository": (
        "format",
        "repositoryId",
        "kmsKeyName",
        "location",
        "mode",
        "project",
        "remoteRepositoryConfig",
        "mavenConfig.allowSnapshotOverwrites",
        "mavenConfig.versionPolicy",
    ),
    # tpgiamresource/resource_iam_member.go has no Update: role, member, condition ForceNew; with
    # artifactregistry/iam_artifact_registry_repository.go: repository, location, project.
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": (
        "repository",
        "location",
        "project",
        "role",
        "member",
        "condition",
    ),
    # tpgiamresource/resource_iam_member.go: role, member, condition ForceNew; with
    # resourcemanager/iam_service_account.go: service_account_id.
    "gcp:serviceaccount/iAMMember:IAMMember": ("serviceAccountId", "role", "member", "condition"),
    # resourcemanager/resource_google_service_account.go: account_id, project ForceNew.
    "gcp:serviceaccount/account:Account": ("accountId", "project"),
    # resourcemanager/resource_google_service_account_key.go: every input but deletion_policy.
    "gcp:serviceaccount/key:Key": (
        "serviceAccountId",
        "keyAlgorithm",
        "privateKeyType",
        "publicKeyType",
        "publicKeyData",
        "keepers",
    ),
    # resourcemanager/resource_google_project_service.go: service, project ForceNew.
    "gcp:projects/service:Service": ("service", "project"),
    # orgpolicy/resource_org_policy_policy.go: name, parent ForceNew (spec updates in place).
    "gcp:orgpolicy/policy:Policy": ("name", "parent"),
    # container_registry_resource.go: name, resource_group_name, location (commonschema), and
    # zone_redundancy_enabled ForceNew.
    "azure:containerservice/registry:Registry": ("name", "resourceGroupName", "location", "zoneRedundancyEnabled"),
    # container_registry_scope_map_resource.go, container_registry_token_resource.go: name,
    # container_registry_name, resource_group_name ForceNew.
    "azure:containerservice/registryScopeMap:RegistryScopeMap": ("name", "containerRegistryName", "resourceGroupName"),
    "azure:containerservice/registryToken:RegistryToken": ("name", "containerRegistryName", "resourceGroupName"),
    # container_registry_token_password_resource.go: container_registry_token_id, password1.expiry,
    # password2.expiry ForceNew.
    "azure:containerservice/tokenPassword:TokenPassword": (
        "containerRegistryTokenId",
        "password1.expiry",
        "password2.expiry",
    ),
    # container_registry_task_resource.go: name, container_registry_id, is_system_task ForceNew (the step,
    # platform and timer triggers update in place).
    "azure:containerservice/registryTask:RegistryTask": ("name", "containerRegistryId", "isSystemTask"),
    # diff.go: metadataForceNewProperties (name, namespace), and core/v1 Secret's `.type`; its data below.
    "kubernetes:core/v1:Secret": ("metadata.name", "metadata.namespace", "type"),
    # diff.go: metadataForceNewProperties (name, namespace) for every kind, custom resources included.
    "kubernetes:core/v1:ServiceAccount": ("metadata.name", "metadata.namespace"),
    "kubernetes:external-secrets.io/v1:ExternalSecret": ("metadata.name", "metadata.namespace"),
    "kubernetes:generators.external-secrets.io/v1alpha1:ECRAuthorizationToken": ("metadata.name", "metadata.namespace"),
    "kubernetes:generators.external-secrets.io/v1alpha1:GCRAccessToken": ("metadata.name", "metadata.namespace"),
    "kubernetes:rbac.authorization.k8s.io/v1:Role": ("metadata.name", "metadata.namespace"),
    # diff.go: `roleBinding` (.roleRef, which the apiserver refuses to change).
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": ("metadata.name", "metadata.namespace", "roleRef"),
    # helm_release.go, Diff: `forceNewFields := []string{".name", ".namespace"}`; a new chart version or values
    # upgrade the release in place (helm upgrade).
    "kubernetes:helm.sh/v3:Release": ("name", "namespace"),
}
"""{type token: input paths}; a change at a path, or anywhere below it, replaces the resource."""

FORCES_REPLACEMENT_UNLESS: dict[str, tuple[tuple[str, ...], str]] = {
    # pulumi-kubernetes provider/pkg/provider/diff.go: a Secret's data and stringData force replacement
    # unless the provider runs with enableSecretMutable (and the Secret is not `immutable`, which the program
    # never sets). The provider's Diff runs with the new config, so the plan that follows decides.
    "kubernetes:core/v1:Secret": (("data", "stringData"), "kubernetes:enableSecretMutable"),
}
"""{type token: (input paths, provider config key)}: these paths force replacement unless that key is true."""

DATA_BEARING_TYPES: frozenset[str] = frozenset(
    {
        "aws:s3/bucket:Bucket",
        "aws:ecr/repository:Repository",
        "gcp:artifactregistry/repository:Repository",
        "azure:containerservice/registry:Registry",
        # The identity a repository grant and a reused account's other grants are bound to.
        "gcp:serviceaccount/account:Account",
    }
)
"""Types whose replacement loses images or the identity Gitpod pushes with (any protected resource too)."""

_REGION_FROM_PROVIDER = {"region": "aws:region"}
PROVIDER_DEFAULTS: dict[str, dict[str, str]] = {
    token: _REGION_FROM_PROVIDER
    for token, inputs in FORCES_REPLACEMENT.items()
    if token.startswith(("aws:s3/", "aws:ecr/"))
}
"""{type token: {input: config key}}: an Optional+Computed input that the provider fills from its own
configuration when the program leaves it out. Setting it later to that same value is no change (the
state already holds it), so `absent -> aws:region's value` does not replace the bucket."""


def provider_config_keys() -> list[str]:
    """The provider config keys a snapshot records, so that a diff can apply the rules above."""
    keys = {key for inputs in PROVIDER_DEFAULTS.values() for key in inputs.values()}
    return sorted(keys | {key for _, key in FORCES_REPLACEMENT_UNLESS.values()})


def _forced_by(path: str, forcing: Iterable[str]) -> bool:
    return any(path == p or path.startswith((f"{p}.", f"{p}[", f"{p} (")) for p in forcing)


def _top(path: str) -> str:
    return path.split(".", 1)[0].split("[", 1)[0].split(" (", 1)[0]


def replacing_changes(
    type_token: str, changes: Iterable[Change], before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[Change]:
    """The changes among `changes` that make the provider replace a `type_token` resource.

    `before` and `after` are the provider config of the two plans (a snapshot's `providerConfig`).
    """
    forcing = FORCES_REPLACEMENT.get(type_token, ())
    conditional, switch = FORCES_REPLACEMENT_UNLESS.get(type_token, ((), ""))
    if conditional and str(after.get(switch, "")).lower() != "true":
        forcing += conditional
    defaults = PROVIDER_DEFAULTS.get(type_token, {})
    found = []
    for change in changes:
        if not _forced_by(change.path, forcing):
            continue
        key = defaults.get(_top(change.path))
        if key is not None and (
            (change.before == ABSENT and change.after == before.get(key))
            or (change.after == ABSENT and change.before == after.get(key))
        ):
            continue
        found.append(change)
    return found
