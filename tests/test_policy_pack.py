"""The policy pack, run on the program's own resources (all pass) and on deliberately bad ones (each caught)."""

import base64
import json

import pytest
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from conftest import AWS, GCP_KEYLESS, run
from offline.engine import Resource, Secret, evaluate, example_stacks, revealed
from policy.policies import POLICIES


def options(protect: bool) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def fake(token: str, name: str, props: dict, protect: bool = False) -> Resource:
    return Resource(f"urn:pulumi:bad::p::{token}::{name}", token, name, None, True, protect, props)


def violations(resources: list[Resource]) -> list[tuple[str, str, str | None]]:
    """(policy, message, urn) for every violation any policy reports on `resources`."""
    found: list[tuple[str, str, str | None]] = []
    for policy in POLICIES:

        def report(message: str, urn: str | None = None, policy=policy) -> None:
            found.append((policy.name, message, urn))

        if isinstance(policy, ResourceValidationPolicy):
            for r in resources:
                args = ResourceValidationArgs(r.type, revealed(r.inputs), r.urn, r.name, options(r.protect), None)
                policy.validate(args, report)
        elif isinstance(policy, StackValidationPolicy):
            stack = [
                PolicyResource(r.type, revealed(r.inputs), r.urn, r.name, options(r.protect), None, None, [], {})
                for r in resources
            ]
            policy.validate(StackValidationArgs(stack), report)
    return found


def test_every_policy_is_a_real_policy_with_a_validate_function():
    assert {p.name for p in POLICIES} >= {
        "s3-public-access-blocked",
        "s3-bucket-hardened",
        "iam-no-wildcards",
        "iam-no-full-access-managed-policies",
        "gcp-no-project-wide-registry-grants",
        "kubernetes-registry-secret-shape",
        "kubernetes-registry-credentials-usable",
        "data-resources-protected",
        "acr-admin-user-and-anonymous-pull-off",
        "acr-workspace-images-bounded",
        "azure-no-wide-role-assignments",
        "ecr-workspace-images-bounded",
        "kubernetes-renewed-login-template-in-secret",
        "ecr-workspace-images-encrypted",
        "iam-irsa-trust-one-service-account",
        "ecr-no-iam-user-or-access-key",
        "gcp-no-key-with-workload-identity",
        "gcp-workload-identity-one-service-account",
    }
    assert all(callable(p.validate) for p in POLICIES)


@pytest.mark.parametrize("bucket", [None, "gitpod-object-storage"])
def test_the_programs_own_resources_pass_every_policy(bucket):
    workspace = {"backend": "s3", **({"bucket": bucket} if bucket else {})}
    evaluation = run("dev", {**AWS, "gitpod-registry:workspaceImages": workspace})
    assert evaluation.resources
    assert violations(evaluation.resources) == []


def test_the_program_with_protect_data_off_is_caught():
    evaluation = run("dev", {**AWS, "gitpod-registry:protectData": False})
    bucket = evaluation.one("aws:s3/bucket:Bucket")
    assert [(p, urn) for p, _, urn in violations(evaluation.resources)] == [("data-resources-protected", None)]
    assert bucket.name in violations(evaluation.resources)[0][1]


WILDCARD = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b"}]}
EVERY_BUCKET = {"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::*"}]}
ALL = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
GOOD_BUCKET_NAME = "gitpod-registry-bad"
SUBSCRIPTION = "00000000-0000-4000-8000-000000000001"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _dockerconfig(host: str = "registry.example.com", **entry: str) -> str:
    login = {"username": "robot", "password": "pa55", "auth": _b64("robot:pa55")}
    return json.dumps({"auths": {host: {**login, **entry}}})


GOOD_DOCKERCONFIG = _dockerconfig()


def _pull_secret(name: str, document: str, kind: str = "kubernetes.io/dockerconfigjson") -> Resource:
    return fake(
        "kubernetes:core/v1:Secret", name, {"type": kind, "stringData": {".dockerconfigjson": Secret(document)}}
    )


