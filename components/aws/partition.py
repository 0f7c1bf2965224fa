"""AWS partitions: the ARN prefix and S3 endpoint that belong to a region.

Derived from the region name in plain Python, so ARNs and endpoints are known
before any resource exists and stay identical from run to run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..validation import InvalidInput, describe, require_type

_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")


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


def region(field: str, value: object) -> str:
    """Validates an AWS region name such as eu-west-1."""
    if value is None or value == "":
        raise InvalidInput(field, "required for the s3 backend; set it to the bucket's AWS region, e.g. eu-west-1")
    value = require_type(field, value, str, "an AWS region name such as eu-west-1")
    if not _REGION.fullmatch(value):
        raise InvalidInput(field, f"{describe(value)} is not an AWS region name; expected something like eu-west-1")
    return value


def partition_of(region_name: str) -> Partition:
    for prefix, partition in _PARTITIONS_BY_PREFIX:
        if region_name.startswith(prefix):
            return partition
    return COMMERCIAL
