"""One grammar per kind of value: ECR hosts in every partition, AWS regions as the provider knows them,
the IAM user name's limit, and S3-compatible endpoints parsed as every other registry host is.

Each class is generated (hypothesis) from the sources that decide it: the partition table, pulumi-aws's
own Region enum, IAM's 64-character user names, and the host grammar of reference.py.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.aws.ecr import is_ecr_host
from components.aws.partition import PARTITIONS, known_regions, partition_of, region
from components.registries_args import check_args
from components.validation import InvalidInput
from components.workspace_images.backend import Common
from components.workspace_images.s3 import IAM_USER_NAME_MAX, check_fields, user_name_for
from components.workspace_images.s3_compatible import check_endpoint

SETTINGS = settings(max_examples=100, deadline=None, derandomize=True)
REGIONS = sorted(known_regions())
accounts = st.from_regex(r"[0-9]{12}", fullmatch=True)
regions = st.sampled_from(REGIONS)


@st.composite
def ecr_hosts(draw) -> str:
    """A private ECR registry host of the region's own partition (FIPS, dual-stack, an explicit port)."""
    name = draw(regions)
    fips = draw(st.sampled_from(["", "-fips"]))
    if draw(st.booleans()):
        host = f"{draw(accounts)}.dkr.ecr{fips}.{name}.{partition_of(name).dns_suffix}"
    else:
        host = f"{draw(accounts)}.dkr-ecr{fips}.{name}.{'on.amazonwebservices.com.cn' if name.startswith('cn-') else 'on.aws'}"
    return host + draw(st.sampled_from(["", ":443"]))


def test_the_region_list_is_the_providers_and_covers_every_partition():
    assert {partition_of(name) for name in REGIONS} == set(PARTITIONS)
    assert {"eusc-de-east-1", "us-isof-south-1", "cn-north-1", "eu-west-1"} <= set(REGIONS)


@SETTINGS
@given(ecr_hosts())
def test_every_ecr_host_is_recognised_and_refused_wherever_a_static_login_would_go(host):
    assert is_ecr_host(host)
    user = {"username": "AWS", "password": "eyJwYXlsb2FkIjoi"}
    push = {"backend": "external", "url": "registry.example.com/gitpod", **user}
    configs = {
        "workspace_images.url": {"workspace_images": {**push, "url": f"{host}/gitpod"}},
        "base_images.registries[0].server": {
            "workspace_images": push,
            "base_images": {"registries": [{"server": host, **user}]},
        },
        "component_images.repository": {
            "workspace_images": push,
            "component_images": {"repository": f"{host}/gitpod", **user},
        },
    }
    for path, config in configs.items():
        with pytest.raises(InvalidInput, match="ECR logins are tokens that expire after 12 hours") as refused:
            check_args({"cluster_name": "dev", **config})
        assert refused.value.where() == path


@SETTINGS
@given(
    st.from_regex(
        r"[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.(example\.com|amazonaws\.co|amazonaws\.eu\.evil\.io)", fullmatch=True
    )
)
def test_hosts_that_only_resemble_ecr_are_not_ecr(host):
    assert not is_ecr_host(host)


@SETTINGS
@given(regions)
def test_every_region_the_provider_knows_is_accepted(name):
    assert region("workspace_images.region", name) == name


@SETTINGS
@given(st.from_regex(r"[a-z]{2,4}(-[a-z]{2,9}){1,2}-[0-9]{1,2}\n?", fullmatch=True).filter(lambda r: r not in REGIONS))
def test_a_name_that_only_looks_like_a_region_is_refused(name):
    with pytest.raises(InvalidInput, match="not an AWS region name the AWS provider knows"):
        region("workspace_images.region", name)


@SETTINGS
@given(st.from_regex(r"[a-z][a-z0-9-]{0,30}[a-z0-9]", fullmatch=True), regions)
def test_the_iam_user_name_never_exceeds_iams_limit(cluster, name):
    common = Common(cluster, "gitpod")
    fits = len(user_name_for(cluster, name)) <= IAM_USER_NAME_MAX
    if fits:
        check_fields({"region": name, "bucket": "acme-gitpod"}, "workspace_images", common)
    else:
        with pytest.raises(InvalidInput, match=f"IAM user name .* has at most {IAM_USER_NAME_MAX}"):
            check_fields({"region": name, "bucket": "acme-gitpod"}, "workspace_images", common)


def test_a_region_longer_than_any_today_still_cannot_make_an_iam_user_name_too_long(monkeypatch):
    monkeypatch.setattr("components.aws.partition.known_regions", lambda: frozenset({"ap-southeast-northwest-12"}))
    with pytest.raises(InvalidInput, match="at most 22 characters in ap-southeast-northwest-12"):
        check_fields({"region": "ap-southeast-northwest-12", "bucket": "acme-gitpod"}, "", Common("a" * 23, "gitpod"))


hosts = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?){0,3}", fullmatch=True)


@SETTINGS
@given(hosts, st.integers(1, 65535))
def test_an_s3_compatible_endpoint_is_a_registry_host(host, port):
    assert check_endpoint("workspace_images.endpoint", f"{host}:{port}") == f"{host}:{port}"


@SETTINGS
@given(
    st.one_of(
        st.builds(lambda h, p: f"{h}:{p}", hosts, st.one_of(st.just(0), st.integers(65536, 999999))),
        st.builds(lambda a, b: f"{a}..{b}", hosts, hosts),
        st.builds(lambda h: f"{h}.", hosts),
        st.builds(lambda h: f"-{h}", hosts),
    )
)
def test_an_endpoint_the_host_grammar_refuses_is_refused(endpoint):
    with pytest.raises(InvalidInput):
        check_endpoint("workspace_images.endpoint", endpoint)