UNUSABLE = [
    _pull_secret("opaque-dockerconfig", GOOD_DOCKERCONFIG, kind="Opaque"),
    _pull_secret("not-json", "auths: {}"),
    _pull_secret("creds-store-only", json.dumps({"credsStore": "desktop"})),
    _pull_secret("url-as-key", _dockerconfig("https://registry.example.com/v2/")),
    _pull_secret("docker-hub-v1-url", _dockerconfig("https://index.docker.io/v1/")),
    _pull_secret("docker-hub-alias", _dockerconfig("index.docker.io")),
    _pull_secret("auth-with-newline", _dockerconfig(auth=_b64("robot:pa55\n"))),
    _pull_secret("auth-not-base64", _dockerconfig(auth="robot:pa55")),
    _pull_secret("auth-swapped", _dockerconfig(auth=_b64("pa55:robot"))),
    _pull_secret("auth-without-colon", _dockerconfig(auth=_b64("robotpa55"))),
    _pull_secret("no-credentials", json.dumps({"auths": {"registry.example.com": {"email": "x@example.com"}}})),
    fake("kubernetes:core/v1:Secret", "data-not-base64", {"type": "Opaque", "data": {"token": "not base64!"}}),
]
BAD = [
    (
        "s3-public-access-blocked",
        fake(
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "half-open-block",
            {"bucket": "x", "blockPublicAcls": True, "blockPublicPolicy": False, "ignorePublicAcls": True},
        ),
    ),
    ("iam-no-wildcards", fake("aws:iam/userPolicy:UserPolicy", "s3-star-policy", {"policy": json.dumps(WILDCARD)})),
    ("iam-no-wildcards", fake("aws:iam/rolePolicy:RolePolicy", "every-bucket-policy", {"policy": EVERY_BUCKET})),
    ("iam-no-wildcards", fake("aws:iam/policy:Policy", "admin-policy", {"policy": json.dumps(ALL)})),
    (
        "iam-no-full-access-managed-policies",
        fake(
            "aws:iam/userPolicyAttachment:UserPolicyAttachment",
            "s3-full-access",
            {"user": "u", "policyArn": "arn:aws:iam::aws:policy/AmazonS3FullAccess"},
        ),
    ),
    (
        "gcp-no-project-wide-registry-grants",
        fake(
            "gcp:projects/iAMMember:IAMMember",
            "project-writer",
            {"project": "p", "role": "roles/artifactregistry.writer", "member": "serviceAccount:x@p.iam"},
        ),
    ),
    (
        "gcp-no-project-wide-registry-grants",
        fake(
            "gcp:projects/iAMBinding:IAMBinding",
            "project-admin-binding",
            {"project": "p", "role": "roles/artifactregistry.admin", "members": ["serviceAccount:x@p.iam"]},
        ),
    ),
    (
        "gcp-no-project-wide-registry-grants",
        fake(
            "gcp:projects/iAMPolicy:IAMPolicy",
            "project-policy",
            {"project": "p", "policyData": json.dumps({"bindings": [{"role": "roles/storage.admin", "members": []}]})},
        ),
    ),
    (
        "kubernetes-registry-secret-shape",
        fake(
            "kubernetes:core/v1:Secret",
            "config-json-secret",
            {"type": "kubernetes.io/dockerconfigjson", "stringData": {"config.json": Secret("{}")}},
        ),
    ),
    (
        "kubernetes-registry-secret-shape",
        fake(
            "kubernetes:core/v1:Secret",
            "s3-secret-missing-key",
            {"type": "Opaque", "stringData": {"s3AccessKey": Secret("AKIA")}},
        ),
    ),
    (
        "kubernetes-registry-secret-shape",
        fake(
            "kubernetes:core/v1:Secret",
            "s3-secret-wrong-type",
            {"type": "kubernetes.io/basic-auth", "data": {"s3AccessKey": "YQ==", "s3SecretKey": "Yg=="}},
        ),
    ),
    (
        "data-resources-protected",
        fake("gcp:artifactregistry/repository:Repository", "unprotected-repo", {"format": "DOCKER"}),
    ),
    ("data-resources-protected", fake("aws:s3/bucket:Bucket", "unprotected-bucket", {"bucket": "b"})),
    (
        "data-resources-protected",
        fake("azure:containerservice/registry:Registry", "unprotected-acr", {"sku": "Standard"}),
    ),
    (
        "acr-admin-user-and-anonymous-pull-off",
        fake("azure:containerservice/registry:Registry", "acr-with-admin", {"adminEnabled": True}, protect=True),
    ),
    (
        "acr-admin-user-and-anonymous-pull-off",
        fake(
            "azure:containerservice/registry:Registry",
            "acr-anonymous-pull",
            {"adminEnabled": False, "anonymousPullEnabled": True},
            protect=True,
        ),
    ),
    (
        "acr-admin-user-and-anonymous-pull-off",
        fake("azure-native:containerregistry:Registry", "native-acr-admin", {"adminUserEnabled": True}, protect=True),
    ),
    *(
        (
            "azure-no-wide-role-assignments",
            fake(token, name, {"scope": scope, "roleDefinitionName": "AcrPush", "principalId": "p"}),
        )
        for token, name, scope in [
            ("azure:authorization/assignment:Assignment", "push-on-subscription", f"/subscriptions/{SUBSCRIPTION}"),
            (
                "azure:authorization/assignment:Assignment",
                "push-on-resource-group",
                f"/subscriptions/{SUBSCRIPTION}/resourceGroups/gitpod",
            ),
            (
                "azure-native:authorization:RoleAssignment",
                "native-push-on-resource-group",
                f"/subscriptions/{SUBSCRIPTION}/resourcegroups/gitpod/",
            ),
            (
                "azure:authorization/assignment:Assignment",
                "push-on-management-group",
                "/providers/Microsoft.Management/managementGroups/acme",
            ),
        ]
    ),
]


