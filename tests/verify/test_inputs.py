"""Reading what the operator hands the command: Secrets as kubectl prints them, and the installer config."""

from __future__ import annotations

import base64
import json

import pytest
import yaml

from components.verify.config import parse_config, read_config
from components.verify.secrets import InputError, credential_strings, docker_logins, read_secret_files

from .conftest import docker_secret, secret_manifest, write

EXTERNAL = {
    "repository": "mirror.example.com:5000/gitpod",
    "imagePullSecrets": [{"kind": "secret", "name": "gitpod-registry-component-images"}],
    "containerRegistry": {
        "inCluster": False,
        "external": {
            "url": "registry.example.com/gitpod",
            "certificate": {"kind": "secret", "name": "gitpod-registry-workspace-images"},
        },
        "privateBaseImageAllowList": ["quay.io"],
    },
}
IN_CLUSTER = {
    "repository": "eu.gcr.io/gitpod-core-dev/build",
    "containerRegistry": {
        "inCluster": True,
        "s3storage": {
            "bucket": "gitpod-registry-dev",
            "region": "eu-west-1",
            "endpoint": "s3.eu-west-1.amazonaws.com",
            "certificate": {"kind": "secret", "name": "gitpod-registry-s3"},
        },
    },
    "customCACert": {"kind": "secret", "name": "private-ca"},
}


@pytest.mark.parametrize("as_yaml", [False, True], ids=["json", "yaml"])
@pytest.mark.parametrize("string_data", [False, True], ids=["data", "stringData"])
def test_a_secret_reads_the_same_from_json_or_yaml_with_data_or_string_data(tmp_path, as_yaml, string_data):
    manifest = secret_manifest(
        "gitpod-registry-s3", {"s3AccessKey": "AKIA1", "s3SecretKey": "se/cr+et="}, string_data=string_data
    )
    path = write(tmp_path / "secret", manifest, as_yaml=as_yaml)
    (secret,) = read_secret_files([path]).values()
    assert (secret.name, secret.type) == ("gitpod-registry-s3", "Opaque")
    assert secret.data == {"s3AccessKey": "AKIA1", "s3SecretKey": "se/cr+et="}
    assert "se/cr+et=" not in repr(secret)


def test_string_data_wins_over_data_as_in_kubernetes(tmp_path):
    manifest = secret_manifest("s", {"s3AccessKey": "old"})
    manifest["stringData"] = {"s3AccessKey": "new"}
    (secret,) = read_secret_files([write(tmp_path / "s.json", manifest)]).values()
    assert secret.data["s3AccessKey"] == "new"


def test_kubectl_list_output_gives_every_secret(tmp_path):
    listing = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [secret_manifest("a", {"k": "v"}), secret_manifest("b", {})],
    }
    assert sorted(read_secret_files([write(tmp_path / "l.yaml", listing, as_yaml=True)])) == ["a", "b"]


def test_bad_base64_names_the_key_and_never_the_value(tmp_path):
    manifest = secret_manifest("s", {})
    manifest["data"] = {"s3SecretKey": "not base64 !! hunter2hunter2"}
    with pytest.raises(InputError, match=r"secret s: data.s3SecretKey is not base64") as raised:
        read_secret_files([write(tmp_path / "s.json", manifest)])
    assert "hunter2" not in str(raised.value)


def test_a_file_that_is_neither_json_nor_yaml_is_refused(tmp_path):
    (tmp_path / "s").write_text("{ not: [json")
    with pytest.raises(InputError, match="neither JSON nor YAML"):
        read_secret_files([tmp_path / "s"])


def test_docker_logins_follow_the_runtime_rule(tmp_path):
    document = {
        "auths": {
            "https://index.docker.io/v1/": {"auth": base64.b64encode(b"acme:dckr_pat:with:colons").decode()},
            "registry.example.com": {"username": "robot$push", "password": "p@ss"},
            "quay.io": {
                "username": "someone-else",
                "password": "other",
                "auth": base64.b64encode(b"acme+reader:quay-token").decode(),
            },
            "echo.example.com": {"auth": base64.b64encode(b"u:p\n").decode()},
            "empty.example.com": {"username": "u"},
        }
    }
    manifest = secret_manifest(
        "ws", {".dockerconfigjson": json.dumps(document)}, type_="kubernetes.io/dockerconfigjson"
    )
    (secret,) = read_secret_files([write(tmp_path / "ws.json", manifest)]).values()
    logins = docker_logins(secret)
    assert (logins["docker.io"].username, logins["docker.io"].password, logins["docker.io"].problem) == (
        "acme",
        "dckr_pat:with:colons",
        None,
    )
    assert (logins["registry.example.com"].username, logins["registry.example.com"].problem) == ("robot$push", None)
    assert logins["quay.io"].username == "acme+reader" and "does not match" in logins["quay.io"].problem
    assert "newline" in logins["echo.example.com"].problem
    assert "neither auth nor" in logins["empty.example.com"].problem
    assert "quay-token" not in repr(logins["quay.io"])


