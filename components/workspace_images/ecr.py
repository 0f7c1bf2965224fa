"""Backend `ecr`: workspace images on AWS, in ECR, with a login External Secrets Operator renews in the cluster.

Image-builder-mk3 pushes to exactly two repositories, `<url>/base-images` and `<url>/workspace-images`
(install/installer/pkg/components/image-builder-mk3/configmap.go), so both are created here: encrypted,
tagged with the cluster, protected, bounded by lifecycle policies. Tags stay MUTABLE: image-builder tags an
image with a sha256 of its build inputs and pushes the same tag again on a forced rebuild
(components/image-builder-mk3/pkg/orchestrator/orchestrator.go, getWorkspaceImageRef, `GetForceRebuild`).

ECR logins are tokens that expire after 12 hours. ESO's ECRAuthorizationToken generator mints one with an
IAM role assumed through IRSA by a service account in Gitpod's namespace, and an ExternalSecret rewrites
Gitpod's `.dockerconfigjson` Secret with it in place (kubernetes/renewed_login.py). No IAM user, no access
key: nothing in Pulumi's state or outputs can log in to AWS.
"""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from .. import validation
from ..aws import ecr_policies
from ..aws.ecr import is_ecr_host
from ..aws.partition import Partition, partition_of
from ..aws.partition import region as check_region
from ..fields import Field, checked_values
from ..installer_config import PUSHED_REPOSITORIES, external_registry
from ..kubernetes import renewed_login
from ..kubernetes.dockerconfig import NO_LOGINS, RegistryCredential, RegistryLogins
from ..validation import InvalidInput, at, checked_args, describe
from .backend import (
    PUSH_SECRET_NAME,
    Backend,
    Common,
    SecretWriter,
    check_common,
    cluster_name_input,
    extra_credentials_input,
    namespace_input,
    protect_data_input,
    secret_name_input,
)

DEFAULT_SECRET_NAME = PUSH_SECRET_NAME
LOGIN_SERVICE_ACCOUNT = "gitpod-registry-ecr-login"
"""The service account ESO requests a token for (IRSA); no pod runs as it."""
DEFAULT_UNTAGGED_DAYS = 7
DEFAULT_IMAGE_DAYS = 30
MIN_IMAGE_DAYS = 2
"""ECR applies a lifecycle rule up to 24 hours late; two days keeps a fresh build out of reach of a rule."""
MAX_DAYS = 3650
ROLE_NAME_MAX = 64
ECR_TOKEN_LIFETIME_SECONDS = 12 * 60 * 60
"""GetAuthorizationToken: "The authorization token is valid for 12 hours" (ECR API reference)."""
LOGIN_GENERATOR_KIND = "ECRAuthorizationToken"
"""ESO's generator that mints the login (generators/v1/ecr/ecr.go)."""
_OIDC_ARN = re.compile(r"arn:(aws[a-z-]*):iam::[0-9]{12}:oidc-provider/[A-Za-z0-9.-]+(/[A-Za-z0-9._-]+)*")
_EKS_CLUSTER = re.compile(r"[0-9A-Za-z][A-Za-z0-9_-]{0,99}")
_KMS_ARN = re.compile(
    r"arn:(aws[a-z-]*):kms:[a-z0-9-]+:[0-9]{12}:(key/[0-9a-f-]{36}|key/mrk-[0-9a-f]{32}|alias/[A-Za-z0-9/_-]+)"
)
_OIDC_EXAMPLE = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"


def _eks_cluster_name(field: str, value: object) -> str:
    return validation.matching(
        field,
        value,
        _EKS_CLUSTER,
        "an EKS cluster name",
        "an EKS cluster name",
        "1-100 letters, digits, '-' and '_', starting with a letter or digit",
    )


def _refresh_interval(field: str, value: object) -> str:
    return renewed_login.check_refresh_interval(field, value, ECR_TOKEN_LIFETIME_SECONDS, "an ECR login lasts 12h")