BAD += [("kubernetes-registry-credentials-usable", resource) for resource in UNUSABLE]


@pytest.mark.parametrize(("policy", "resource"), BAD, ids=[r.name for _, r in BAD])
def test_each_bad_resource_is_caught_by_its_policy_naming_it(policy, resource):
    caught = violations([resource])
    assert caught, f"{resource.urn} passed every policy"
    assert {name for name, _, _ in caught if name != "s3-bucket-hardened"} == {policy}, caught
    assert all(resource.name in message for name, message, _ in caught if name == policy), caught


def test_repository_scoped_grants_and_unrelated_project_roles_pass():
    ok = [
        fake(
            "gcp:projects/iAMMember:IAMMember",
            "log-writer",
            {"project": "p", "role": "roles/logging.logWriter", "member": "serviceAccount:x@p.iam"},
        ),
        fake(
            "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
            "repo-writer",
            {"repository": "r", "role": "roles/artifactregistry.writer", "member": "serviceAccount:x@p.iam"},
        ),
        fake("gcp:artifactregistry/repository:Repository", "protected-repo", {"format": "DOCKER"}, protect=True),
        fake(
            "kubernetes:core/v1:Secret",
            "push-secret",
            {"type": "kubernetes.io/dockerconfigjson", "stringData": {".dockerconfigjson": Secret(GOOD_DOCKERCONFIG)}},
        ),
        fake(
            "kubernetes:core/v1:Secret",
            "push-secret-as-data",
            {"type": "kubernetes.io/dockerconfigjson", "data": {".dockerconfigjson": _b64(GOOD_DOCKERCONFIG)}},
        ),
        fake(
            "kubernetes:core/v1:Secret",
            "username-and-password-only",
            {
                "type": "kubernetes.io/dockerconfigjson",
                "stringData": {
                    ".dockerconfigjson": json.dumps({"auths": {"quay.io": {"username": "u", "password": "p"}}})
                },
            },
        ),
    ]
    assert violations(ok) == []


def test_acr_locked_down_and_role_assignments_on_one_resource_pass():
    registry_scope = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/gitpod/providers/Microsoft.ContainerRegistry/registries/gitpodacme"
    ok = [
        fake(
            "azure:containerservice/registry:Registry",
            "locked-acr",
            {"adminEnabled": False, "anonymousPullEnabled": False},
            protect=True,
        ),
        fake("azure-native:containerregistry:Registry", "defaults-acr", {"sku": {"name": "Basic"}}, protect=True),
        fake("azure:authorization/assignment:Assignment", "pull-on-registry", {"scope": registry_scope}),
        fake("azure-native:authorization:RoleAssignment", "unknown-scope", {"scope": None}),
    ]
    assert violations(ok) == []


def test_a_bucket_missing_each_hardening_is_caught_naming_the_bucket():
    evaluation = run("dev", AWS)
    bucket = evaluation.one("aws:s3/bucket:Bucket")
    for token, words in [
        ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "public access block"),
        (
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "encryption",
        ),
        ("aws:s3/bucketPolicy:BucketPolicy", "TLS"),
    ]:
        without = [r for r in evaluation.resources if r.type != token]
        caught = violations(without)
        assert [(p, urn) for p, _, urn in caught] == [("s3-bucket-hardened", bucket.urn)], (token, caught)
        assert bucket.name in caught[0][1] and words in caught[0][1], caught


def test_a_bucket_policy_that_is_not_tls_only_does_not_count():
    evaluation = run("dev", AWS)
    allow_all = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}
    resources = [
        Resource(r.urn, r.type, r.name, r.parent, r.custom, r.protect, {**r.inputs, "policy": json.dumps(allow_all)})
        if r.type == "aws:s3/bucketPolicy:BucketPolicy"
        else r
        for r in evaluation.resources
    ]
    assert [p for p, _, _ in violations(resources)] == ["s3-bucket-hardened"]


