"""The ecr backend's policy documents: the role's policy linted by parliament (AWS's own action and resource
catalogue), its trust as IRSA needs it, and the lifecycle policies held to AWS's documented grammar, which
moto checks only in part."""

from __future__ import annotations

import importlib.resources
import json
import sys
import types

import pytest

from components.aws import ecr_policies
from components.aws.partition import COMMERCIAL, partition_of
from components.workspace_images import ecr
from conftest import run

ARN = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789"
REPOSITORIES = [
    ecr_policies.repository_arn(COMMERCIAL, "eu-west-1", "123456789012", f"gitpod/dev/{name}")
    for name in ("base-images", "workspace-images")
]


def _import_parliament():
    """parliament 1.6.4 asks pkg_resources for the path of its two data files, and setuptools 81 removed
    pkg_resources (the project's lock follows the policy pack's setuptools): answer that one question, for its
    import only (other libraries in this process must not find a pkg_resources that is not one)."""
    if "parliament" in sys.modules:
        return sys.modules["parliament"]
    shim = types.ModuleType("pkg_resources")
    shim.resource_filename = lambda package, name: str(importlib.resources.files(package) / name)  # type: ignore[attr-defined]
    real = sys.modules.get("pkg_resources")
    sys.modules["pkg_resources"] = shim
    try:
        import parliament
    finally:
        if real is None:
            del sys.modules["pkg_resources"]
        else:
            sys.modules["pkg_resources"] = real
    return parliament


def _findings(document: dict) -> list[str]:
    findings = _import_parliament().analyze_policy_string(json.dumps(document)).findings
    return [f"{f.issue}: {f.detail}" for f in findings]


def test_the_role_policy_has_no_unknown_action_and_no_wrong_resource():
    assert _findings(ecr_policies.push_pull_policy(REPOSITORIES)) == []


def test_parliament_would_catch_the_login_action_on_a_repository_and_a_misspelt_action():
    """The linter is not blind: the mistakes the policy avoids are findings."""
    wrong = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": REPOSITORIES[0]}],
    }
    assert any(f.startswith("RESOURCE_MISMATCH") for f in _findings(wrong))
    misspelt = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "ecr:PutImages", "Resource": REPOSITORIES}],
    }
    assert any(f.startswith("UNKNOWN_ACTION") for f in _findings(misspelt))


def test_only_the_login_is_on_every_resource_and_nothing_deletes_or_lists():
    login, push_pull = ecr_policies.push_pull_policy(REPOSITORIES)["Statement"]
    assert (login["Action"], login["Resource"]) == ("ecr:GetAuthorizationToken", "*")
    assert push_pull["Resource"] == sorted(REPOSITORIES)
    assert set(push_pull["Action"]) == {*ecr_policies.PUSH_ACTIONS, *ecr_policies.PULL_ACTIONS}
    assert not [a for a in push_pull["Action"] if "Delete" in a or "List" in a or "*" in a or "Create" in a]


def test_the_trust_admits_one_service_account_with_sts_audience():
    (statement,) = ecr_policies.irsa_trust_policy(ARN, "gitpod", "login")["Statement"]
    issuer = "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789"
    assert statement["Principal"] == {"Federated": ARN}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {
        "StringEquals": {f"{issuer}:sub": "system:serviceaccount:gitpod:login", f"{issuer}:aud": "sts.amazonaws.com"}
    }


def test_the_provider_arn_of_an_issuer_is_in_the_partition_of_the_region():
    url = "https://oidc.eks.cn-north-1.amazonaws.com.cn/id/X"
    assert ecr_policies.oidc_provider_arn_for(partition_of("cn-north-1"), "123456789012", url) == (
        "arn:aws-cn:iam::123456789012:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/X"
    )


# AWS's documented grammar of a lifecycle policy (ECR user guide, "Lifecycle policy properties"): what each
# key may hold and which keys go together. moto accepts a tagged rule without a tag list and two rules with
# one priority; ECR refuses both.
_RULE_KEYS = {"rulePriority", "description", "selection", "action"}
_SELECTION_KEYS = {"tagStatus", "tagPrefixList", "tagPatternList", "countType", "countUnit", "countNumber"}