FIELDS = (
    Field(
        "region",
        "string",
        fallback="aws:region",
        required=True,
        check=check_region,
        description="AWS region of the repositories (the EKS cluster's), e.g. eu-west-1; decides the partition (aws, "
        "aws-cn, aws-us-gov).",
    ),
    # Which of the two identifies the cluster, and the ARN's partition, are checked against the others (_identity).
    Field(
        "oidc_provider_arn",
        "string",
        alternative_to="eksClusterName",
        what=f"an IAM OIDC provider ARN such as {_OIDC_EXAMPLE}",
        takes_output=True,
        description="ARN of the EKS cluster's IAM OIDC provider, which the role trusts (IRSA), e.g. "
        f"{_OIDC_EXAMPLE}; from pulumi-eks, cluster.core.oidc_provider.arn.",
    ),
    Field(
        "eks_cluster_name",
        "string",
        alternative_to="oidcProviderArn",
        check=_eks_cluster_name,
        description="Name of the EKS cluster whose OIDC issuer the role trusts (looked up; its IAM OIDC provider must "
        "exist).",
    ),
    Field(
        "refresh_interval",
        "string",
        default=renewed_login.REFRESH_INTERVAL_DEFAULT,
        check=_refresh_interval,
        description="How often ESO renews the login, a Go duration from 1m to 11h: a login lasts 12h and an image "
        "build uses the one it started with for up to 1h.",
    ),
    Field(
        "kms_key_arn",
        "string",
        default_text="AES256 with keys ECR manages",
        what="a KMS key ARN",
        description="ARN of a KMS key to encrypt the repositories with.",
    ),
    Field(
        "scan_on_push",
        "boolean",
        default=False,
        description="Scan each pushed image for vulnerabilities (ECR basic scanning).",
    ),
    Field(
        "untagged_expiry_days",
        "integer",
        default=DEFAULT_UNTAGGED_DAYS,
        maximum=MAX_DAYS,
        bounds_why=" (ten years)",
        description="Delete untagged images (left behind when a tag is pushed again) this many days after their push.",
    ),
    Field(
        "image_expiry_days",
        "integer",
        default=DEFAULT_IMAGE_DAYS,
        minimum=MIN_IMAGE_DAYS,
        maximum=MAX_DAYS,
        bounds_why=" (ECR applies a lifecycle rule up to a day late, so a younger image may be one a workspace is "
        "starting from; at most ten years)",
        description="Delete every image this many days after its push, at least 2; Gitpod rebuilds a deleted image "
        "when a workspace next needs it.",
    ),
)
"""The ecr fields under workspaceImages, each declared once (components/fields.py)."""

INPUTS = (
    cluster_name_input("part of the repository and IAM role names, so two clusters in one account never collide"),
    namespace_input("Gitpod, of the dockerconfigjson secret and of the ESO objects"),
    *FIELDS,
    protect_data_input("the repositories"),
    secret_name_input(DEFAULT_SECRET_NAME, "Name of the kubernetes.io/dockerconfigjson secret ESO writes."),
    extra_credentials_input("More registries (e.g. private base images) merged into the same .dockerconfigjson."),
)
"""Every input of EcrWorkspaceImages; its Args below are generated from them."""
_DIRECT = tuple(f for f in INPUTS if f.name in ("secret_name", "extra_credentials"))


# BEGIN EcrWorkspaceImagesArgs: generated by `python -m offline.docs` from its declared inputs; do not edit
class EcrWorkspaceImagesArgs(TypedDict):
    cluster_name: str
    """Cluster name; part of the repository and IAM role names, so two clusters in one account never collide."""
    namespace: str
    """Kubernetes namespace of Gitpod, of the dockerconfigjson secret and of the ESO objects, e.g. gitpod."""
    region: str
    """AWS region of the repositories (the EKS cluster's), e.g. eu-west-1; decides the partition (aws, aws-cn,
    aws-us-gov)."""
    oidc_provider_arn: NotRequired[pulumi.Input[str]]
    """ARN of the EKS cluster's IAM OIDC provider, which the role trusts (IRSA), e.g.
    arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE; from pulumi-eks,
    cluster.core.oidc_provider.arn. Give this or eksClusterName, not both."""
    eks_cluster_name: NotRequired[str]
    """Name of the EKS cluster whose OIDC issuer the role trusts (looked up; its IAM OIDC provider must exist). Give
    this or oidcProviderArn, not both."""
    refresh_interval: NotRequired[str]
    """How often ESO renews the login, a Go duration from 1m to 11h: a login lasts 12h and an image build uses the
    one it started with for up to 1h. Default 1h."""
    kms_key_arn: NotRequired[str]
    """ARN of a KMS key to encrypt the repositories with. Default: AES256 with keys ECR manages."""
    scan_on_push: NotRequired[bool]
    """Scan each pushed image for vulnerabilities (ECR basic scanning). Default false."""
    untagged_expiry_days: NotRequired[int]
    """Delete untagged images (left behind when a tag is pushed again) this many days after their push. Default 7."""
    image_expiry_days: NotRequired[int]
    """Delete every image this many days after its push, at least 2; Gitpod rebuilds a deleted image when a
    workspace next needs it. Default 30."""
    protect_data: NotRequired[bool]
    """Protect the repositories from deletion by Pulumi. Default true."""
    secret_name: NotRequired[str]
    """Name of the kubernetes.io/dockerconfigjson secret ESO writes. Default gitpod-registry-workspace-images."""
    extra_credentials: NotRequired[list[RegistryCredential]]
    """More registries (e.g. private base images) merged into the same .dockerconfigjson."""
    # END EcrWorkspaceImagesArgs