def test_the_pack_entry_point_serves_exactly_the_list(monkeypatch):
    import runpy
    import sys
    from pathlib import Path

    import pulumi_policy

    served = {}
    monkeypatch.setattr(pulumi_policy, "PolicyPack", lambda **kwargs: served.update(kwargs))
    pack_dir = Path(__file__).resolve().parent.parent / "policy"
    monkeypatch.syspath_prepend(str(pack_dir))
    monkeypatch.delitem(sys.modules, "policies", raising=False)
    runpy.run_path(str(pack_dir / "__main__.py"), run_name="__main__")
    assert served["name"] == "gitpod-registry"
    assert [p.name for p in served["policies"]] == [p.name for p in POLICIES]
    assert (pack_dir / "PulumiPolicy.yaml").read_text().startswith("description:")


@pytest.mark.parametrize("stack", example_stacks())
def test_every_example_stack_passes_every_policy(stack):
    evaluation = evaluate(stack)
    assert evaluation.error is None, evaluation.error
    assert evaluation.resources
    assert violations(evaluation.resources) == [], stack


def test_an_unusable_login_is_named_by_host_without_showing_the_credential():
    caught = violations([_pull_secret("auth-with-newline", _dockerconfig(auth=_b64("robot:pa55\n")))])
    ((policy, message, _),) = caught
    assert policy == "kubernetes-registry-credentials-usable"
    assert "'registry.example.com'" in message and "newline" in message and "pa55" not in message


def test_the_packs_copies_of_the_programs_facts_are_equal_to_the_originals():
    """The pack is published on its own (`pulumi policy publish` packs policy/ alone), so it keeps copies."""
    from components.installer_config import DOCKERCONFIG_KEY, DOCKERCONFIG_TYPE, S3_KEYS
    from components.push_secret import SecretWriter
    from components.reference import DOCKER_HUB, DOCKER_HUB_ALIASES
    from policy import policies

    registered = {writer.value: writer.registered_as for writer in SecretWriter if writer.registered_as}
    assert policies.PUSH_SECRET_TYPES == registered
    assert policies.DOCKERCONFIG_KEYS == {DOCKERCONFIG_KEY} and policies.DOCKERCONFIG_TYPE == DOCKERCONFIG_TYPE
    from components.kubernetes.renewed_login import TEMPLATE_SECRET_TYPE

    assert policies.LOGIN_TEMPLATE_TYPE == TEMPLATE_SECRET_TYPE
    assert policies.S3_CREDENTIAL_KEYS == set(S3_KEYS)
    from components.gcp import key_creation, workload_identity
    from components.kubernetes.renewed_login import GENERATORS_API

    assert policies.GCR_ACCESS_TOKEN == f"kubernetes:{GENERATORS_API}:{workload_identity.LOGIN_GENERATOR_KIND}"
    assert key_creation.CONSTRAINT in policies.KEY_BAN_CONSTRAINTS
    assert workload_identity.GKE_WORKLOAD_POOL.endswith(policies.WORKLOAD_POOL_MARK)
    assert policies.DOCKER_HUB_ALIASES == DOCKER_HUB_ALIASES - {DOCKER_HUB}


ACR_TASK = "azure:containerservice/registryTask:RegistryTask"
WORKSPACE_TAGS = {"gitpod-cluster": "dev", "gitpod-registry-role": "workspace-images"}
ACR_SCOPE = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/gitpod/providers/Microsoft.ContainerRegistry/registries"
PURGE_YAML = "version: v1.1.0\nsteps:\n  - cmd: acr purge --filter 'workspace-images:.*' --ago 30d --untagged\n"


def _workspace_acr(name: str = "gitpodacme", **props) -> Resource:
    locked = {"adminEnabled": False, "anonymousPullEnabled": False}
    return fake(
        "azure:containerservice/registry:Registry",
        name,
        {"name": name, "tags": WORKSPACE_TAGS, **locked, **props},
        protect=True,
    )


def _purge_task(name: str, registry: str = "gitpodacme", step: str = PURGE_YAML, **props) -> Resource:
    inputs = {
        "name": "gitpod-purge",
        "containerRegistryId": f"{ACR_SCOPE}/{registry}",
        "encodedStep": {"taskContent": _b64(step)},
        "timerTriggers": [{"name": "daily", "schedule": "0 3 * * *", "enabled": True}],
        **props,
    }
    return fake(ACR_TASK, name, inputs)


@pytest.mark.parametrize(
    "others",
    [
        [],
        [_purge_task("purge-on-another-registry", registry="someoneelse")],
        [_purge_task("task-that-builds", step="version: v1.1.0\nsteps:\n  - build: -t app:1 .\n")],
        [_purge_task("disabled-task", enabled=False)],
        [_purge_task("trigger-off", timerTriggers=[{"name": "t", "schedule": "0 3 * * *", "enabled": False}])],
        [_purge_task("no-trigger", timerTriggers=[])],
    ],
    ids=["no-task", "other-registry", "not-a-purge", "task-disabled", "trigger-disabled", "no-trigger"],
)
def test_a_workspace_image_acr_without_a_purge_is_caught_naming_it(others):
    registry = _workspace_acr()
    caught = violations([registry, *others])
    assert [(policy, urn) for policy, _, urn in caught] == [("acr-workspace-images-bounded", registry.urn)], caught
    assert "gitpodacme" in caught[0][1] and "acr purge" in caught[0][1]


