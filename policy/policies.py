"""The guardrails gitpod-registry promises, as Pulumi policies anyone using its components can run.

`POLICIES` is a plain list: importing this module starts no policy server, so tests (and other
packs) can run each policy's `validate` directly. `policy/__main__.py` serves them as a pack.
Properties are the engine's (camelCase) names. Every message names the resource it is about.
"""

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
ENCRYPTION_V2 = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
IAM_POLICY_DOCUMENTS = {
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
    "aws:iam/policy:Policy": "policy",
}
IAM_ATTACHMENTS = (
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
)
ARTIFACT_REGISTRY_REPOSITORY = "gcp:artifactregistry/repository:Repository"
ECR_REPOSITORY = "aws:ecr/repository:Repository"
ECR_LIFECYCLE_POLICY = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
# Actions that take no resource-level permission: AWS's service authorization reference lists only "*" for them,
# so a statement of these alone may (and must) name "*".
NO_RESOURCE_LEVEL_ACTIONS = frozenset({"ecr:GetAuthorizationToken"})
ECR_ENCRYPTION_TYPES = frozenset({"AES256", "KMS", "KMS_DSSE"})
IAM_ROLE = "aws:iam/role:Role"
# Long-lived AWS credentials: an identity that never expires and a key that does not either.
IAM_USER_CREDENTIALS = ("aws:iam/user:User", "aws:iam/accessKey:AccessKey")
# IRSA (components/aws/ecr_policies.py, irsa_trust_policy): the audience of the token a pod exchanges, the
# mark of an IAM OIDC provider ARN, and the subject a service account's token carries.
IRSA_AUDIENCE = "sts.amazonaws.com"
OIDC_PROVIDER_MARK = ":oidc-provider/"
_SERVICE_ACCOUNT_SUBJECT = re.compile(
    r"^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-.a-z0-9]*[a-z0-9])?$"
)
GCP_PROJECT_GRANTS = (
    "gcp:projects/iAMMember:IAMMember",
    "gcp:projects/iAMBinding:IAMBinding",
    "gcp:projects/iAMPolicy:IAMPolicy",
)
# GKE Workload Identity (components/gcp/workload_identity.py): ESO's generator that logs in with it, what only a
# key login needs, and the two ways an IAM member names a Kubernetes service account of a GKE workload pool.
GCR_ACCESS_TOKEN = "kubernetes:generators.external-secrets.io/v1alpha1:GCRAccessToken"
GCP_KEY = "gcp:serviceaccount/key:Key"
GCP_ORG_POLICY = "gcp:orgpolicy/policy:Policy"
KEY_BAN_CONSTRAINTS = ("iam.disableServiceAccountKeyCreation", "iam.managed.disableServiceAccountKeyCreation")
GCP_IAM_GRANTS = (
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
    "gcp:artifactregistry/repositoryIamBinding:RepositoryIamBinding",
    "gcp:serviceaccount/iAMMember:IAMMember",
    "gcp:serviceaccount/iAMBinding:IAMBinding",
    *GCP_PROJECT_GRANTS[:2],
)
# The authoritative forms: a whole IAM policy as JSON text in `policyData` (google_iam_policy), one
# `{"role", "members"}` binding after another.
GCP_IAM_POLICIES = (
    "gcp:artifactregistry/repositoryIamPolicy:RepositoryIamPolicy",
    "gcp:serviceaccount/iAMPolicy:IAMPolicy",
    GCP_PROJECT_GRANTS[2],
)
WORKLOAD_POOL_MARK = ".svc.id.goog"
WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser"
_DNS_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_KSA_MEMBERS = (
    re.compile(
        r"^principal://iam\.googleapis\.com/projects/[0-9]+/locations/global/workloadIdentityPools/"
        rf"[^/*]+\.svc\.id\.goog/subject/ns/{_DNS_LABEL}/sa/{_DNS_LABEL}$"
    ),
    re.compile(rf"^serviceAccount:[^\[*]+\.svc\.id\.goog\[{_DNS_LABEL}/{_DNS_LABEL}\]$"),
)
ACR_REGISTRIES = {
    # token: (admin user property, anonymous pull property), for the classic and the native provider
    "azure:containerservice/registry:Registry": ("adminEnabled", "anonymousPullEnabled"),
    "azure-native:containerregistry:Registry": ("adminUserEnabled", "anonymousPullEnabled"),
}
ACR_REGISTRY = "azure:containerservice/registry:Registry"
ACR_TASK = "azure:containerservice/registryTask:RegistryTask"
# The tag the program puts on a registry that image-builder pushes workspace images to.
WORKSPACE_IMAGES_ROLE = ("gitpod-registry-role", "workspace-images")
AZURE_ROLE_ASSIGNMENTS = (
    "azure:authorization/assignment:Assignment",
    "azure-native:authorization:RoleAssignment",
)
# A scope wider than one resource: the tenant root, a management group, a subscription or a resource group.
_WIDE_AZURE_SCOPE = re.compile(
    r"^/?$|^/providers/microsoft\.management/managementgroups/[^/]+/?$|^/subscriptions/[^/]+(/resourcegroups/[^/]+)?/?$",
    re.IGNORECASE,
)
# What the program registers for a push secret, by who writes it (components/push_secret.py,
# SecretWriter.registered_as; the installer's own secret is not registered). Checked here: the Secret the
# program writes itself, and that a controller's ExternalSecret takes the template with the passwords from Secrets.
PUSH_SECRET_TYPES = {
    "program": "kubernetes:core/v1:Secret",
    "controller": "kubernetes:external-secrets.io/v1:ExternalSecret",
}
SECRET = PUSH_SECRET_TYPES["program"]
DOCKERCONFIG_TYPE = "kubernetes.io/dockerconfigjson"
# Copies of the program's facts (components/installer_config.py, components/reference.py, and PUSH_SECRET_TYPES
# above): the pack is published on its own; tests/test_policy_pack.py holds them equal to the originals.
DOCKERCONFIG_KEYS = {".dockerconfigjson"}
# The type of the Secret an ExternalSecret takes a registry login's template from (components/kubernetes/
# renewed_login.py): ESO renders its `.dockerconfigjson` key into the real secret; the kubelet never reads it.
LOGIN_TEMPLATE_TYPE = "gitpod-registry.io/login-template"
S3_CREDENTIAL_KEYS = {"s3AccessKey", "s3SecretKey"}
# Names of Docker Hub that Gitpod's resolver does not look logins up under (it uses docker.io).
DOCKER_HUB_ALIASES = {"index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"}
PUBLIC_ACCESS_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
DATA_BEARING = (BUCKET, BUCKET_V2, ECR_REPOSITORY, ARTIFACT_REGISTRY_REPOSITORY, *ACR_REGISTRIES)
EXTERNAL_SECRET = PUSH_SECRET_TYPES["controller"]

