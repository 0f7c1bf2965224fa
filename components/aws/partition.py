"""AWS partitions: the ARN prefix and S3 endpoint that belong to a region.

Derived from the region name in plain Python, so ARNs and endpoints are known
before any resource exists and stay identical from run to run.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..validation import InvalidInput, describe, require_type


@dataclass(frozen=True)
class Partition:
    name: str
    """ARN partition, e.g. aws, aws-cn, aws-us-gov."""
    dns_suffix: str
    """Domain of the partition's service endpoints, e.g. amazonaws.com."""

    def arn(self, service: str, resource: str, region: str = "", account: str = "") -> str:
        return f"arn:{self.name}:{service}:{region}:{account}:{resource}"

    def s3_endpoint(self, region: str) -> str:
        # The region must be in the host: s3.amazonaws.com only serves us-east-1 (gitpod #10790).
        return f"s3.{region}.{self.dns_suffix}"


# Ordered so the longest region prefix wins (us-isob- before us-iso-).
_PARTITIONS_BY_PREFIX: tuple[tuple[str, Partition], ...] = (
    ("cn-", Partition("aws-cn", "amazonaws.com.cn")),
    ("us-gov-", Partition("aws-us-gov", "amazonaws.com")),
    ("us-isob-", Partition("aws-iso-b", "sc2s.sgov.gov")),
    ("us-isof-", Partition("aws-iso-f", "csp.hci.ic.gov")),
    ("us-iso-", Partition("aws-iso", "c2s.ic.gov")),
    ("eu-isoe-", Partition("aws-iso-e", "cloud.adc-e.uk")),
    ("eusc-", Partition("aws-eusc", "amazonaws.eu")),
)
COMMERCIAL = Partition("aws", "amazonaws.com")
PARTITIONS = (COMMERCIAL, *(partition for _, partition in _PARTITIONS_BY_PREFIX))


def known_regions() -> frozenset[str]:
    """The regions the AWS provider itself knows (pulumi-aws's `Region` enum, every partition's)."""
    from pulumi_aws._enums import Region

    return frozenset(r.value for r in Region)


def region(field: str, value: object) -> str:
    """An AWS region the provider knows, such as eu-west-1 or eusc-de-east-1: a name that only looks like one
    (eu-west-9) would fail at the first API call, after the plan was approved."""
    if value is None or value == "":
        raise InvalidInput(field, "required; an AWS region name such as eu-west-1")
    value = require_type(field, value, str, "an AWS region name such as eu-west-1")
    if value not in known_regions():
        raise InvalidInput(
            field,
            f"{describe(value)} is not an AWS region name the AWS provider knows (pulumi-aws's Region list: eu-west-1, "
            "us-gov-west-1, cn-north-1, eusc-de-east-1, ...); a region newer than the installed pulumi-aws needs "
            "a newer pulumi-aws",
        )
    return value


def partition_of(region_name: str) -> Partition:
    for prefix, partition in _PARTITIONS_BY_PREFIX:
        if region_name.startswith(prefix):
            return partition
    return COMMERCIAL