def test_a_purge_task_or_a_premium_retention_policy_bounds_it():
    registry = _workspace_acr()
    assert violations([registry, _purge_task("purge")]) == []
    # The provider also takes the task YAML unencoded; a registry id differing only in case is the same registry.
    unencoded = _purge_task("plain", registry="GitpodAcme")
    unencoded.inputs["encodedStep"] = {"taskContent": PURGE_YAML}
    assert violations([registry, unencoded]) == []
    assert violations([_workspace_acr(sku="Premium", retentionPolicyInDays=7)]) == []
    # A registry that does not serve workspace images is not this policy's business.
    other = fake("azure:containerservice/registry:Registry", "app-acr", {"name": "appacr"}, protect=True)
    assert violations([other]) == []


def test_the_programs_acr_passes_and_turning_the_purge_off_is_caught():
    workspace = {"backend": "acr", "resourceGroup": "gitpod"}
    assert violations(run("dev", {"gitpod-registry:workspaceImages": workspace}).resources) == []
    evaluation = run("dev", {"gitpod-registry:workspaceImages": {**workspace, "purge": False}})
    registry = evaluation.one("azure:containerservice/registry:Registry")
    caught = violations(evaluation.resources)
    assert [(policy, urn) for policy, _, urn in caught] == [("acr-workspace-images-bounded", registry.urn)], caught


ECR_OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"
ECR_CONFIG = {
    "aws:region": "eu-west-1",
    "gitpod-registry:workspaceImages": {"backend": "ecr", "oidcProviderArn": ECR_OIDC},
}


@pytest.fixture(scope="module")
def ecr_resources():
    return run("dev", ECR_CONFIG).resources


def test_the_programs_ecr_resources_pass_every_policy(ecr_resources):
    assert violations(ecr_resources) == []


def test_only_an_action_without_resource_level_permission_may_name_every_resource():
    login = {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}
    mixed = {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "ecr:PutImage"], "Resource": "*"}
    for statement, caught in ((login, False), (mixed, True)):
        policy = fake("aws:iam/rolePolicy:RolePolicy", "push", {"policy": json.dumps({"Statement": [statement]})})
        assert bool([v for v in violations([policy]) if v[0] == "iam-no-wildcards"]) == caught, statement


def test_an_ecr_repository_unprotected_or_without_a_lifecycle_is_caught(ecr_resources):
    repositories = [r for r in ecr_resources if r.type == "aws:ecr/repository:Repository"]
    unprotected = [fake(r.type, r.name, r.inputs, protect=False) for r in repositories]
    assert {p for p, _, _ in violations(unprotected)} == {"data-resources-protected", "ecr-workspace-images-bounded"}
    kept = [r for r in ecr_resources if r.type != "aws:ecr/lifecyclePolicy:LifecyclePolicy"]
    caught = [m for p, m, _ in violations(kept) if p == "ecr-workspace-images-bounded"]
    assert len(caught) == 2 and all("grows without bound" in m for m in caught)


@pytest.mark.parametrize(
    "source", [{"configMap": {"name": "t", "items": [{"key": "k"}]}}, {"literal": "{{ .password }}"}]
)
def test_a_renewed_login_whose_template_is_not_in_a_secret_is_caught(ecr_resources, source):
    (external,) = [r for r in ecr_resources if r.type.endswith(":ExternalSecret")]
    spec = json.loads(json.dumps(external.inputs["spec"]))
    spec["target"]["template"]["templateFrom"] = [source]
    bad = fake(external.type, external.name, {**external.inputs, "spec": spec})
    assert [p for p, _, _ in violations([bad])] == ["kubernetes-renewed-login-template-in-secret"]


ECR_REPOSITORY_ARN = "arn:aws:ecr:eu-west-1:123456789012:repository"