@dataclass(frozen=True)
class CheckedEcr:
    common: Common
    region: str
    oidc_provider_arn: pulumi.Input[str] | None
    """A string checked here, or an Output checked when it is known; None: looked up from eks_cluster_name."""
    eks_cluster_name: str | None
    refresh_interval: str = renewed_login.REFRESH_INTERVAL_DEFAULT
    kms_key_arn: str | None = None
    scan_on_push: bool = False
    untagged_days: int = DEFAULT_UNTAGGED_DAYS
    image_days: int = DEFAULT_IMAGE_DAYS
    credentials: tuple[RegistryCredential, ...] = ()
    """The other logins the written secret carries: a component mirror's, private base-image registries'."""
    allow_list: tuple[str, ...] = ()
    secret_name: str = DEFAULT_SECRET_NAME


def repository_prefix(cluster_name: str) -> str:
    """What the installer's external.url adds to the registry host; both repositories are under it."""
    return f"gitpod/{cluster_name}"


def role_name_for(cluster_name: str, region_name: str) -> str:
    return f"gitpod-registry-ecr-{cluster_name}-{region_name}"


def check_oidc_provider_arn(field: str, value: object, partition: Partition) -> str:
    """An IAM OIDC provider ARN in the repositories' partition (IAM trusts no provider of another partition)."""
    text = validation.require_type(field, value, str, f"an IAM OIDC provider ARN such as {_OIDC_EXAMPLE}")
    match = _OIDC_ARN.fullmatch(text)
    if match is None:
        raise InvalidInput(field, f"{describe(text)} is not an IAM OIDC provider ARN; e.g. {_OIDC_EXAMPLE}")
    if match.group(1) != partition.name:
        raise InvalidInput(
            field, f"is in partition {match.group(1)!r}, but the repositories are in {partition.name!r}: use that one"
        )
    return text


def _own_login_refused(logins: RegistryLogins) -> None:
    for host in logins.hosts:
        if is_ecr_host(host):
            raise InvalidInput(
                f"{logins.path_of(host)}.server",
                f"{describe(host)} is an ECR registry: a stored ECR login expires after 12 hours; the ecr backend's "
                "renewed login covers its own registry only",
            )


def _identity(values: Mapping[str, Any], path: str, partition: Partition) -> tuple[Any, str | None]:
    """The OIDC provider ARN (checked against the partition unless an Output) or the EKS cluster name: exactly one."""
    arn, cluster = values["oidc_provider_arn"], values["eks_cluster_name"]
    if (arn is None) == (cluster is None):
        raise InvalidInput(
            at(path, "oidc_provider_arn"),
            "give exactly one of it and " + validation.ref(at(path, "eks_cluster_name")) + ": the role trusts the "
            f"EKS cluster's IAM OIDC provider (IRSA), named by its ARN (e.g. {_OIDC_EXAMPLE}) or looked up from the "
            "cluster's name",
        )
    if cluster is not None or isinstance(arn, pulumi.Output):
        return arn, cluster  # an Output is checked when known (EcrWorkspaceImages._trust)
    return check_oidc_provider_arn(at(path, "oidc_provider_arn"), arn, partition), None


def _kms_key_arn(kms: str | None, path: str, region_name: str, partition: Partition) -> str | None:
    if kms is not None:
        match = _KMS_ARN.fullmatch(kms)
        if match is None or match.group(1) != partition.name:
            raise InvalidInput(
                at(path, "kms_key_arn"),
                f"{describe(kms)} is not a KMS key or alias ARN in partition {partition.name!r}; e.g. "
                f"arn:{partition.name}:kms:{region_name}:111122223333:key/<key id>",
            )
    return kms


