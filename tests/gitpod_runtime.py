"""Which images Gitpod's runtime pulls, who pulls each one, and which secret that reader logs in with.

An emulation of what gitpod-installer renders from an installer config, reduced to registry access. Paths
are under install/installer/pkg/ in gitpod-io/gitpod unless they start with components/:

- the kubelet pulls Gitpod's pods with `imagePullSecrets`, which the installer puts on every
  ServiceAccount (common/objects.go) and into the registry chart (components/docker-registry/helm.go);
- registry-facade pulls supervisor, workspacekit and docker-up from `repository`
  (components/registry-facade/configmap.go), the image-builder's bob image for image builds, and the
  workspace images from `<registry>/workspace-images`, with the containerRegistry secret and nothing
  else (components/registry-facade/daemonset.go: builtin-registry-auth with inCluster, else
  external.certificate); the kubelet pulls workspace pods from registry-facade, which asks for no login;
- blobserve and ide-service pull IDE and supervisor images from `repository` with the same secret
  (components/blobserve/deployment.go and configmap.go, components/ide-service/deployment.go);
- image-builder-mk3 pushes to `<registry>/base-images` and `<registry>/workspace-images` and pulls base
  images with the same secret (components/image-builder-mk3/configmap.go and deployment.go), using a login
  for a base image only on a host in privateBaseImageAllowList (components/image-builder-mk3/pkg/auth/auth.go,
  fed by server/configmap.go); its default base image is the installer's (image-builder-mk3/configmap.go).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from esotemplate import render

from components.kubernetes.dockerconfig import check_username
from components.push_login import check_url
from components.push_secret import SecretWriter
from components.workspace_images import BACKENDS
from offline.engine import Evaluation, Secret, evaluate, shipped_stacks, stack_config
from offline.mocks import MOCK_ACCOUNT_ID, mock_generated_login, mock_key_file, mock_token_password

# The installer's names and defaults, written out here rather than imported from the program under test.
BUILTIN_REGISTRY_AUTH = "builtin-registry-auth"  # common/constants.go RegistryAuthSecret
DEFAULT_COMPONENT_REPOSITORY = "eu.gcr.io/gitpod-core-dev/build"  # config/v1/config.go defaultRepositoryUrl
DOCKER_HUB_NAMES = {"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"}
DOMAIN = "gitpod.example.com"
IN_CLUSTER_REGISTRY = f"registry.{DOMAIN}"
"""The in-cluster registry's host (components/image-builder-mk3/configmap.go: registry.<domain>)."""
INSTALLER = "installer"
"""Stands for the login the installer generates for its own registry (docker-registry/secret.go)."""
DOCKERCONFIG_TYPE = "kubernetes.io/dockerconfigjson"

Login = tuple[str, str]
Intended = dict[str, Login | str]
"""registry host -> the (username, password) the configuration meant for it, or INSTALLER."""


def image_host(image: str) -> str:
    """The registry an image reference names (Docker's rules: a first segment with '.' or ':' is a host)."""
    first, _, rest = image.partition("/")
    if not rest or not ("." in first or ":" in first or first == "localhost"):
        return "docker.io"
    return "docker.io" if first in DOCKER_HUB_NAMES else first


def installer_default_workspace_image(config: dict[str, Any]) -> str:
    """image-builder-mk3/configmap.go: ImageName(ThirdPartyContainerRepo(repository, ""), "gitpod/workspace-full",
    "latest"); ThirdPartyContainerRepo (common/common.go) is "" for Gitpod's own registry, else `repository`."""
    repository = config.get("repository", DEFAULT_COMPONENT_REPOSITORY)
    if repository == DEFAULT_COMPONENT_REPOSITORY:
        return "gitpod/workspace-full:latest"
    return _image(config, repository, "gitpod/workspace-full", "latest")


@dataclass(frozen=True)
class Pull:
    reader: str
    image: str
    """What is pulled (or pushed), as a full reference."""
    secrets: tuple[str, ...]
    """The secrets the reader may log in with; empty: it pulls anonymously."""
    push: bool = False

    @property
    def host(self) -> str:
        return image_host(self.image)