@pytest.mark.parametrize(
    ("statement", "caught"),
    [
        ({"Action": "ecr:GetAuthorizationToken", "Resource": "*"}, False),
        ({"Action": ["ecr:GetAuthorizationToken"], "Resource": ["*"]}, False),
        ({"Action": "ecr:PutImage", "Resource": f"{ECR_REPOSITORY_ARN}/gitpod-dev/workspace-images"}, False),
        ({"Action": "ecr:BatchGetImage", "Resource": "*"}, True),
        ({"Action": "ecr:*", "Resource": f"{ECR_REPOSITORY_ARN}/gitpod-dev/workspace-images"}, True),
        ({"Action": "ecr:PutImage", "Resource": f"{ECR_REPOSITORY_ARN}/*"}, True),
        ({"Action": "ecr:PutImage", "Resource": f"{ECR_REPOSITORY_ARN}/gitpod-*"}, True),
        ({"NotAction": "ecr:GetAuthorizationToken", "Resource": "*"}, True),
    ],
    ids=[
        "login",
        "login-as-lists",
        "one-repository",
        "pull-on-star",
        "ecr-star",
        "every-repository",
        "repository-prefix",
        "not-action",
    ],
)
def test_get_authorization_token_alone_may_name_star_any_other_ecr_action_may_not(statement, caught):
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **statement}]}
    policy = fake("aws:iam/rolePolicy:RolePolicy", "ecr-grant", {"policy": json.dumps(document)})
    found = violations([policy])
    assert {p for p, _, _ in found} == ({"iam-no-wildcards"} if caught else set()), found
    assert all("ecr-grant" in m for _, m, _ in found)


def _one_repository(ecr_resources, **changed) -> Resource:
    repository = next(r for r in ecr_resources if r.type == "aws:ecr/repository:Repository")
    inputs = {k: v for k, v in repository.inputs.items() if k != "encryptionConfigurations"}
    return fake(repository.type, repository.name, {**inputs, **changed}, protect=True)


def test_the_programs_ecr_repositories_declare_encryption_and_without_it_are_caught(ecr_resources):
    repository = _one_repository(ecr_resources)
    assert [r.inputs["encryptionConfigurations"] for r in ecr_resources if r.type == repository.type] == [
        [{"encryptionType": "AES256"}]
    ] * 2
    for bad in (repository, _one_repository(ecr_resources, encryptionConfigurations=[{"encryptionType": "NONE"}])):
        caught = [(p, m) for p, m, _ in violations([bad]) if p != "ecr-workspace-images-bounded"]
        assert [p for p, _ in caught] == ["ecr-workspace-images-encrypted"], caught
        assert repository.name in caught[0][1] and "AES256 or KMS" in caught[0][1]
    kms = [{"encryptionType": "KMS", "kmsKey": "arn:aws:kms:eu-west-1:123456789012:key/k"}]
    assert "ecr-workspace-images-encrypted" not in {
        p for p, _, _ in violations([_one_repository(ecr_resources, encryptionConfigurations=kms)])
    }
    # A repository that does not serve Gitpod's workspace images is not this policy's business.
    other = fake("aws:ecr/repository:Repository", "app", {"name": "app"}, protect=True)
    assert violations([other]) == []


def _trust_with(ecr_resources, edit) -> Resource:
    role = next(r for r in ecr_resources if r.type == "aws:iam/role:Role")
    document = json.loads(role.inputs["assumeRolePolicy"])
    edit(document["Statement"][0])
    return fake(role.type, role.name, {**role.inputs, "assumeRolePolicy": json.dumps(document)})


ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"


def _like(statement):
    statement["Condition"] = {"StringLike": statement["Condition"]["StringEquals"]}


def _no_aud(statement):
    del statement["Condition"]["StringEquals"][f"{ISSUER}:aud"]


def _any_service_account(statement):
    statement["Condition"]["StringEquals"][f"{ISSUER}:sub"] = "system:serviceaccount:gitpod:*"


def _two_service_accounts(statement):
    statement["Condition"]["StringEquals"][f"{ISSUER}:sub"] = [
        "system:serviceaccount:gitpod:a",
        "system:serviceaccount:gitpod:b",
    ]


def _no_condition(statement):
    del statement["Condition"]


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (_like, "StringLike"),
        (_no_aud, f"{ISSUER}:aud = sts.amazonaws.com"),
        (_any_service_account, "one service account"),
        (_two_service_accounts, "one service account"),
        (_no_condition, "one service account"),
    ],
    ids=["string-like", "no-aud", "wildcard-sub", "two-subs", "no-condition"],
)
def test_an_irsa_trust_wider_than_one_service_account_is_caught(ecr_resources, edit, words):
    role = _trust_with(ecr_resources, edit)
    caught = violations([role])
    assert {p for p, _, _ in caught} == {"iam-irsa-trust-one-service-account"}, caught
    assert any(words in m for _, m, _ in caught) and all(role.name in m for _, m, _ in caught), caught


