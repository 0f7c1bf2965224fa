"""`verify` on the in-cluster registry's S3 storage: moto over TLS with IAM enforced, and the program's own output.

The installer config, the secret's key names and the IAM policy all come from evaluating the real
program (the `dev` stack on AWS); only the S3 endpoint is pointed at moto.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from required_tools import require_module

from components.verify.s3_checks import ACTION
from conftest import AWS, reveal, run

from .conftest import secret_manifest, write
from .pki import Pki
from .servers import TlsMoto

# The admin client of tests/real's Moto skips certificate checks; the command under test never does.
pytestmark = [
    pytest.mark.heavy(10),
    pytest.mark.real,
    pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning"),
]
EVERY_ACTION = sorted(set(ACTION.values()))


@dataclass
class Stack:
    moto: TlsMoto
    bucket: str
    user: str
    policy_name: str
    policy: str
    """The registry user's inline policy exactly as the program generated it."""
    config_yaml: str
    """The program's installerConfigYaml with only the endpoint pointed at moto."""
    secret_name: str
    key: dict

    def files(self, tmp_path: Path, *, region: str | None = None, secret_key: str | None = None) -> list[str]:
        config = (
            self.config_yaml if region is None else self.config_yaml.replace("region: eu-west-1", f"region: {region}")
        )
        data = {"s3AccessKey": self.key["AccessKeyId"], "s3SecretKey": secret_key or self.key["SecretAccessKey"]}
        secret = write(tmp_path / "s3-secret.json", secret_manifest(self.secret_name, data))
        (tmp_path / "registry.yaml").write_text(config)
        return ["--config", str(tmp_path / "registry.yaml"), "--secret", str(secret)]

    def put_policy(self, document: str) -> None:
        self.moto.moto.client("iam").put_user_policy(
            UserName=self.user, PolicyName=self.policy_name, PolicyDocument=document
        )

    def leftovers(self) -> tuple[list[str], list[str]]:
        s3 = self.moto.moto.client("s3")
        objects = [o["Key"] for o in s3.list_objects_v2(Bucket=self.bucket).get("Contents", [])]
        uploads = [u["Key"] for u in s3.list_multipart_uploads(Bucket=self.bucket).get("Uploads", [])]
        return objects, uploads

    def empty(self) -> None:
        s3 = self.moto.moto.client("s3")
        for upload in s3.list_multipart_uploads(Bucket=self.bucket).get("Uploads", []):
            s3.abort_multipart_upload(Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"])
        for key in self.leftovers()[0]:
            s3.delete_object(Bucket=self.bucket, Key=key)


@pytest.fixture(scope="module")
def stack(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    require_module("moto.server", "moto[server]")
    evaluation = run("dev", AWS)
    s3storage = evaluation.outputs["installerConfig"]["containerRegistry"]["s3storage"]
    (secret,) = evaluation.of_type("kubernetes:core/v1:Secret")
    assert sorted(reveal(secret.inputs["stringData"])) == ["s3AccessKey", "s3SecretKey"]
    assert secret.inputs["metadata"]["name"] == s3storage["certificate"]["name"]
    user_policy = evaluation.one("aws:iam/userPolicy:UserPolicy").inputs
    user = evaluation.one("aws:iam/user:User").inputs

    moto = TlsMoto(tmp_path_factory.mktemp("moto-tls"), pki)
    try:
        s3, iam = moto.moto.client("s3"), moto.moto.client("iam")
        s3.create_bucket(
            Bucket=s3storage["bucket"], CreateBucketConfiguration={"LocationConstraint": s3storage["region"]}
        )
        iam.create_user(UserName=user["name"], Path=user["path"])
        iam.put_user_policy(UserName=user["name"], PolicyName=user_policy["name"], PolicyDocument=user_policy["policy"])
        key = iam.create_access_key(UserName=user["name"])["AccessKey"]
        config_yaml = evaluation.outputs["installerConfigYaml"].replace(s3storage["endpoint"], f"127.0.0.1:{moto.port}")
        yield Stack(
            moto, s3storage["bucket"], user["name"], user_policy["name"], user_policy["policy"], config_yaml,
            secret.inputs["metadata"]["name"], key,
        )  # fmt: skip
    finally:
        moto.stop()


@pytest.fixture
def fresh(stack: Stack) -> Iterator[Stack]:
    stack.empty()
    yield stack
    stack.put_policy(stack.policy)
    stack.empty()


def test_the_programs_config_secret_and_policy_pass_and_leave_nothing(verify, pki, tmp_path, fresh):
    outcome = verify(*fresh.files(tmp_path), "--ca-file", pki.ca, "--json")
    assert outcome.code == 0, outcome.text
    check = outcome.check("registry storage")
    assert check["done"][0] == "bucket region is s3storage.region" and check["notes"] == []
    assert fresh.leftovers() == ([], [])
    assert fresh.key["SecretAccessKey"] not in outcome.text and fresh.key["AccessKeyId"] not in outcome.text


def test_every_action_the_check_names_is_in_the_programs_policy(stack):
    granted = {a for statement in json.loads(stack.policy)["Statement"] for a in statement["Action"]}
    assert granted == set(EVERY_ACTION)


@pytest.mark.parametrize("action", EVERY_ACTION)
def test_a_key_whose_policy_lacks_one_action_fails_naming_it(verify, pki, tmp_path, fresh, action):
    document = json.loads(fresh.policy)
    for statement in document["Statement"]:
        statement["Action"] = [a for a in statement["Action"] if a != action]
    fresh.put_policy(json.dumps(document))
    outcome = verify(*fresh.files(tmp_path), "--ca-file", pki.ca, "--json")
    assert outcome.code == 1
    check = outcome.check("registry storage")
    assert check["step"] == action
    assert check["cause"].startswith("403 AccessDenied") and check["cause"].endswith(f"its policy lacks {action}")
    objects, uploads = fresh.leftovers()
    # Without the right to delete or abort, what the check made stays, and the report says so.
    if action == "s3:DeleteObject":
        assert len(objects) == 1 and objects[0] in check["notes"][0] and uploads == []
    elif action == "s3:AbortMultipartUpload":
        assert uploads and "multipart upload" in check["notes"][0]
    else:
        assert (objects, uploads) == ([], []) and check["notes"] == []
    assert fresh.key["SecretAccessKey"] not in outcome.text


def test_a_wrong_region_is_named(verify, pki, tmp_path, fresh):
    outcome = verify(*fresh.files(tmp_path, region="eu-central-1"), "--ca-file", pki.ca, "--json")
    check = outcome.check("registry storage")
    assert outcome.code == 1 and check["step"] == "s3:GetBucketLocation"
    assert check["cause"] == "the bucket is in eu-west-1, but containerRegistry.s3storage.region is eu-central-1"


def test_a_wrong_secret_key_is_named(verify, pki, tmp_path, fresh):
    wrong = "x" * 40
    outcome = verify(*fresh.files(tmp_path, secret_key=wrong), "--ca-file", pki.ca, "--json")
    check = outcome.check("registry storage")
    assert outcome.code == 1 and "SignatureDoesNotMatch" in check["cause"] and "s3SecretKey" in check["cause"]
    assert wrong not in outcome.text


def test_an_untrusted_certificate_is_named(verify, tmp_path, fresh):
    outcome = verify(*fresh.files(tmp_path), "--json", "--timeout", "10")
    check = outcome.check("registry storage")
    assert outcome.code == 1 and check["cause"].startswith("untrusted certificate: 127.0.0.1:")