Validate = Callable[[ResourceValidationArgs, ReportViolation], None]


def _document(value: Any) -> dict | None:
    """A policy document given as JSON text or as an object; None while unknown (preview)."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None
    return None


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _on(types: Iterable[str], check: Validate) -> Validate:
    """Runs `check` only for resources of `types`."""
    wanted = frozenset(types)

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type in wanted:
            check(args, report_violation)

    return validate


def _public_access_blocked(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    off = [flag for flag in PUBLIC_ACCESS_FLAGS if args.props.get(flag) is not True]
    if off:
        report_violation(f"{args.name}: public access block must set {', '.join(off)} to true", None)


def _no_wildcard_iam(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    document = _document(args.props.get(IAM_POLICY_DOCUMENTS[args.resource_type]))
    for statement in _as_list((document or {}).get("Statement")):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        for action in _as_list(statement.get("Action")) + _as_list(statement.get("NotAction")):
            if isinstance(action, str) and "*" in action:
                report_violation(f"{args.name}: IAM action {action!r} is a wildcard; list the actions needed", None)
        if "NotResource" in statement:
            report_violation(f"{args.name}: NotResource grants everything else; name the resources", None)
        actions = _as_list(statement.get("Action"))
        if actions and "NotAction" not in statement and set(actions) <= NO_RESOURCE_LEVEL_ACTIONS:
            continue  # these have no resource-level permission: "*" is the only resource they take
        for resource in _as_list(statement.get("Resource")):
            if isinstance(resource, str) and _is_wildcard_resource(resource):
                report_violation(
                    f"{args.name}: IAM resource {resource!r} is a wildcard; scope it to the one bucket or the "
                    "repositories it needs",
                    None,
                )


def _is_wildcard_resource(arn: str) -> bool:
    # "arn:aws:s3:::bucket/*" (the objects of one bucket) is scoped; "*" or "arn:aws:s3:::*" is not.
    # An ECR ARN's resource is "repository/<name>": "repository/*" (or "repository/gitpod-*") is every repository.
    if arn == "*":
        return True
    head, _, rest = arn.rpartition(":")
    if head.split(":")[2:3] == ["ecr"]:
        return "*" in rest or "*" in head
    return "*" in rest.split("/", 1)[0] or "*" in head


def _no_full_access_attachment(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    arn = args.props.get("policyArn")
    if isinstance(arn, str) and (arn.endswith("FullAccess") or arn.endswith("/AdministratorAccess")):
        report_violation(f"{args.name}: attaches the managed policy {arn}; grant the registry's actions only", None)


def _no_project_wide_artifact_registry_grant(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    roles = [args.props.get("role")]
    document = _document(args.props.get("policyData"))
    roles += [
        binding.get("role") for binding in _as_list((document or {}).get("bindings")) if isinstance(binding, dict)
    ]
    for role in roles:
        if isinstance(role, str) and (role.startswith("roles/artifactregistry.") or role == "roles/storage.admin"):
            report_violation(
                f"{args.name}: grants {role} on the whole project; grant it on the one repository "
                "(gcp.artifactregistry.RepositoryIamMember)",
                None,
            )


def _acr_locked(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    admin, anonymous = ACR_REGISTRIES[args.resource_type]
    # Both default to off; only an explicit true opens the registry.
    if args.props.get(admin) is True:
        report_violation(
            f"{args.name}: the admin user logs in to every repository with full rights; use a token with a scope map",
            None,
        )
    if args.props.get(anonymous) is True:
        report_violation(f"{args.name}: anonymous pull lets anyone pull every image; turn it off", None)


def _no_wide_azure_role_assignment(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    scope = args.props.get("scope")
    if isinstance(scope, str) and _WIDE_AZURE_SCOPE.match(scope):
        report_violation(
            f"{args.name}: assigns a role at {scope!r}, which reaches every resource under it; "
            "assign it on the one resource (or use a scoped ACR token)",
            None,
        )


def _secret_shape(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    maps = [args.props.get("data"), args.props.get("stringData")]
    if any(m is not None and not isinstance(m, dict) for m in maps):
        return  # not known yet (preview) or masked as a whole: nothing to check
    keys = {key for m in maps if m for key in m}
    kind = args.props.get("type")
    if kind == DOCKERCONFIG_TYPE and keys != DOCKERCONFIG_KEYS:
        report_violation(
            f"{args.name}: a {DOCKERCONFIG_TYPE} secret must have exactly .dockerconfigjson, has {sorted(keys)}", None
        )
    if keys & S3_CREDENTIAL_KEYS:
        if kind not in (None, "Opaque") or keys != S3_CREDENTIAL_KEYS:
            report_violation(
                f"{args.name}: the s3storage certificate secret must be Opaque with exactly s3AccessKey and "
                f"s3SecretKey; has type {kind!r} and keys {sorted(keys)}",
                None,
            )


def _secret_values(props: Mapping[str, Any]) -> dict[str, str] | None:
    """The secret's data as text (`data` decoded from base64); None while any of it is unknown or masked."""
    values: dict[str, str] = {}
    for field in ("data", "stringData"):
        given = props.get(field)
        if given is None:
            continue
        if not isinstance(given, dict) or not all(isinstance(v, str) for v in given.values()):
            return None
        for key, value in given.items():
            if field == "data":
                try:
                    value = base64.b64decode(value, validate=True).decode()
                except (binascii.Error, UnicodeDecodeError):
                    value = "\0not base64"
            values[key] = value
    return values