def test_two_trust_statements_naming_two_service_accounts_are_caught(ecr_resources):
    role = next(r for r in ecr_resources if r.type == "aws:iam/role:Role")
    assert violations([role]) == []
    document = json.loads(role.inputs["assumeRolePolicy"])
    second = json.loads(json.dumps(document["Statement"][0]))
    second["Condition"]["StringEquals"][f"{ISSUER}:sub"] = "system:serviceaccount:other:builder"
    document["Statement"].append(second)
    bad = fake(role.type, role.name, {**role.inputs, "assumeRolePolicy": json.dumps(document)})
    assert [m for _, m, _ in violations([bad])] == [
        f"{role.name}: its trust names 2 service accounts; one identity per role"
    ]
    # A role a service (not an OIDC provider) assumes is not this policy's business.
    service = {
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    }
    assert violations([fake(role.type, "ec2-role", {"assumeRolePolicy": json.dumps(service)})]) == []


def test_an_iam_user_or_access_key_beside_ecr_workspace_images_is_caught(ecr_resources):
    user = fake("aws:iam/user:User", "ci-pusher", {"name": "ci-pusher"})
    key = fake("aws:iam/accessKey:AccessKey", "ci-pusher-key", {"user": "ci-pusher"})
    caught = violations([*ecr_resources, user, key])
    assert [(p, urn) for p, _, urn in caught] == [
        ("ecr-no-iam-user-or-access-key", user.urn),
        ("ecr-no-iam-user-or-access-key", key.urn),
    ], caught
    assert "IAM user" in caught[0][1] and "access key" in caught[1][1] and "IRSA" in caught[0][1]
    # The s3 backend's user and key, with no ECR repository in the stack, are that backend's design.
    assert "ecr-no-iam-user-or-access-key" not in {p for p, _, _ in violations(run("dev", AWS).resources)}


@pytest.fixture(scope="module")
def keyless_resources():
    return run("dev", GCP_KEYLESS).resources


def test_the_programs_keyless_login_passes_every_policy(keyless_resources):
    assert violations(keyless_resources) == []


def test_a_key_or_a_key_exception_beside_the_keyless_login_is_caught(keyless_resources):
    key = fake("gcp:serviceaccount/key:Key", "ci-key", {"serviceAccountId": "ci@acme-gitpod.iam.gserviceaccount.com"})
    exception = fake(
        "gcp:orgpolicy/policy:Policy",
        "key-exception",
        {
            "name": "projects/acme-gitpod/policies/iam.disableServiceAccountKeyCreation",
            "parent": "projects/acme-gitpod",
        },
    )
    (generator,) = [r for r in keyless_resources if r.type.endswith(":GCRAccessToken")]
    stored = fake(
        generator.type,
        "stored-key-login",
        {"spec": {"projectID": "acme-gitpod", "auth": {"secretRef": {"secretAccessKeySecretRef": {"name": "k"}}}}},
    )
    caught = violations([*keyless_resources, key, exception, stored])
    assert [(p, urn) for p, _, urn in caught] == [
        ("gcp-no-key-with-workload-identity", key.urn),
        ("gcp-no-key-with-workload-identity", exception.urn),
        ("gcp-no-key-with-workload-identity", stored.urn),
    ], caught
    assert all("Workload Identity" in message for _, message, _ in caught)
    # The key login's own key, with no keyless login in the stack, is that login's design.
    gcp = run("dev", {**GCP_KEYLESS, "gitpod-registry:workspaceImages": {"backend": "artifact-registry"}})
    assert "gcp-no-key-with-workload-identity" not in {p for p, _, _ in violations(gcp.resources)}


POOL = "acme-gitpod.svc.id.goog"
PRINCIPAL = f"principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/{POOL}"


@pytest.mark.parametrize(
    "props, caught",
    [
        ({"member": f"{PRINCIPAL}/subject/ns/gitpod/sa/gitpod-registry-gar-login"}, False),
        ({"member": f"serviceAccount:{POOL}[gitpod/gitpod-registry-gar-login]"}, False),
        ({"member": "serviceAccount:gitpod-reg-dev@acme-gitpod.iam.gserviceaccount.com"}, False),
        (
            {
                "member": f"principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/{POOL}/namespace/gitpod"
            },
            True,
        ),
        (
            {
                "member": f"principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/{POOL}/*"
            },
            True,
        ),
        ({"member": f"serviceAccount:{POOL}[gitpod/*]"}, True),
        ({"member": f"{PRINCIPAL}/subject/ns/gitpod/sa/*"}, True),
        (
            {
                "members": [
                    f"serviceAccount:{POOL}[gitpod/gitpod-registry-gar-login]",
                    f"serviceAccount:{POOL}[other/builder]",
                ]
            },
            True,
        ),
    ],
    ids=[
        "principal",
        "workload-identity-user",
        "google-service-account",
        "namespace-set",
        "pool-set",
        "wildcard-sa",
        "wildcard-principal",
        "two-members",
    ],
)
def test_a_workload_identity_grant_wider_than_one_service_account_is_caught(props, caught):
    tokens = {"member": "gcp:serviceaccount/iAMMember:IAMMember", "members": "gcp:serviceaccount/iAMBinding:IAMBinding"}
    for token in (tokens[next(iter(props))], "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember"):
        if "members" in props and "Member:" in token:
            continue
        grant = fake(token, "grant", {"role": "roles/iam.workloadIdentityUser", **props})
        found = [(p, m) for p, m, _ in violations([grant])]
        assert bool(found) == caught, (token, found)
        assert all(p == "gcp-workload-identity-one-service-account" and m.startswith("grant:") for p, m in found)