def check_fields(args: Mapping[str, Any], path: str, common: Common, logins: RegistryLogins = NO_LOGINS) -> CheckedEcr:
    """Checks the ecr fields at `path`; the cluster name against the role name it makes."""
    values = checked_values(FIELDS, args, path, "the ecr backend")
    region_name = values["region"]
    partition = partition_of(region_name)
    if len(role_name_for(common.cluster_name, region_name)) > ROLE_NAME_MAX:
        limit = ROLE_NAME_MAX - len(role_name_for("", region_name))
        raise InvalidInput(
            "cluster_name",
            f"at most {limit} characters in {region_name}, because the IAM role name "
            f"{role_name_for('<cluster>', region_name)} has at most {ROLE_NAME_MAX} (IAM's limit for role names)",
        )
    arn, cluster = _identity(values, path, partition)
    kms = _kms_key_arn(values["kms_key_arn"], path, region_name, partition)
    _own_login_refused(logins)
    return CheckedEcr(
        common,
        region_name,
        arn,
        cluster,
        values["refresh_interval"],
        kms,
        values["scan_on_push"],
        values["untagged_expiry_days"],
        values["image_expiry_days"],
        logins.credentials,
        logins.allow_list,
    )


def check_args(args: EcrWorkspaceImagesArgs) -> CheckedEcr:
    """Validates the arguments of a directly constructed EcrWorkspaceImages and fills in defaults."""
    direct = checked_values(_DIRECT, args, "")
    checked = check_fields(args, "", check_common(args), direct["extra_credentials"] or NO_LOGINS)
    return replace(checked, secret_name=direct["secret_name"])