def _login_problems(host: str, entry: object) -> list[str]:
    """What makes one `auths` entry unusable; never the credential itself."""
    if not isinstance(entry, dict):
        return [f"the entry for {host!r} is not an object"]
    username, password, auth = entry.get("username"), entry.get("password"), entry.get("auth")
    if auth is None:
        return [] if username and password else [f"the entry for {host!r} has neither auth nor username and password"]
    try:
        decoded = base64.b64decode(str(auth), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return [f"the auth of {host!r} is not base64 of username:password"]
    if decoded.endswith("\n"):
        return [f"the auth of {host!r} ends with a newline (as `echo ... | base64` makes it; gitpod PR #8550)"]
    if ":" not in decoded:
        return [f"the auth of {host!r} is not base64 of username:password"]
    if username is not None and password is not None and decoded != f"{username}:{password}":
        return [f"the auth of {host!r} does not match its username and password"]
    return []


def _dockerconfig_problems(document: str) -> list[str]:
    """Why the kubelet or Gitpod could not log in with this `.dockerconfigjson`, if they could not."""
    try:
        parsed = json.loads(document)
    except ValueError:
        return [".dockerconfigjson is not JSON"]
    auths = parsed.get("auths") if isinstance(parsed, dict) else None
    if not isinstance(auths, dict) or not auths:
        return [
            ".dockerconfigjson has no auths logins (credsStore and credHelpers name programs that do not exist "
            "in the cluster)"
        ]
    problems = []
    for host, entry in auths.items():
        if "://" in host or "/" in host:
            problems.append(
                f"key {host!r} is not a bare host: Gitpod looks logins up by host alone, e.g. registry.example.com "
                "(gitpod #6849, #10214)"
            )
        elif host in DOCKER_HUB_ALIASES:
            problems.append(f"key {host!r}: Gitpod looks Docker Hub logins up under docker.io")
        problems += _login_problems(host, entry)
    return problems


def _registry_credentials_usable(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    values = _secret_values(args.props)
    if values is None:
        return  # not known yet (preview) or masked: nothing to check
    kind = args.props.get("type")
    for key, value in values.items():
        if value == "\0not base64":
            report_violation(f"{args.name}: data.{key} is not base64, which Kubernetes requires in data", None)
    if ".dockerconfigjson" in values and kind not in (DOCKERCONFIG_TYPE, LOGIN_TEMPLATE_TYPE):
        report_violation(
            f"{args.name}: holds .dockerconfigjson but has type {kind or 'Opaque'!r}; the kubelet reads pull "
            f"credentials only from a {DOCKERCONFIG_TYPE} secret",
            None,
        )
    if kind == DOCKERCONFIG_TYPE and values.get(".dockerconfigjson", "\0not base64") != "\0not base64":
        for problem in _dockerconfig_problems(values[".dockerconfigjson"]):
            report_violation(f"{args.name}: {problem}", None)


def _template_only_from_secrets(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """A login External Secrets Operator writes takes its template (which holds the other logins' passwords) from
    Secrets only: an ExternalSecret's own template data, a ConfigMap or a literal is readable by anyone who can
    read those objects."""
    target = (args.props.get("spec") or {}).get("target") or {}
    template = target.get("template") if isinstance(target, dict) else None
    if not isinstance(template, dict) or template.get("type") != DOCKERCONFIG_TYPE:
        return
    if template.get("data"):
        report_violation(
            f"{args.name}: a registry login's template is in the ExternalSecret itself; use templateFrom a Secret", None
        )
    for source in _as_list(template.get("templateFrom")):
        if not isinstance(source, dict) or set(source) - {"secret", "target"}:
            report_violation(
                f"{args.name}: a registry login's template comes from a ConfigMap or a literal; use a Secret", None
            )


def _protected(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if not args.opts.protect:
        report_violation(f"{args.name}: holds data and must be protected (protect=True, config protectData)", None)


def _bucket_keys(bucket: PolicyResource) -> set[str]:
    return {str(v) for v in (bucket.props.get("bucket"), bucket.props.get("id")) if v}


def _guards(
    resources: list[PolicyResource], token: str | tuple[str, ...], bucket: PolicyResource
) -> list[PolicyResource]:
    """The `token` resources attached to `bucket`: by dependency on it, or by its name."""
    tokens = (token,) if isinstance(token, str) else token
    keys = _bucket_keys(bucket)
    found = []
    for resource in resources:
        if resource.resource_type not in tokens:
            continue
        deps = (resource.property_dependencies or {}).get("bucket") or []
        if any(dep.urn == bucket.urn for dep in deps) or str(resource.props.get("bucket")) in keys:
            found.append(resource)
    return found


def _is_tls_only(policy: PolicyResource) -> bool:
    document = _document(policy.props.get("policy"))
    for statement in _as_list((document or {}).get("Statement")):
        condition = statement.get("Condition", {}) if isinstance(statement, dict) else {}
        secure = condition.get("Bool", {}).get("aws:SecureTransport")
        if statement.get("Effect") == "Deny" and str(secure).lower() == "false":
            return True
    return False


def _each_bucket_hardened(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    buckets = [r for r in args.resources if r.resource_type in (BUCKET, BUCKET_V2)]
    for bucket in buckets:
        if not _guards(args.resources, PUBLIC_ACCESS_BLOCK, bucket):
            report_violation(f"{bucket.name}: bucket has no public access block", bucket.urn)
        if not _guards(args.resources, (ENCRYPTION, ENCRYPTION_V2), bucket):
            report_violation(f"{bucket.name}: bucket has no server-side encryption configuration", bucket.urn)
        if not any(_is_tls_only(p) for p in _guards(args.resources, BUCKET_POLICY, bucket)):
            report_violation(f"{bucket.name}: bucket has no policy denying requests without TLS", bucket.urn)


def _serves_workspace_images(registry: PolicyResource | ResourceValidationArgs) -> bool:
    tags = registry.props.get("tags")
    key, value = WORKSPACE_IMAGES_ROLE
    return isinstance(tags, dict) and tags.get(key) == value


def _task_runs_purge(task: PolicyResource) -> bool:
    """An enabled task with an enabled timer trigger whose (base64) step runs `acr purge`."""
    step = task.props.get("encodedStep")
    content = step.get("taskContent") if isinstance(step, dict) else None
    if not isinstance(content, str):
        return False
    try:
        text = base64.b64decode(content, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        text = content  # the provider also takes the YAML unencoded
    triggers = [t for t in _as_list(task.props.get("timerTriggers")) if isinstance(t, dict)]
    return (
        task.props.get("enabled") is not False
        and re.search(r"\bacr\s+purge\b", text) is not None
        and any(t.get("enabled") is not False and t.get("schedule") for t in triggers)
    )


def _purges(task: PolicyResource, registry: PolicyResource) -> bool:
    """Whether `task` runs on `registry`: by dependency, or by the registry's name at the end of its id."""
    deps = (task.property_dependencies or {}).get("containerRegistryId") or []
    if any(dep.urn == registry.urn for dep in deps):
        return True
    registry_id, name = task.props.get("containerRegistryId"), registry.props.get("name")
    return (
        isinstance(registry_id, str)
        and isinstance(name, str)
        and registry_id.lower().rstrip("/").endswith(f"/registries/{name.lower()}")
    )


def _expires_untagged(policy: PolicyResource) -> bool:
    document = _document(policy.props.get("policy"))
    rules = [r for r in _as_list((document or {}).get("rules")) if isinstance(r, dict)]
    return any(
        (r.get("selection") or {}).get("tagStatus") in ("untagged", "any")
        and (r.get("action") or {}).get("type") == "expire"
        for r in rules
    )


def _ecr_workspace_images_bounded(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    bounded = {
        p.props.get("repository")
        for p in args.resources
        if p.resource_type == ECR_LIFECYCLE_POLICY and _expires_untagged(p)
    }
    for repository in args.resources:
        if repository.resource_type != ECR_REPOSITORY or not _serves_workspace_images(repository):
            continue
        if repository.props.get("name") not in bounded:
            report_violation(
                f"{repository.name}: serves Gitpod workspace images, which nothing in Gitpod ever deletes, and has no "
                "lifecycle policy that expires images; its storage grows without bound",
                repository.urn,
            )


def _ecr_workspace_images_encrypted(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """An explicit encryption configuration (ECR's default is AES256 too; declared, a reviewer and this pack see
    it, and an unknown type is caught)."""
    if not _serves_workspace_images(args):
        return
    configurations = args.props.get("encryptionConfigurations")
    if configurations is None or not isinstance(configurations, list):
        if configurations is None:
            report_violation(
                f"{args.name}: serves Gitpod workspace images and declares no encryption; set "
                "encryptionConfigurations to AES256 or KMS (workspaceImages.kmsKeyArn)",
                None,
            )
        return  # unknown (preview)
    kinds = [c.get("encryptionType") for c in configurations if isinstance(c, dict)]
    if not kinds or any(isinstance(k, str) and k not in ECR_ENCRYPTION_TYPES for k in kinds):
        report_violation(
            f"{args.name}: serves Gitpod workspace images with encryption {kinds!r}; use AES256 or KMS", None
        )


def _statements(document: dict | None) -> list[dict]:
    return [s for s in _as_list((document or {}).get("Statement")) if isinstance(s, dict)]


def _federated(statement: dict) -> list[str]:
    principal = statement.get("Principal")
    federated = principal.get("Federated") if isinstance(principal, dict) else None
    return [f for f in _as_list(federated) if isinstance(f, str)]


def _irsa_trust_problems(document: dict) -> list[str]:
    """Why a role trusted through an IAM OIDC provider (IRSA) is not limited to one service account with STS's
    audience; [] when it is, or when no statement trusts an OIDC provider."""
    problems: list[str] = []
    subjects: set[str] = set()
    for statement in _statements(document):
        providers = [f for f in _federated(statement) if OIDC_PROVIDER_MARK in f]
        if statement.get("Effect") != "Allow" or not providers:
            continue
        condition = statement.get("Condition") if isinstance(statement.get("Condition"), dict) else {}
        equals = condition.get("StringEquals") if isinstance(condition.get("StringEquals"), dict) else {}
        others = sorted(op for op in condition if op != "StringEquals")
        if others:
            problems.append(
                f"its trust uses {', '.join(others)}; name the service account with StringEquals only "
                "(StringLike with a wildcard admits every matching service account)"
            )
        for provider in providers:
            issuer = provider.split(OIDC_PROVIDER_MARK, 1)[1]
            sub, aud = equals.get(f"{issuer}:sub"), equals.get(f"{issuer}:aud")
            if not isinstance(sub, str) or not _SERVICE_ACCOUNT_SUBJECT.match(sub):
                problems.append(
                    f"its trust of {issuer} does not name one service account with StringEquals on {issuer}:sub "
                    "(system:serviceaccount:<namespace>:<name>); any service account of the cluster could assume it"
                )
            else:
                subjects.add(sub)
            if aud != IRSA_AUDIENCE:
                problems.append(f"its trust of {issuer} does not require StringEquals {issuer}:aud = {IRSA_AUDIENCE}")
    if len(subjects) > 1:
        problems.append(f"its trust names {len(subjects)} service accounts; one identity per role")
    return problems


def _irsa_trust_one_service_account(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    document = _document(args.props.get("assumeRolePolicy"))
    for problem in _irsa_trust_problems(document or {}):
        report_violation(f"{args.name}: {problem}", None)


def _no_iam_user_beside_ecr(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    ecr = [r for r in args.resources if r.resource_type == ECR_REPOSITORY and _serves_workspace_images(r)]
    if not ecr:
        return
    for resource in args.resources:
        if resource.resource_type in IAM_USER_CREDENTIALS:
            kind = "IAM user" if resource.resource_type == IAM_USER_CREDENTIALS[0] else "access key"
            report_violation(
                f"{resource.name}: an {kind} in a stack whose workspace images are in ECR ({ecr[0].name}); ECR's "
                "login is renewed through IRSA with no stored key: remove it",
                resource.urn,
            )


def _gcr_auth(resource: PolicyResource) -> Mapping[str, Any]:
    """How a GCRAccessToken generator logs in (`spec.auth`); empty for any other resource."""
    if resource.resource_type != GCR_ACCESS_TOKEN:
        return {}
    return (resource.props.get("spec") or {}).get("auth") or {}


def _keyless_logins(resources: Iterable[PolicyResource]) -> list[PolicyResource]:
    return [r for r in resources if _gcr_auth(r).get("workloadIdentity")]


def _no_key_beside_workload_identity(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    logins = _keyless_logins(args.resources)
    if not logins:
        return
    why = f"the stack logs in to Artifact Registry with no key, through GKE Workload Identity ({logins[0].name})"
    for resource in args.resources:
        if resource.resource_type == GCP_KEY:
            report_violation(f"{resource.name}: a service-account key, but {why}: remove it", resource.urn)
        elif resource.resource_type == GCP_ORG_POLICY and str(resource.props.get("name", "")).endswith(
            tuple(f"/policies/{c}" for c in KEY_BAN_CONSTRAINTS)
        ):
            report_violation(
                f"{resource.name}: an exception to the organization's ban on service-account keys, but {why}: "
                "remove it",
                resource.urn,
            )
        elif _gcr_auth(resource).get("secretRef"):
            report_violation(
                f"{resource.name}: logs in with a service-account key stored in a Secret, but {why}: use "
                "auth.workloadIdentity",
                resource.urn,
            )


def _grants(props: Mapping[str, Any]) -> list[tuple[Any, list]]:
    """(role, members) of a grant: its member or members, or each binding of its policyData document."""
    if "policyData" in props:
        bindings = _as_list((_document(props.get("policyData")) or {}).get("bindings"))
        return [(b.get("role"), _as_list(b.get("members"))) for b in bindings if isinstance(b, dict)]
    return [(props.get("role"), [props["member"]] if "member" in props else _as_list(props.get("members")))]


def _workload_identity_one_service_account(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """A grant to a GKE workload pool's identity names one Kubernetes service account, by an exact name."""
    for role, members in _grants(args.props):
        pool = [m for m in members if isinstance(m, str) and WORKLOAD_POOL_MARK in m]
        for member in pool:
            if not any(form.fullmatch(member) for form in _KSA_MEMBERS):
                report_violation(
                    f"{args.name}: grants {role} to {member!r}, which is not one Kubernetes service account "
                    "(principal://.../subject/ns/NAMESPACE/sa/NAME or serviceAccount:PROJECT.svc.id.goog"
                    "[NAMESPACE/NAME]); a principalSet or a wildcard reaches every workload it matches",
                    None,
                )
        if len(pool) > 1:
            report_violation(
                f"{args.name}: grants {role} to {len(pool)} Kubernetes service accounts; one identity per grant",
                None,
            )
        if pool and role == WORKLOAD_IDENTITY_USER and args.resource_type in GCP_PROJECT_GRANTS:
            report_violation(
                f"{args.name}: grants {role} on the whole project, which lets the Kubernetes service account act as "
                "every Google service account in it; grant it on the one Google service account "
                "(gcp.serviceaccount.IAMMember)",
                None,
            )


def _workspace_images_bounded(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    tasks = [r for r in args.resources if r.resource_type == ACR_TASK and _task_runs_purge(r)]
    for registry in args.resources:
        if registry.resource_type != ACR_REGISTRY or not _serves_workspace_images(registry):
            continue
        retention = registry.props.get("retentionPolicyInDays")
        if isinstance(retention, int) and not isinstance(retention, bool) and retention > 0:
            continue
        if not any(_purges(task, registry) for task in tasks):
            report_violation(
                f"{registry.name}: serves Gitpod workspace images, which nothing in Gitpod ever deletes, and has no "
                "scheduled acr purge task and no retention policy; its storage grows without bound "
                "(workspaceImages.purge)",
                registry.urn,
            )


MANDATORY = EnforcementLevel.MANDATORY

POLICIES: list[Policy] = [
    ResourceValidationPolicy(
        name="s3-public-access-blocked",
        description="S3 public access blocks set all four flags to true.",
        validate=_on([PUBLIC_ACCESS_BLOCK], _public_access_blocked),
        enforcement_level=MANDATORY,
    ),
    StackValidationPolicy(
        name="s3-bucket-hardened",
        description="Every S3 bucket has a public access block, default encryption and a TLS-only bucket policy.",
        validate=_each_bucket_hardened,
        enforcement_level=MANDATORY,
    ),
    ResourceValidationPolicy(
        name="iam-no-wildcards",
        description="IAM policies allow no wildcard actions (s3:*, *) and no wildcard resources.",
        validate=_on(IAM_POLICY_DOCUMENTS, _no_wildcard_iam),
        enforcement_level=MANDATORY,
    ),
    ResourceValidationPolicy(
        name="iam-no-full-access-managed-policies",
        description="No *FullAccess or AdministratorAccess managed policy is attached.",
        validate=_on(IAM_ATTACHMENTS, _no_full_access_attachment),
        enforcement_level=MANDATORY,
    ),
    ResourceValidationPolicy(
        name="gcp-no-project-wide-registry-grants",
        description="Artifact Registry roles are granted on one repository, never on the project.",
        validate=_on(GCP_PROJECT_GRANTS, _no_project_wide_artifact_registry_grant),
        enforcement_level=MANDATORY,
    ),
    ResourceValidationPolicy(
        name="acr-admin-user-and-anonymous-pull-off",
        description="Azure Container Registries have the admin user and anonymous pull turned off.",
        validate=_on(ACR_REGISTRIES, _acr_locked),
        enforcement_level=MANDATORY,
    ),
    StackValidationPolicy(
        name="acr-workspace-images-bounded",
        description="An Azure Container Registry that serves Gitpod workspace images has a scheduled acr purge "
        "task or a retention policy.",
        validate=_workspace_images_bounded,
        enforcement_level=MANDATORY,
    ),
    StackValidationPolicy(
        name="ecr-workspace-images-bounded",
        description="An ECR repository that serves Gitpod workspace images has a lifecycle policy that expires images.",
        validate=_ecr_workspace_images_bounded,
        enforcement_level=MANDATORY,
    ),
    ResourceValidationPolicy(
        name="ecr-workspace-images-encrypted",
        description="An ECR repository that serves Gitpod workspace images declares AES256 or KMS encryption.",
        validate=_on([ECR_REPOSITORY], _ecr_workspace_images_encrypted),
        enforcement_level=MANDATORY,
    ),
    ResourceValidationPolicy(
        name="iam-irsa-trust-one-service-account",
        description="A role trusted through an IAM OIDC provider (IRSA) names exactly one service account, with "
        "StringEquals on both <issuer>:sub and <issuer>:aud = sts.amazonaws.com.",
        validate=_on([IAM_ROLE], _irsa_trust_one_service_account),
        enforcement_level=MANDATORY,
    ),
    StackValidationPolicy(
        name="ecr-no-iam-user-or-access-key",
        description="A stack whose workspace images are in ECR has no IAM user and no access key.",
        validate=_no_iam_user_beside_ecr,
        enforcement_level=MANDATORY,
    ),
    StackValidationPolicy(
        name="gcp-no-key-with-workload-identity",
        description="A stack that logs in to Artifact Registry through GKE Workload Identity has no service-account "
        "key, no exception to the organization's key ban and no generator that logs in with a stored key.",
        validate=_no_key_beside_workload_identity,
        enforcement_level=MANDATORY,
    ),
    ResourceValidationPolicy(
        name="gcp-workload-identity-one-service-account",
        description="An IAM grant to a GKE workload identity pool names exactly one Kubernetes service account "
        "(no principalSet, no wildcard, no second member), in a member, a binding or an IAM policy's bindings, and "
        "roles/iam.workloadIdentityUser is granted on one Google service account, never on the project.",
        validate=_on((*GCP_IAM_GRANTS, *GCP_IAM_POLICIES), _workload_identity_one_service_account),
        enforcement_level=MANDATORY,
    ),
    ResourceValidationPolicy(
        name="kubernetes-renewed-login-template-in-secret",
        description="An ExternalSecret that writes a registry login takes its template from Secrets only.",
        validate=_on([EXTERNAL_SECRET], _template_only_from_secrets),
        enforcement_level=MANDATORY,
    ),
    ResourceValidationPolicy(
        name="azure-no-wide-role-assignments",
        description="No Azure role is assigned at a management group, subscription or resource group scope.",
        validate=_on(AZURE_ROLE_ASSIGNMENTS, _no_wide_azure_role_assignment),
        enforcement_level=MANDATORY,
    ),
    ResourceValidationPolicy(
        name="kubernetes-registry-secret-shape",
        description="dockerconfigjson secrets hold exactly .dockerconfigjson; S3 credential secrets are Opaque "
        "with exactly s3AccessKey and s3SecretKey.",
        validate=_on([SECRET], _secret_shape),
        enforcement_level=MANDATORY,
    ),
    ResourceValidationPolicy(
        name="kubernetes-registry-credentials-usable",
        description="Registry credentials in Kubernetes secrets are in a form the kubelet and Gitpod can use: "
        ".dockerconfigjson in a kubernetes.io/dockerconfigjson secret, JSON with auths keyed by bare host "
        "(Docker Hub as docker.io), each auth base64 of username:password without a newline.",
        validate=_on([SECRET], _registry_credentials_usable),
        enforcement_level=MANDATORY,
    ),
    ResourceValidationPolicy(
        name="data-resources-protected",
        description="Buckets, ECR and Artifact Registry repositories and Azure Container Registries are protected "
        "against deletion.",
        validate=_on(DATA_BEARING, _protected),
        enforcement_level=MANDATORY,
    ),
]
