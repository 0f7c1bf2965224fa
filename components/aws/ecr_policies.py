"""IAM and lifecycle policy documents for the ECR repositories Gitpod pushes to, as plain data (tested with moto and parliament).

The role ESO's generator logs in with may push and pull Gitpod's two repositories and nothing else:
image-builder-mk3 pushes layers and manifests and reads them back, registry-facade and blobserve pull.
No delete, no tag listing, no repository creation. `ecr:GetAuthorizationToken` takes no resource-level
permission (AWS's service authorization reference for ECR lists `*` only), so it is the one `*`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .partition import Partition

PULL_ACTIONS = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
PUSH_ACTIONS = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
)
LOGIN_ACTION = "ecr:GetAuthorizationToken"
TOKEN_AUDIENCE = "sts.amazonaws.com"
"""The audience of the service-account token ESO exchanges for the role (external-secrets v2.9.0,
providers/v1/aws/auth/auth.go), and the one IRSA's trust condition requires."""
OIDC_PROVIDER_MARK = ":oidc-provider/"


def repository_arn(partition: Partition, region: str, account: str, repository: str) -> str:
    return partition.arn("ecr", f"repository/{repository}", region, account)


def push_pull_policy(repository_arns: Sequence[str]) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Login", "Effect": "Allow", "Action": LOGIN_ACTION, "Resource": "*"},
            {
                "Sid": "PushAndPullGitpodRepositories",
                "Effect": "Allow",
                "Action": sorted((*PULL_ACTIONS, *PUSH_ACTIONS)),
                "Resource": sorted(repository_arns),
            },
        ],
    }


def issuer_of(oidc_provider_arn: str) -> str:
    """The issuer host and path an IAM OIDC provider ARN names, as IRSA's condition keys spell it:
    arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE ->
    oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE."""
    return oidc_provider_arn.split(OIDC_PROVIDER_MARK, 1)[1]


def oidc_provider_arn_for(partition: Partition, account: str, issuer_url: str) -> str:
    """The ARN IAM gives the OIDC provider of an issuer URL (an EKS cluster's `identity.oidc.issuer`)."""
    return partition.arn("iam", f"oidc-provider/{issuer_url.removeprefix('https://')}", "", account)


def irsa_trust_policy(oidc_provider_arn: str, namespace: str, service_account: str) -> dict[str, Any]:
    """Only one Kubernetes service account, with STS's audience, may assume the role."""
    issuer = issuer_of(oidc_provider_arn)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": oidc_provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                        f"{issuer}:aud": TOKEN_AUDIENCE,
                    }
                },
            }
        ],
    }


def lifecycle_policy(untagged_days: int, tagged_days: int | None) -> dict[str, Any]:
    """Untagged images (a tag pushed again leaves its old image untagged) expire `untagged_days` after their
    push; every image `tagged_days` after its push, unless None. Never a count: image-builder tags an image
    with a hash of its inputs, so a count would remove an image pushed minutes ago in a burst of builds."""
    rules: list[dict[str, Any]] = [
        {
            "rulePriority": 1,
            "description": f"Expire untagged images {untagged_days} days after their push",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": untagged_days,
            },
            "action": {"type": "expire"},
        }
    ]
    if tagged_days is not None:
        # ECR requires a tagStatus "any" rule to have the highest rulePriority (it is evaluated last).
        rules.append(
            {
                "rulePriority": 2,
                "description": f"Expire images {tagged_days} days after their push; Gitpod rebuilds one on demand",
                "selection": {
                    "tagStatus": "any",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": tagged_days,
                },
                "action": {"type": "expire"},
            }
        )
    return {"rules": rules}
