"""Fixtures that start real software on loopback (moto, docker-registry) and always stop it."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from required_tools import require_module, require_tool

from .processes import Process, clean_env, free_port

REGION = "eu-west-1"
ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
# Calls moto answers without checking credentials: exactly the three that create the admin below.
SETUP_CALLS = 3


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.real)


@dataclass
class Moto:
    endpoint: str
    admin: dict
    """Access key of an all-powerful admin, for set-up; every call after the first three is IAM-checked."""

    def client(self, service: str, **credentials: str):
        import boto3

        return boto3.client(
            service, endpoint_url=self.endpoint, region_name=REGION, **(credentials or self.admin), verify=False
        )


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Moto]:
    require_module("moto.server", "moto[server]")
    require_module("boto3", "boto3")
    import boto3

    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    env = clean_env(INITIAL_NO_AUTH_ACTION_COUNT=str(SETUP_CALLS))
    process = Process([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], log, env)
    try:
        endpoint = f"http://127.0.0.1:{port}"
        process.wait_for_http(f"{endpoint}/moto-api/")
        anyone = {"aws_access_key_id": "setup", "aws_secret_access_key": "setup"}
        iam = boto3.client("iam", endpoint_url=endpoint, region_name=REGION, **anyone)
        iam.create_user(UserName="test-admin")
        iam.put_user_policy(UserName="test-admin", PolicyName="admin", PolicyDocument=json.dumps(ADMIN_POLICY))
        key = iam.create_access_key(UserName="test-admin")["AccessKey"]
        admin = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
        yield Moto(endpoint, admin)
    finally:
        process.stop()


@pytest.fixture(scope="session")
def registry_tools() -> None:
    require_tool("docker-registry")
    require_tool("skopeo")