def _image(config: dict[str, Any], repository: str, name: str, tag: str = "commit-0") -> str:
    # common/render.go RepoName: with dropImageRepo only the last path segment stays, under `repository`.
    if config.get("dropImageRepo"):
        return f"{config.get('repository', DEFAULT_COMPONENT_REPOSITORY)}/{name.rsplit('/', 1)[-1]}:{tag}"
    return f"{repository}/{name}:{tag}"


def runtime_pulls(config: dict[str, Any], user_base_images: tuple[str, ...] = ()) -> list[Pull]:
    """Every registry access of a Gitpod installed with `config` (the program's installer fragment), with
    workspaces built from `user_base_images` (the images in users' .gitpod.yml or Dockerfiles)."""
    repository = config.get("repository", DEFAULT_COMPONENT_REPOSITORY)
    registry = config["containerRegistry"]
    if registry["inCluster"]:
        secret, push_to = BUILTIN_REGISTRY_AUTH, IN_CLUSTER_REGISTRY
    else:
        secret, push_to = registry["external"]["certificate"]["name"], registry["external"]["url"].rstrip("/")
    pull_secrets = tuple(ref["name"] for ref in config.get("imagePullSecrets", []))
    pulls = [
        Pull("kubelet", _image(config, repository, name), pull_secrets)
        for name in ("server", "image-builder-mk3", "registry-facade", "blobserve", "ide-service", "ws-manager-mk2")
    ]
    if registry["inCluster"]:
        # docker-registry/helm.go: ThirdPartyContainerRepo(repository, docker.io) + library/registry.
        third_party = "docker.io" if repository == DEFAULT_COMPONENT_REPOSITORY else repository
        pulls.append(Pull("kubelet", _image(config, third_party, "library/registry", "2.8.2"), pull_secrets))
    pulls += [
        Pull("registry-facade", _image(config, repository, name), (secret,))
        for name in ("supervisor", "workspacekit", "docker-up", "image-builder-mk3/bob")
    ]
    pulls += [Pull("registry-facade", f"{push_to}/workspace-images:ws-0", (secret,))]
    pulls += [Pull("blobserve", _image(config, repository, name), (secret,)) for name in ("ide/code", "supervisor")]
    pulls += [
        Pull("ide-service", _image(config, repository, name), (secret,)) for name in ("ide/code", "ide/xterm-web")
    ]
    pulls += [
        Pull("image-builder-mk3", f"{push_to}/{repo}:build-0", (secret,), push=True)
        for repo in ("base-images", "workspace-images")
    ]
    allow_list = registry.get("privateBaseImageAllowList", [])
    default = config.get("workspace", {}).get("workspaceImage") or installer_default_workspace_image(config)
    for base in (default, *user_base_images):
        pulls.append(Pull("image-builder-mk3", base, (secret,) if image_host(base) in allow_list else ()))
    return pulls


def dockerconfig_documents(evaluation: Evaluation) -> dict[str, dict]:
    """The program's dockerconfigjson secrets, by name, decoded; the installer's own one stands for itself, and
    one a controller writes is rendered as it would write it (`controller_documents`)."""
    found: dict[str, dict] = controller_documents(evaluation)
    for resource in evaluation.of_type(SecretWriter.PROGRAM.registered_as or ""):
        if resource.inputs.get("type") != DOCKERCONFIG_TYPE:
            continue
        data = resource.inputs["stringData"]
        assert isinstance(data, Secret), f"{resource.urn}: stringData is not secret"
        found[resource.inputs["metadata"]["name"]] = json.loads(data.value[".dockerconfigjson"])
    return found


