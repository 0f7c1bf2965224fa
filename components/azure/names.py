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
# ASCII letters and digits, '_', '(', ')', '-' and '.', not ending in '.': the rule pulumi-azure applies before
# Azure sees the name (terraform-provider-azurerm's ValidateResourceGroupName, `^[-\w._()]+$` at most 90 long,
# under Go's regexp, whose \w is [0-9A-Za-z_]). Azure's own API also takes letters of any script (rg-münchen),
# but pulumi-azure refuses them at `pulumi preview`.
_RESOURCE_GROUP = re.compile(r"[-\w.()]{0,89}[-\w()]", re.ASCII)
# Azure's programmatic location names (`az account list-locations`, the `name` column) are lowercase letters
# and digits: westeurope, eastus2, eastus2euap. pulumi-azure (terraform-provider-azurerm) also accepts display
# names ("West Europe") and normalizes them (go-azure-helpers resourcemanager/location/normalize.go: lowercase,
# spaces removed); this program asks for the programmatic name, and suggests it.
_LOCATION = re.compile(r"[a-z][a-z0-9]{1,39}")
# The providers ship no list: pulumi-azure 6.40.1 has no location enum, and azurerm's `location` validation
# (go-azure-helpers resourcemanager/location/validation.go, EnhancedValidate) checks against the list Azure's
# metadata endpoint returns at run time, or only that the value is non-empty when offline. So a well-formed
# name outside this documented list is only warned about.
DOCUMENTED_LOCATIONS_DATE = "2025-06"
"""When DOCUMENTED_LOCATIONS was last compared with `az account list-locations` (Azure public cloud, physical
regions) and the sovereign clouds' documented regions."""
DOCUMENTED_LOCATIONS = frozenset(
    {
        # Azure public cloud
        "australiacentral",
        "australiacentral2",
        "australiaeast",
        "australiasoutheast",
        "brazilsouth",
        "brazilsoutheast",
        "canadacentral",
        "canadaeast",
        "centralindia",
        "centralus",
        "centraluseuap",
        "chilecentral",
        "eastasia",
        "eastus",
        "eastus2",
        "eastus2euap",
        "francecentral",
        "francesouth",
        "germanynorth",
        "germanywestcentral",
        "indonesiacentral",
        "israelcentral",
        "italynorth",
        "japaneast",
        "japanwest",
        "jioindiacentral",
        "jioindiawest",
        "koreacentral",
        "koreasouth",
        "malaysiawest",
        "mexicocentral",
        "newzealandnorth",
        "northcentralus",
        "northeurope",
        "norwayeast",
        "norwaywest",
        "polandcentral",
        "qatarcentral",
        "southafricanorth",
        "southafricawest",
        "southcentralus",
        "southeastasia",
        "southindia",
        "spaincentral",
        "swedencentral",
        "swedensouth",
        "switzerlandnorth",
        "switzerlandwest",
        "uaecentral",
        "uaenorth",
        "uksouth",
        "ukwest",
        "westcentralus",
        "westeurope",
        "westindia",
        "westus",
        "westus2",
        "westus3",
        # Azure Government
        "usdodcentral",
        "usdodeast",
        "usgovarizona",
        "usgovtexas",
        "usgovvirginia",
        # Azure operated by 21Vianet (China)
        "chinaeast",
        "chinaeast2",
        "chinaeast3",
        "chinanorth",
        "chinanorth2",
        "chinanorth3",
    }
)
_REGISTRY_NAME = re.compile(rf"[a-zA-Z0-9]{{{REGISTRY_NAME_MIN},{REGISTRY_NAME_MAX}}}")


def resource_group(field: str, value: object) -> str:
    if value is None or value == "":
        raise InvalidInput(field, "required; the name of an existing resource group")
    value = validation.require_type(field, value, str, "a resource group name such as gitpod")
    if not _RESOURCE_GROUP.fullmatch(value):
        raise InvalidInput(
            field,
            f"{validation.describe(value)} is not a resource group name; use 1-90 ASCII letters and digits, '_', "
            "'-', '.', '(' and ')', not ending in '.'"
            + ("" if value.isascii() else " (pulumi-azure takes ASCII letters and digits only)"),
        )
    return value


def location(field: str, value: object) -> str:
    value = validation.require_type(field, value, str, "an Azure region name such as westeurope")
    if not _LOCATION.fullmatch(value):
        # Quotes a documented name only, never text derived from the value (which may be a pasted token).
        normalized = re.sub(r"[^a-z0-9]", "", value.lower())
        suggestion = f"; did you mean {normalized!r}?" if normalized in DOCUMENTED_LOCATIONS else ""
        raise InvalidInput(
            field,
            f"{validation.describe(value)} is not an Azure region name; use the programmatic name, 2-40 lowercase "
            f"letters and digits starting with a letter, e.g. westeurope or eastus2{suggestion}",
        )
    return value


def location_warnings(field: str, location: str | None) -> tuple[InvalidInput, ...]:
    """A well-formed location outside the documented list: a typo (westeurop), or a region newer than the list."""
    if location is None or location in DOCUMENTED_LOCATIONS:
        return ()
    return (
        validation.undocumented(
            field,
            location,
            "an Azure region name",
            DOCUMENTED_LOCATIONS,
            DOCUMENTED_LOCATIONS_DATE,
            "az account list-locations --query [].name",
        ),
    )


def registry_name(field: str, value: object) -> str:
    return validation.matching(
        field,
        value,
        _REGISTRY_NAME,
        "a container registry name such as gitpodprod",
        "a container registry name",
        f"use {REGISTRY_NAME_MIN}-{REGISTRY_NAME_MAX} letters and digits, nothing else (it becomes <name>."
        f"{REGISTRY_DOMAIN})",
    )


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