class EcrWorkspaceImages(pulumi.ComponentResource):
    """ECR repositories for workspace images, and a push login External Secrets Operator renews.

    Children: two repositories (base-images, workspace-images: MUTABLE tags, AES256 or KMS encryption, tagged
    with the cluster, protected) with lifecycle policies; an IAM role that may push and pull those two only,
    trusted through the cluster's OIDC provider by one service account (IRSA), and that service account in
    Gitpod's namespace; ESO's ECRAuthorizationToken generator, a template Secret and an ExternalSecret that
    writes the kubernetes.io/dockerconfigjson secret. No IAM user and no access key.
    """

    url: pulumi.Output[str]
    """Where image-builder pushes: <account>.dkr.ecr.<region>.amazonaws.com/gitpod/<cluster>."""
    repository_arns: pulumi.Output[list[str]]
    """ARNs of the two repositories, arn:<partition>:ecr:<region>:<account>:repository/gitpod/<cluster>/<name>."""
    role_arn: pulumi.Output[str]
    """ARN of the IAM role ESO's generator logs in with."""
    secret_name: pulumi.Output[str]
    """Name of the kubernetes.io/dockerconfigjson secret ESO writes (key .dockerconfigjson)."""

    container_registry: pulumi.Output[dict[str, Any]]
    """The installer's containerRegistry block: external url and secret, and the base-image allow list."""

    def __init__(self, name: str, args: EcrWorkspaceImagesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        checked = checked_args(args, CheckedEcr, check_args)
        cluster, region_name, namespace = checked.common.cluster_name, checked.region, checked.common.namespace
        super().__init__("gitpod-registry:index:EcrWorkspaceImages", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        partition = partition_of(region_name)
        tags = {"gitpod-cluster": cluster, "gitpod-registry-role": "workspace-images"}
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        host = account.apply(lambda a: f"{a}.dkr.ecr.{region_name}.{partition.dns_suffix}")
        prefix = repository_prefix(cluster)

        encryption = (
            aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="KMS", kms_key=checked.kms_key_arn)
            if checked.kms_key_arn
            else aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="AES256")
        )
        lifecycle = json.dumps(ecr_policies.lifecycle_policy(checked.untagged_days, checked.image_days))
        repositories = []
        for pushed in PUSHED_REPOSITORIES:
            repository = aws.ecr.Repository(
                f"{name}-{pushed}",
                name=f"{prefix}/{pushed}",
                region=region_name,
                image_tag_mutability="MUTABLE",
                encryption_configurations=[encryption],
                image_scanning_configuration={"scan_on_push": checked.scan_on_push},
                force_delete=False,
                tags=tags,
                opts=pulumi.ResourceOptions(parent=self, protect=checked.common.protect_data),
            )
            aws.ecr.LifecyclePolicy(
                f"{name}-{pushed}-lifecycle",
                region=region_name,
                repository=repository.name,
                policy=lifecycle,
                opts=child,
            )
            repositories.append(repository)
        arns = pulumi.Output.all(*[r.arn for r in repositories])

        role = aws.iam.Role(
            f"{name}-role",
            name=role_name_for(cluster, region_name),
            path="/gitpod/",
            assume_role_policy=self._trust(checked, partition, account),
            tags=tags,
            opts=child,
        )
        push_pull = aws.iam.RolePolicy(
            f"{name}-push-pull",
            role=role.id,
            name="gitpod-registry-ecr-push-pull",
            policy=arns.apply(lambda a: json.dumps(ecr_policies.push_pull_policy(a))),
            opts=child,
        )
        service_account = renewed_login.login_service_account(
            f"{name}-service-account",
            name=LOGIN_SERVICE_ACCOUNT,
            namespace=namespace,
            annotations={"eks.amazonaws.com/role-arn": role.arn},
            opts=child,
        )
        self.secret_name = renewed_login.renewed_login(
            f"{name}-login",
            namespace=namespace,
            secret_name=checked.secret_name,
            host=host,
            static=checked.credentials,
            generator_kind=LOGIN_GENERATOR_KIND,
            generator_spec={
                "region": region_name,
                "auth": {"jwt": {"serviceAccountRef": {"name": LOGIN_SERVICE_ACCOUNT}}},
            },
            refresh_interval=checked.refresh_interval,
            # The role's policy must exist before the first token is asked for, and ESO's CRDs and controller
            # before its objects: whatever this component was told to depend on (an ESO the composite installs).
            opts=pulumi.ResourceOptions.merge(
                pulumi.ResourceOptions(parent=self, depends_on=[service_account, push_pull]),
                pulumi.ResourceOptions(depends_on=opts.depends_on if opts else None),
            ),
        )
        self.url = host.apply(lambda h: f"{h}/{prefix}")
        self.repository_arns = arns
        self.role_arn = role.arn
        allow_list = list(checked.allow_list)
        self.container_registry = pulumi.Output.all(self.url, self.secret_name).apply(
            lambda parts: external_registry(parts[0], parts[1], allow_list)
        )
        self.register_outputs(
            {
                "url": self.url,
                "repository_arns": self.repository_arns,
                "role_arn": self.role_arn,
                "secret_name": self.secret_name,
                "container_registry": self.container_registry,
            }
        )

    def _trust(self, checked: CheckedEcr, partition: Partition, account: pulumi.Output[str]) -> pulumi.Output[str]:
        """The role's trust policy, from the OIDC provider given, passed as an Output, or looked up."""
        namespace = checked.common.namespace
        if checked.eks_cluster_name is not None:
            cluster = aws.eks.get_cluster_output(
                name=checked.eks_cluster_name, region=checked.region, opts=pulumi.InvokeOutputOptions(parent=self)
            )
            issuer = cluster.identities.apply(lambda ids: ids[0].oidcs[0].issuer)
            provider = pulumi.Output.all(account, issuer).apply(
                lambda parts: ecr_policies.oidc_provider_arn_for(partition, parts[0], parts[1])
            )
        else:
            field = "oidc_provider_arn"
            provider = pulumi.Output.from_input(checked.oidc_provider_arn).apply(
                lambda arn: check_oidc_provider_arn(field, arn, partition)
            )
        return provider.apply(
            lambda arn: json.dumps(ecr_policies.irsa_trust_policy(arn, namespace, LOGIN_SERVICE_ACCOUNT))
        )


BACKEND = Backend(
    name="ecr",
    summary="AWS: two ECR repositories, pushed to with a login External Secrets Operator renews through IRSA",
    fields=FIELDS,
    inputs=INPUTS,
    check=check_fields,
    build=EcrWorkspaceImages,
    secret_writer=SecretWriter.CONTROLLER,
    renews_login_for=is_ecr_host,
    renewed_login_lifetime=(LOGIN_GENERATOR_KIND, ECR_TOKEN_LIFETIME_SECONDS),
    token_service_account=LOGIN_SERVICE_ACCOUNT,
    notes=lambda checked: (renewed_login.ESO_REQUIRED_NOTE,),
)