def controller_documents(evaluation: Evaluation) -> dict[str, dict]:
    """The dockerconfigjson secrets External Secrets Operator writes from the program's ExternalSecrets (external-
    secrets v2.9.0): the generator's keys (`mock_generated_login`) rendered through each templateFrom Secret's
    values (runtime/template/v2/template.go, by Go's text/template with sprig), into the target's name."""
    found: dict[str, dict] = {}
    for external in evaluation.of_type(SecretWriter.CONTROLLER.registered_as or ""):
        spec, namespace = external.inputs["spec"], external.inputs["metadata"]["namespace"]
        template = spec["target"]["template"]
        if template.get("type") != DOCKERCONFIG_TYPE:
            continue
        ((source,),) = [[d["sourceRef"]["generatorRef"]] for d in spec["dataFrom"]]
        (generator,) = [
            r
            for r in evaluation.of_type(f"kubernetes:{source['apiVersion']}:{source['kind']}")
            if r.inputs["metadata"] == {**r.inputs["metadata"], "name": source["name"], "namespace": namespace}
        ]
        data = mock_generated_login(source["kind"], generator.inputs["spec"], _generated_host(generator.inputs["spec"]))
        rendered: dict[str, str] = {}
        for part in template["templateFrom"]:
            names = {
                r.inputs["metadata"]["name"]: r for r in evaluation.of_type(SecretWriter.PROGRAM.registered_as or "")
            }
            values = names[part["secret"]["name"]].inputs["stringData"]
            assert isinstance(values, Secret), f"{external.urn}: its template is not in a secret"
            for item in part["secret"]["items"]:
                rendered[item["key"]] = render(values.value[item["key"]], data)
        found[spec["target"]["name"]] = json.loads(rendered[".dockerconfigjson"])
    return found


def _generated_host(spec: dict) -> str:
    """The host an ECR generator's login is for (its `proxy_endpoint`); Google's access token names none."""
    return f"{MOCK_ACCOUNT_ID}.dkr.ecr.{spec['region']}.amazonaws.com" if "region" in spec else ""


def login_in(document: dict, host: str) -> Login | None:
    entry = document.get("auths", {}).get(host)
    return (entry["username"], entry["password"]) if entry else None


def problems(evaluation: Evaluation, intended: Intended, user_base_images: tuple[str, ...] = ()) -> list[str]:
    """Every pull whose reader would not log in with the login the configuration meant for its host."""
    documents = dockerconfig_documents(evaluation)
    found = []
    for pull in runtime_pulls(evaluation.outputs["installerConfig"], user_base_images):
        wanted = intended.get(pull.host)
        if wanted is None:
            continue  # a public image: no login is needed, and any login there is harmless
        if wanted == INSTALLER:
            ok = BUILTIN_REGISTRY_AUTH in pull.secrets
        else:
            ok = any(login_in(documents.get(secret, {}), pull.host) == wanted for secret in pull.secrets)
        if not ok:
            found.append(
                f"{pull.reader} {'pushes' if pull.push else 'pulls'} {pull.image} with {pull.secrets or 'no secret'}"
            )
    return found


# The login a cloud mints, modelled apart from the program: its host by the cloud's naming, its password from the
# mocks (offline/mocks.py), the one stand-in for each cloud's service. This knowledge is per cloud by nature: read
# from the backend's own declarations or objects it would be the program checked against itself, and a wrong host
# or a wrong generator would pass. So a backend whose login a cloud mints has its model here, by name.
def _artifact_registry_login(workspace: dict[str, Any], config: dict[str, Any], evaluation: Evaluation) -> Intended:
    repository = workspace.get("repository", "gitpod")
    location = workspace.get("location") or config.get("gcp:region")
    host = repository if repository.endswith("gcr.io") else f"{location}-docker.pkg.dev"
    if not workspace.get("gkeClusterName"):
        (key,) = evaluation.of_type("gcp:serviceaccount/key:Key")
        return {host: ("_json_key", mock_key_file(key.name, key.inputs["serviceAccountId"]))}
    # The access token ESO's generator would mint for the project and the GKE cluster named.
    spec = {
        "projectID": workspace.get("project") or config.get("gcp:project"),
        "auth": {
            "workloadIdentity": {
                "clusterName": workspace["gkeClusterName"],
                "serviceAccountRef": {"name": BACKENDS["artifact-registry"].token_service_account},
            }
        },
    }
    generated = mock_generated_login("GCRAccessToken", spec, host)
    return {host: (generated["username"], generated["password"])}


