"""Azure names: resource groups, locations, container registry names, and the default registry name.

Checked in plain Python, so a name Azure would reject stops the program before any resource
exists. A registry name is global across Azure (it becomes `<name>.azurecr.io`), so the default
one carries a hash of the subscription, the resource group and the cluster.
"""

from __future__ import annotations

import hashlib
import re

from .. import validation
from ..validation import InvalidInput

REGISTRY_DOMAIN = "azurecr.io"
REGISTRY_NAME_MIN, REGISTRY_NAME_MAX = 5, 50
DEFAULT_REGISTRY_PREFIX = "gitpod"
DEFAULT_REGISTRY_HASH_LENGTH = 8
SKUS = ("Basic", "Standard", "Premium")
# Letters (any script), digits, '_', '(', ')', '-' and '.', not ending in '.' (Azure's rule).
_RESOURCE_GROUP = re.compile(r"[-\w.()]{0,89}[-\w()]")
_LOCATION = re.compile(r"[a-z][a-z0-9]*")
_REGISTRY_NAME = re.compile(rf"[a-zA-Z0-9]{{{REGISTRY_NAME_MIN},{REGISTRY_NAME_MAX}}}")


def resource_group(field: str, value: object) -> str:
    if value is None or value == "":
        raise InvalidInput(field, "required; the name of an existing resource group")
    value = validation.require_type(field, value, str, "a resource group name such as gitpod")
    if not _RESOURCE_GROUP.fullmatch(value):
        raise InvalidInput(
            field,
            f"{validation.describe(value)} is not a resource group name; use 1-90 letters, digits, '_', '-', "
            "'.', '(' and ')', not ending in '.'",
        )
    return value


def location(field: str, value: object) -> str:
    value = validation.require_type(field, value, str, "an Azure region name such as westeurope")
    if not _LOCATION.fullmatch(value):
        hint = re.sub(r"[^a-z0-9]", "", value.lower())
        suggestion = f"; did you mean {hint!r}?" if hint and _LOCATION.fullmatch(hint) else ""
        raise InvalidInput(
            field,
            f"{validation.describe(value)} is not an Azure region name; use the programmatic name in lowercase "
            f"letters and digits, e.g. westeurope or eastus2{suggestion}",
        )
    return value


def registry_name(field: str, value: object) -> str:
    value = validation.require_type(field, value, str, "a container registry name such as gitpodprod")
    if not _REGISTRY_NAME.fullmatch(value):
        raise InvalidInput(
            field,
            f"{validation.describe(value)} is not a container registry name; use {REGISTRY_NAME_MIN}-"
            f"{REGISTRY_NAME_MAX} letters and digits, nothing else (it becomes <name>.{REGISTRY_DOMAIN})",
        )
    return value


def default_registry_name(cluster_name: str, resource_group_id: str) -> str:
    """`gitpod<cluster without dashes><hash>`: the same for one cluster in one resource group, every run.

    Two clusters differ in the readable part and the hash; the same cluster name in another
    subscription or resource group (another team trying the same example) differs in the hash.
    Resource group ids are case-insensitive in Azure, so the hash reads them in lowercase.
    """
    digest = hashlib.sha256(f"{resource_group_id.lower()}|{cluster_name}".encode()).hexdigest()
    return f"{DEFAULT_REGISTRY_PREFIX}{cluster_name.replace('-', '')}{digest[:DEFAULT_REGISTRY_HASH_LENGTH]}"


def default_registry_name_pattern(cluster_name: str) -> re.Pattern[str]:
    """Every host `default_registry_name` can give `cluster_name`, whatever the subscription."""
    readable = re.escape(f"{DEFAULT_REGISTRY_PREFIX}{cluster_name.replace('-', '')}")
    return re.compile(rf"{readable}[0-9a-f]{{{DEFAULT_REGISTRY_HASH_LENGTH}}}\.{re.escape(REGISTRY_DOMAIN)}")


def registry_host(name: str) -> str:
    """The login server of a registry in Azure's public cloud: the bare host Docker logs in to."""
    return f"{name.lower()}.{REGISTRY_DOMAIN}"