@pytest.mark.parametrize(
    "wider",
    [
        "serviceAccount:acme-gitpod.svc.id.goog[gitpod/*]",
        "principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/acme-gitpod.svc.id.goog/"
        "namespace/gitpod",
    ],
    ids=["namespace-wildcard", "namespace-set"],
)
def test_the_programs_workload_identity_grant_made_wider_is_caught(keyless_resources, wider):
    (user,) = [r for r in keyless_resources if r.type == "gcp:serviceaccount/iAMMember:IAMMember"]
    assert user.inputs["role"] == "roles/iam.workloadIdentityUser"
    assert user.inputs["member"] == "serviceAccount:acme-gitpod.svc.id.goog[gitpod/gitpod-registry-gar-login]"
    bad = fake(user.type, user.name, {**user.inputs, "member": wider})
    assert [p for p, _, _ in violations([bad])] == ["gcp-workload-identity-one-service-account"]
    binding = fake(
        "gcp:serviceaccount/iAMBinding:IAMBinding",
        user.name,
        {
            "serviceAccountId": user.inputs["serviceAccountId"],
            "role": user.inputs["role"],
            "members": [user.inputs["member"], "serviceAccount:acme-gitpod.svc.id.goog[other/builder]"],
        },
    )
    assert [p for p, _, _ in violations([binding])] == ["gcp-workload-identity-one-service-account"]


def test_the_programs_workload_identity_grant_moved_to_the_project_is_caught(keyless_resources):
    """roles/iam.workloadIdentityUser on the project lets the one Kubernetes service account act as every Google
    service account in it."""
    (user,) = [r for r in keyless_resources if r.type == "gcp:serviceaccount/iAMMember:IAMMember"]
    moved = fake(
        "gcp:projects/iAMMember:IAMMember",
        user.name,
        {"project": "acme-gitpod", "role": user.inputs["role"], "member": user.inputs["member"]},
    )
    found = [m for p, m, _ in violations([moved]) if p == "gcp-workload-identity-one-service-account"]
    assert len(found) == 1 and "whole project" in found[0], found
    reader = fake(
        "gcp:projects/iAMMember:IAMMember",
        user.name,
        {"project": "acme-gitpod", "role": "roles/viewer", "member": user.inputs["member"]},
    )
    assert [p for p, _, _ in violations([reader]) if p == "gcp-workload-identity-one-service-account"] == []


@pytest.mark.parametrize(
    "token",
    [
        "gcp:artifactregistry/repositoryIamPolicy:RepositoryIamPolicy",
        "gcp:serviceaccount/iAMPolicy:IAMPolicy",
        "gcp:projects/iAMPolicy:IAMPolicy",
    ],
)
@pytest.mark.parametrize(
    "members, caught",
    [
        ([f"{PRINCIPAL}/subject/ns/gitpod/sa/gitpod-registry-gar-login"], 0),
        ([f"principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/{POOL}/*"], 1),
        ([f"serviceAccount:{POOL}[gitpod/gitpod-registry-gar-login]", f"serviceAccount:{POOL}[other/builder]"], 1),
    ],
    ids=["one-principal", "pool-set", "two-members"],
)
def test_a_workload_identity_grant_inside_an_iam_policy_document_is_caught(token, members, caught):
    """google_iam_policy's JSON in policyData: each binding is judged as a grant of its own."""
    document = {
        "bindings": [
            {"role": "roles/artifactregistry.reader", "members": ["user:ops@acme.example"]},
            {"role": "roles/artifactregistry.writer", "members": members},
        ]
    }
    grant = fake(token, "grant", {"policyData": json.dumps(document)})
    found = [(p, m) for p, m, _ in violations([grant]) if p == "gcp-workload-identity-one-service-account"]
    assert len(found) == caught, found
    assert all("roles/artifactregistry.writer" in m for _, m in found), found