def _ecr_login(workspace: dict[str, Any], config: dict[str, Any], evaluation: Evaluation) -> Intended:
    # The login ESO's generator would mint; the mocks give it for the repositories' region and host.
    region = workspace.get("region") or config.get("aws:region")
    host = f"{MOCK_ACCOUNT_ID}.dkr.ecr.{region}.amazonaws.com"
    generated = mock_generated_login("ECRAuthorizationToken", {"region": region}, host)
    return {host: (generated["username"], generated["password"])}


def _acr_login(workspace: dict[str, Any], config: dict[str, Any], evaluation: Evaluation) -> Intended:
    # The token password the cloud would generate; the mocks derive it from the TokenPassword resource.
    (registry,) = evaluation.of_type("azure:containerservice/registry:Registry")
    (token,) = evaluation.of_type("azure:containerservice/registryToken:RegistryToken")
    (password,) = evaluation.of_type("azure:containerservice/tokenPassword:TokenPassword")
    return {f"{registry.inputs['name'].lower()}.azurecr.io": (token.inputs["name"], mock_token_password(password.name))}


CLOUD_MINTED_LOGINS = {"artifact-registry": _artifact_registry_login, "ecr": _ecr_login, "acr": _acr_login}
"""backend -> (its workspaceImages, the stack config, the evaluation) -> the login its cloud mints, by host."""


def intended_logins(config: dict[str, Any], evaluation: Evaluation) -> Intended:
    """What a stack config meant, read from the config alone: registry host -> login (GCP's from its key)."""

    def value(key: str) -> Any:
        raw = config.get(f"gitpod-registry:{key}")
        return json.loads(raw) if isinstance(raw, str) and raw[:1] in "{[" else raw

    found: Intended = {}
    air_gap, workspace, components = value("airGap"), value("workspaceImages") or {}, value("componentImages") or {}
    if air_gap:
        found[image_host(air_gap["registry"] + "/x")] = (air_gap["username"], air_gap["password"])
    if components.get("username"):
        found[image_host(components["repository"] + "/x")] = (components["username"], components["password"])
    for credential in (value("baseImages") or {}).get("registries", []):
        found[image_host(credential["server"].split("/")[0] + "/x")] = (credential["username"], credential["password"])
    backend = workspace.get("backend")
    if backend not in BACKENDS:
        return found
    if not BACKENDS[backend].secret_writer.carries_other_logins:
        found[IN_CLUSTER_REGISTRY] = INSTALLER  # its own registry's login, in the secret the installer generates
    elif BACKENDS[backend].from_login is not None:
        # Given a registry and a login, it pushes with exactly those: read them from the fields it declares as the
        # push URL, its user name and its secret.
        fields = BACKENDS[backend].fields
        url = next(f.key for f in fields if f.check is check_url)
        user = next(f.key for f in fields if f.check is check_username)
        password = next(f.key for f in fields if f.secret)
        found[image_host(workspace[url] + "/x")] = (workspace[user], workspace[password])
    else:
        assert backend in CLOUD_MINTED_LOGINS, f"backend {backend!r}: add a model of the login its cloud mints"
        found |= CLOUD_MINTED_LOGINS[backend](workspace, config, evaluation)
    return found


@dataclass(frozen=True)
class RuntimeScenario:
    id: str
    config: dict[str, Any]
    """Full config keys; with `stack`, on top of that example stack's file."""
    stack: str | None = None
    user_base_images: tuple[str, ...] = ()

    def evaluate(self) -> Evaluation:
        evaluation = evaluate(self.stack or "dev", self.config, use_stack_file=self.stack is not None)
        assert evaluation.error is None, f"{self.id}: {evaluation.error}"
        return evaluation

    def full_config(self) -> dict[str, Any]:
        base = stack_config(self.stack)[0] if self.stack else {}
        return {**base, **{k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in self.config.items()}}