def test_a_dockerconfig_secret_without_its_key_is_named(tmp_path):
    (secret,) = read_secret_files([write(tmp_path / "s.json", secret_manifest("ws", {"config.json": "{}"}))]).values()
    with pytest.raises(InputError, match=r"secret ws has no key \.dockerconfigjson"):
        docker_logins(secret)


def test_credential_strings_cover_every_form_a_credential_takes():
    secret_doc = docker_secret("ws", {"registry.example.com": ("robot", "push-token-0123456789")})
    from components.verify.secrets import secret_from_manifest

    masked = credential_strings([secret_from_manifest(secret_doc, "test")])
    assert "push-token-0123456789" in masked
    assert base64.b64encode(b"robot:push-token-0123456789").decode() in masked
    assert "robot" not in masked  # a user name is no credential; reports name it


def test_external_config_is_read_with_every_reference():
    config = parse_config(EXTERNAL)
    assert (config.in_cluster, config.external_url, config.mirror) == (
        False,
        "registry.example.com/gitpod",
        "mirror.example.com:5000/gitpod",
    )
    assert [(r.name, r.field) for r in config.secret_refs()] == [
        ("gitpod-registry-workspace-images", "containerRegistry.external.certificate"),
        ("gitpod-registry-component-images", "imagePullSecrets[0]"),
    ]
    assert config.private_base_hosts == ["quay.io"]


def test_in_cluster_config_with_s3_storage_and_a_custom_ca(tmp_path):
    config = read_config(write(tmp_path / "registry.yaml", IN_CLUSTER, as_yaml=True))
    assert config.s3 is not None and config.s3.endpoint == "s3.eu-west-1.amazonaws.com"
    assert config.mirror is None  # Gitpod's public repository needs no login
    assert [r.name for r in config.secret_refs()] == ["gitpod-registry-s3", "private-ca"]


def test_pulumi_json_output_of_the_yaml_is_read_too(tmp_path):
    # `pulumi stack output --json installerConfigYaml` prints the YAML text as one JSON string.
    (tmp_path / "out.json").write_text(json.dumps(yaml.safe_dump(EXTERNAL)))
    assert read_config(tmp_path / "out.json").external_url == "registry.example.com/gitpod"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c.pop("containerRegistry"), "containerRegistry is missing"),
        (lambda c: c["containerRegistry"].pop("inCluster"), r"containerRegistry.inCluster: required"),
        (lambda c: c["containerRegistry"]["external"].pop("url"), r"containerRegistry.external.url: required"),
        (
            lambda c: c["containerRegistry"]["external"]["certificate"].update(kind="configmap"),
            r"containerRegistry.external.certificate.kind is 'configmap'",
        ),
        (lambda c: c["containerRegistry"].update(privateBaseImageAllowList="quay.io"), "privateBaseImageAllowList"),
    ],
)
def test_config_errors_name_the_field(change, message):
    config = json.loads(json.dumps(EXTERNAL))
    change(config)
    with pytest.raises(InputError, match=message):
        parse_config(config)


def test_an_s3_endpoint_with_a_scheme_is_refused():
    config = json.loads(json.dumps(IN_CLUSTER))
    config["containerRegistry"]["s3storage"]["endpoint"] = "https://s3.eu-west-1.amazonaws.com"
    with pytest.raises(InputError, match="endpoint: host\\[:port\\] without a scheme"):
        parse_config(config)


REF = {"kind": "secret", "name": "s"}


@pytest.mark.parametrize(
    ("registry", "expected"),
    [
        (
            {"inCluster": False, "external": {"url": "https://registry.example.com/gitpod", "certificate": REF}},
            "containerRegistry.external.url: 'https://registry.example.com/gitpod' has a scheme",
        ),
        (
            {"inCluster": False, "external": {"url": "robot:s3cret-pa55@registry.example.com/x", "certificate": REF}},
            "containerRegistry.external.url: ",
        ),
        (
            {"inCluster": True, "s3storage": {"bucket": "b", "region": "r", "endpoint": "s3..aws", "certificate": REF}},
            "containerRegistry.s3storage.endpoint: host[:port] without a scheme; has an empty DNS label",
        ),
    ],
)
def test_hosts_are_read_with_the_programs_grammar(registry, expected):
    with pytest.raises(InputError) as refused:
        parse_config({"containerRegistry": registry})
    assert str(refused.value).startswith(expected) and "s3cret-pa55" not in str(refused.value)


def test_a_docker_hub_alias_is_looked_up_under_docker_io():
    from components.verify.registry_checks import split_url

    assert split_url("index.docker.io/acme/") == ("docker.io", "acme")
    assert split_url("Registry.Example.com:5000/gitpod") == ("registry.example.com:5000", "gitpod")