def grammar_problems(policy: dict) -> list[str]:
    problems = []
    if set(policy) != {"rules"} or not isinstance(policy["rules"], list) or not policy["rules"]:
        return ["a policy is {'rules': [one or more rules]}"]
    priorities = [rule.get("rulePriority") for rule in policy["rules"]]
    if len(set(priorities)) != len(priorities):
        problems.append("rulePriority must be unique")
    for rule in policy["rules"]:
        selection = rule.get("selection", {})
        if not set(rule) <= _RULE_KEYS or not {"rulePriority", "selection", "action"} <= set(rule):
            problems.append(f"rule keys {sorted(rule)}")
        if (
            not isinstance(rule["rulePriority"], int)
            or isinstance(rule["rulePriority"], bool)
            or rule["rulePriority"] < 1
        ):
            problems.append("rulePriority is a positive integer")
        if not isinstance(rule.get("description", ""), str):
            problems.append("description is a string")
        if rule["action"] != {"type": "expire"}:
            problems.append("action is {'type': 'expire'}")
        if not set(selection) <= _SELECTION_KEYS:
            problems.append(f"selection keys {sorted(selection)}")
        status = selection.get("tagStatus")
        if status not in ("tagged", "untagged", "any"):
            problems.append("tagStatus is tagged, untagged or any")
        has_list = "tagPrefixList" in selection or "tagPatternList" in selection
        if (status == "tagged") != has_list:
            problems.append("a tag list goes with tagStatus tagged, and only there")
        count_type = selection.get("countType")
        if count_type == "sinceImagePushed":
            if selection.get("countUnit") != "days":
                problems.append("sinceImagePushed needs countUnit days")
        elif count_type == "imageCountMoreThan":
            if "countUnit" in selection:
                problems.append("imageCountMoreThan takes no countUnit")
        else:
            problems.append("countType is imageCountMoreThan or sinceImagePushed")
        number = selection.get("countNumber")
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            problems.append("countNumber is a positive integer")
    any_rules = [rule["rulePriority"] for rule in policy["rules"] if rule["selection"].get("tagStatus") == "any"]
    if len(any_rules) > 1 or (any_rules and any_rules[0] != max(priorities)):
        problems.append("one tagStatus any rule at most, with the highest rulePriority")
    return problems


def test_the_grammar_check_refuses_what_ecr_refuses():
    good = ecr_policies.lifecycle_policy(7, 30)
    assert grammar_problems(good) == []
    tagged = json.loads(json.dumps(good))
    tagged["rules"][0]["selection"]["tagStatus"] = "tagged"
    assert grammar_problems(tagged)
    twice = json.loads(json.dumps(good))
    twice["rules"][1]["rulePriority"] = 1
    assert grammar_problems(twice)
    any_first = json.loads(json.dumps(good))
    any_first["rules"][0]["rulePriority"], any_first["rules"][1]["rulePriority"] = 3, 2
    assert grammar_problems(any_first)


@pytest.mark.parametrize(
    "untagged, tagged", [(1, ecr.MIN_IMAGE_DAYS), (7, 30), (ecr.MAX_DAYS, ecr.MAX_DAYS), (3, None)]
)
def test_every_lifecycle_policy_the_program_writes_is_in_aws_grammar(untagged, tagged):
    policy = ecr_policies.lifecycle_policy(untagged, tagged)
    assert grammar_problems(policy) == []
    assert not [r for r in policy["rules"] if r["selection"]["countType"] == "imageCountMoreThan"]


def test_the_stack_writes_the_default_policy_on_both_repositories():
    evaluation = run(
        "dev",
        {"aws:region": "eu-west-1", "gitpod-registry:workspaceImages": {"backend": "ecr", "oidcProviderArn": ARN}},
    )
    policies = evaluation.of_type("aws:ecr/lifecyclePolicy:LifecyclePolicy")
    assert len(policies) == 2
    for resource in policies:
        policy = json.loads(resource.inputs["policy"])
        assert grammar_problems(policy) == [], resource.urn
        assert policy == ecr_policies.lifecycle_policy(ecr.DEFAULT_UNTAGGED_DAYS, ecr.DEFAULT_IMAGE_DAYS), resource.urn