WS, COMPONENTS, BASE = (
    "gitpod-registry:workspaceImages",
    "gitpod-registry:componentImages",
    "gitpod-registry:baseImages",
)
GCP = {"gcp:project": "acme-gitpod", "gcp:region": "europe-west1"}
AWS = {"aws:region": "eu-west-1"}
MIRROR = {"repository": "mirror.example.com:5000/gitpod", "username": "robot$mirror", "password": "mirror-token-abcdef"}
PUSH = {
    "backend": "external",
    "url": "registry.example.com/gitpod",
    "username": "robot$gitpod-push",
    "password": "push-token-0123456789",
}
QUAY = {"server": "quay.io/acme", "username": "acme+reader", "password": "quay-token-xyz"}
HUB = {"server": "index.docker.io", "username": "acme", "password": "dckr_pat_hub"}
MINIO = {
    "backend": "s3-compatible",
    "endpoint": "minio.example.com:9000",
    "bucket": "gitpod-registry",
    "region": "us-east-1",
    "accessKeyId": "gitpod-registry",
    "secretAccessKey": "minio-s3cret-key",
}
ECR_OIDC_PROVIDER = f"arn:aws:iam::{MOCK_ACCOUNT_ID}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"
USER_IMAGES = ("quay.io/acme/python:3.12", "acme/private-base:1")

RUNTIME_SCENARIOS = [
    *(RuntimeScenario(f"stack-{stack}", {}, stack=stack) for stack in shipped_stacks()),
    RuntimeScenario(
        "s3-anonymous-mirror", {**AWS, WS: {"backend": "s3"}, COMPONENTS: {"repository": MIRROR["repository"]}}
    ),
    RuntimeScenario("s3-compatible", {WS: MINIO}),
    RuntimeScenario(
        "in-cluster-flat-anonymous-mirror",
        {WS: {"backend": "in-cluster"}, COMPONENTS: {"repository": "docker.io/acme", "dropImageRepo": True}},
    ),
    RuntimeScenario(
        "external-with-mirror-and-base-images",
        {WS: PUSH, COMPONENTS: MIRROR, BASE: {"registries": [QUAY, HUB]}},
        user_base_images=USER_IMAGES,
    ),
    RuntimeScenario(
        "external-with-mirror-and-a-workspace-image-elsewhere",
        {WS: PUSH, COMPONENTS: MIRROR, BASE: {"workspaceImage": "quay.io/acme/workspace:2024", "registries": [QUAY]}},
    ),
    RuntimeScenario(
        "external-with-a-flat-mirror",
        {WS: PUSH, COMPONENTS: {**MIRROR, "dropImageRepo": True}},
    ),
    RuntimeScenario(
        "gcp-artifact-registry-with-mirror-and-base-images",
        {**GCP, WS: {"backend": "artifact-registry"}, COMPONENTS: MIRROR, BASE: {"registries": [QUAY]}},
        user_base_images=USER_IMAGES[:1],
    ),
    RuntimeScenario(
        "gcp-artifact-registry-keyless-with-mirror-and-base-images",
        {
            **GCP,
            WS: {"backend": "artifact-registry", "gkeClusterName": "gitpod", "gkeClusterLocation": "europe-west1-b"},
            COMPONENTS: MIRROR,
            BASE: {"registries": [QUAY]},
        },
        user_base_images=USER_IMAGES[:1],
    ),
    RuntimeScenario(
        "azure-acr-with-mirror-and-base-images",
        {
            WS: {"backend": "acr", "resourceGroup": "gitpod", "keyGeneration": 3},
            COMPONENTS: MIRROR,
            BASE: {"registries": [QUAY]},
        },
        user_base_images=USER_IMAGES[:1],
    ),
    RuntimeScenario(
        "aws-ecr-with-mirror-and-base-images",
        {
            **AWS,
            WS: {"backend": "ecr", "oidcProviderArn": ECR_OIDC_PROVIDER},
            COMPONENTS: MIRROR,
            BASE: {"registries": [QUAY]},
        },
        user_base_images=USER_IMAGES[:1],
    ),
    RuntimeScenario(
        "air-gap-with-a-workspace-image",
        {
            "gitpod-registry:airGap": {
                "registry": "registry.internal.example.com/gitpod",
                "username": "gitpod-robot",
                "password": "air-gap-token-42",
            },
            BASE: {"workspaceImage": "ubuntu:22.04"},
        },
    ),
]
