"""Stand-ins for the values that clouds compute (IDs, ARNs, keys), deterministic per resource name."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pulumi

MOCK_ACCOUNT_ID = "123456789012"
MOCK_SUBSCRIPTION_ID = "00000000-0000-4000-8000-000000000001"
MOCK_AZURE_LOCATION = "westeurope"


def _digest(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def fake_service_account_key(email: str, project: str, resource_name: str = "") -> dict:
    """A key file shaped like Google's; its private key is not a real key."""
    return {
        "type": "service_account",
        "project_id": project,
        "private_key_id": _digest(email, resource_name)[:40],
        "private_key": "-----BEGIN PRIVATE KEY-----\nMOCK-"
        + _digest("key", email, resource_name)[:32]
        + "\n-----END PRIVATE KEY-----\n",
        "client_email": email,
        "client_id": str(int(_digest("id", email)[:15], 16)),
        "token_uri": "https://oauth2.googleapis.com/token",
    }


def _outputs(token: str, name: str, inputs: dict) -> dict:
    if token == "aws:s3/bucket:Bucket":
        bucket = inputs.get("bucket") or name
        return {"bucket": bucket, "arn": f"arn:aws:s3:::{bucket}"}
    if token == "aws:iam/user:User":
        user = inputs.get("name") or name
        return {
            "arn": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:user{inputs.get('path', '/')}{user}",
            "uniqueId": "AIDA" + _digest(user)[:16].upper(),
        }
    if token == "aws:iam/accessKey:AccessKey":
        return {"secret": base64.b64encode(bytes.fromhex(_digest("secret", name)[:60])).decode(), "status": "Active"}
    if token == "kubernetes:core/v1:Secret":
        # The apiserver's resourceVersion changes at every write; here, with the Secret's inputs.
        version = str(int(_digest("resource-version", json.dumps(inputs, sort_keys=True, default=str))[:12], 16))
        return {"metadata": {**inputs.get("metadata", {}), "resourceVersion": version}}
    if token == "aws:iam/role:Role":
        role = inputs.get("name") or name
        return {"arn": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:role{inputs.get('path', '/')}{role}"}
    if token == "aws:ecr/repository:Repository":
        region, repository = inputs.get("region", "us-east-1"), inputs.get("name", name)
        partition = "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"
        return {
            "arn": f"arn:{partition}:ecr:{region}:{MOCK_ACCOUNT_ID}:repository/{repository}",
            "registryId": MOCK_ACCOUNT_ID,
            "repositoryUrl": f"{MOCK_ACCOUNT_ID}.dkr.ecr.{region}.amazonaws.com/{repository}",
        }
    if token == "gcp:serviceaccount/account:Account":
        project = inputs.get("project", "mock-project")
        email = f"{inputs['accountId']}@{project}.iam.gserviceaccount.com"
        return {
            "email": email,
            "member": f"serviceAccount:{email}",
            "name": f"projects/{project}/serviceAccounts/{email}",
            "uniqueId": str(int(_digest("uid", email)[:15], 16)),
        }
    if token == "gcp:serviceaccount/key:Key":
        document = mock_key_file(name, str(inputs.get("serviceAccountId", name)))
        key = json.loads(document)
        return {
            "privateKey": base64.b64encode(document.encode()).decode(),
            "name": f"projects/{key['project_id']}/serviceAccounts/{key['client_email']}/keys/{key['private_key_id']}",
            "keyAlgorithm": "KEY_ALG_RSA_2048",
            "privateKeyType": "TYPE_GOOGLE_CREDENTIALS_FILE",
        }
    if token == "gcp:artifactregistry/repository:Repository":
        repository, location = inputs.get("repositoryId", name), inputs.get("location", "us")
        project = inputs.get("project", "mock-project")
        host = repository if repository.endswith("gcr.io") else f"{location}-docker.pkg.dev"
        path = project.replace(":", "/")
        return {
            "name": repository,
            "registryUri": f"{host}/{path}" if repository.endswith("gcr.io") else f"{host}/{path}/{repository}",
        }
    if token == "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember":
        return {"etag": "BwY" + _digest("etag", name)[:8]}
    if token == "azure:containerservice/registry:Registry":
        return {"loginServer": f"{inputs['name'].lower()}.azurecr.io", "adminUsername": "", "adminPassword": ""}
    if token == "azure:containerservice/tokenPassword:TokenPassword":
        return {"password1": {"expiry": "", "value": mock_token_password(name)}}
    return {}


def mock_token_password(name: str) -> str:
    """The password the mocks give the TokenPassword resource called `name`: 52 characters like ACR's,
    with the '+', '/' and '=' a base64 alphabet brings, so a document that mangles them shows it."""
    return base64.b64encode(bytes.fromhex(_digest("acr-password", name) + _digest("acr", name)[:8])).decode() + "+/=="


def _azure_id(token: str, inputs: dict) -> str | None:
    """Resource ids shaped like Azure's, so children that take a parent's id get a realistic one."""
    group = f"/subscriptions/{MOCK_SUBSCRIPTION_ID}/resourceGroups/{inputs.get('resourceGroupName')}"
    registry = f"{group}/providers/Microsoft.ContainerRegistry/registries/{inputs.get('containerRegistryName')}"
    if token == "azure:containerservice/registry:Registry":
        return f"{group}/providers/Microsoft.ContainerRegistry/registries/{inputs['name']}"
    if token == "azure:containerservice/registryScopeMap:RegistryScopeMap":
        return f"{registry}/scopeMaps/{inputs['name']}"
    if token == "azure:containerservice/registryToken:RegistryToken":
        return f"{registry}/tokens/{inputs['name']}"
    if token == "azure:containerservice/tokenPassword:TokenPassword":
        return f"{inputs['containerRegistryTokenId']}/passwords/password"
    if token == "azure:containerservice/registryTask:RegistryTask":
        return f"{inputs['containerRegistryId']}/tasks/{inputs['name']}"
    return None


def mock_key_file(name: str, service_account_id: str) -> str:
    """The key file (JSON text) the mocks give the Key resource called `name`; base64 of it is its privateKey.

    The resource name is part of the key, so two generations of a key differ like real ones.
    """
    # serviceAccountId may be an email or projects/P/serviceAccounts/EMAIL.
    email = service_account_id.split("/")[-1]
    project = email.split("@")[-1].split(".")[0] if "@" in email else "mock-project"
    return json.dumps(fake_service_account_key(email, project, name), indent=2)


def _resource_id(token: str, name: str, inputs: dict) -> str:
    if token == "aws:s3/bucket:Bucket":  # a bucket's ID is its name
        return inputs.get("bucket") or name
    if token == "aws:iam/accessKey:AccessKey":
        return mock_key_id(name)
    if token in ("aws:iam/role:Role", "aws:ecr/repository:Repository"):  # their IDs are their names
        return inputs.get("name") or name
    return _azure_id(token, inputs) or f"{name}-id"


def mock_generated_login(kind: str, spec: dict, host: str) -> dict[str, str]:
    """What ESO's generator of `kind` would emit for `spec`: exactly its keys (external-secrets v2.9.0,
    generators/v1/ecr/ecr.go for ECRAuthorizationToken, generators/v1/gcr/gcr.go for GCRAccessToken). ECR's
    password has the '+', '/' and '=' of base64, as ECR's do, so a document that mangles them shows it; Google's
    access tokens are `ya29.` and URL-safe characters, with a trailing run of dots as some carry."""
    if kind == "GCRAccessToken":
        identity = spec["auth"]["workloadIdentity"]
        token = _digest("gcr-token", spec["projectID"], identity["clusterName"], identity["serviceAccountRef"]["name"])
        # The token source keeps no expiry on these paths: gcr.go writes the zero time's Unix seconds.
        return {
            "username": "oauth2accesstoken",
            "password": f"ya29.c.{token}_-{token[:20]}....",
            "expiry": "-62135596800",
        }
    assert kind == "ECRAuthorizationToken", kind
    token = base64.b64encode(bytes.fromhex(_digest("ecr-token", spec["region"], host) * 2)).decode()
    return {
        "username": "AWS",
        "password": token[:60] + "+/" + token[60:] + "==",
        "proxy_endpoint": f"https://{host}",
        "expires_at": "1767268800",
    }


def mock_oidc_id(cluster: str) -> str:
    """The id in the OIDC issuer URL the mocks give the EKS cluster called `cluster`."""
    return _digest("oidc", cluster)[:32].upper()


def mock_key_id(name: str) -> str:
    """The access key ID the mocks give the AccessKey resource called `name`."""
    return "AKIA" + _digest("id", name)[:16].upper()


class RegistryMocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        state = dict(args.inputs)
        state.update(_outputs(args.typ, args.name, args.inputs))
        return _resource_id(args.typ, args.name, args.inputs), state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        # No check failures: the SDK iterates the second item (mocks.py, MockMonitor.Invoke).
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": MOCK_ACCOUNT_ID,
                "arn": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:user/mock",
                "userId": "AIDAMOCK",
                "id": MOCK_ACCOUNT_ID,
            }, []
        if args.token == "aws:eks/getCluster:getCluster":
            issuer = f"https://oidc.eks.{args.args.get('region', 'us-east-1')}.amazonaws.com/id/{mock_oidc_id(args.args['name'])}"
            return {"name": args.args["name"], "identities": [{"oidcs": [{"issuer": issuer}]}]}, []
        if args.token == "azure:core/getResourceGroup:getResourceGroup":
            group = args.args["name"]
            return {
                "id": f"/subscriptions/{MOCK_SUBSCRIPTION_ID}/resourceGroups/{group}",
                "name": group,
                "location": MOCK_AZURE_LOCATION,
                "managedBy": "",
                "tags": {},
            }, []
        return {}, []
