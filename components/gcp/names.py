"""Google Cloud names: project IDs, Artifact Registry locations, repository ids, service account emails.

Checked in plain Python, so a name Google would reject stops the program before any
resource exists, and the registry URL and host are known before anything is created.
"""

from __future__ import annotations

import re

from .. import validation
from ..validation import InvalidInput

# Artifact Registry serves the gcr.io hosts only from repositories of these names, in these multi-regions.
GCR_DOMAIN_LOCATIONS = {"gcr.io": "us", "us.gcr.io": "us", "eu.gcr.io": "europe", "asia.gcr.io": "asia"}
MULTI_REGIONS = ("us", "europe", "asia")
_PROJECT = re.compile(r"([a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]")
# Every Google Cloud region is CONTINENT-AREA<n> (us-central1, northamerica-northeast2, europe-west12): what
# does not match can be no location; a zone (us-central1-a) is the commonest mistake.
_REGION = re.compile(r"[a-z]+-[a-z]+[1-9][0-9]*")
_ZONE = re.compile(r"([a-z]+-[a-z]+[1-9][0-9]*)-[a-z]")
# The providers ship no list of locations: pulumi-gcp 10.2.0 has no region enum (its schema types `location`
# as a plain string) and terraform-provider-google checks none; Artifact Registry answers
# `gcloud artifacts locations list` per project, at run time. So a well-formed name outside this documented
# list is only warned about: a region Google opened after the list's date is still a region.
DOCUMENTED_REGIONS_DATE = "2025-06"
"""When DOCUMENTED_REGIONS was last compared with Google Cloud's "Artifact Registry locations" and
"Regions and zones" pages."""
DOCUMENTED_REGIONS = frozenset(
    {
        "africa-south1",
        "asia-east1",
        "asia-east2",
        "asia-northeast1",
        "asia-northeast2",
        "asia-northeast3",
        "asia-south1",
        "asia-south2",
        "asia-southeast1",
        "asia-southeast2",
        "australia-southeast1",
        "australia-southeast2",
        "europe-central2",
        "europe-north1",
        "europe-north2",
        "europe-southwest1",
        "europe-west1",
        "europe-west2",
        "europe-west3",
        "europe-west4",
        "europe-west6",
        "europe-west8",
        "europe-west9",
        "europe-west10",
        "europe-west12",
        "me-central1",
        "me-central2",
        "me-west1",
        "northamerica-northeast1",
        "northamerica-northeast2",
        "northamerica-south1",
        "southamerica-east1",
        "southamerica-west1",
        "us-central1",
        "us-east1",
        "us-east4",
        "us-east5",
        "us-south1",
        "us-west1",
        "us-west2",
        "us-west3",
        "us-west4",
    }
)
_REPOSITORY = re.compile(r"[a-z]([a-z0-9-]{0,61}[a-z0-9])?")
_SERVICE_ACCOUNT = re.compile(r"([a-z][a-z0-9-]{4,28}[a-z0-9])@([a-z][a-z0-9.-]*[a-z0-9])\.iam\.gserviceaccount\.com")
# Resource Manager, "Creating and managing projects": project IDs "cannot contain restricted strings,
# such as google and ssl".
RESTRICTED_PROJECT_STRINGS = ("google", "ssl")
# IAM, "Service agents": Google-managed service agents are service-PROJECT_NUMBER@<service domain>,
# most under gcp-sa-*.iam.gserviceaccount.com. Google holds their keys; no key can be made for them.
_SERVICE_AGENT_NAME = re.compile(r"service-[0-9]+")


def is_region(text: str) -> bool:
    return _REGION.fullmatch(text) is not None


def is_zone(text: str) -> bool:
    return _ZONE.fullmatch(text) is not None


def is_gcr_domain(repository: object) -> bool:
    return isinstance(repository, str) and repository in GCR_DOMAIN_LOCATIONS


def registry_host_of(location: str, repository: str) -> str:
    """The bare host Docker logs in to: LOCATION-docker.pkg.dev, or the gcr.io host itself."""
    return repository if is_gcr_domain(repository) else f"{location}-docker.pkg.dev"


def registry_url(project: str, location: str, repository: str) -> str:
    # Domain-scoped project IDs (example.com:proj) appear in image names with '/' for ':'.
    path = project.replace(":", "/")
    if is_gcr_domain(repository):
        return f"{repository}/{path}"
    return f"{location}-docker.pkg.dev/{path}/{repository}"


def project_id(field: str, value: object) -> str:
    if value is None or value == "":
        raise InvalidInput(field, "required; a Google Cloud project ID such as my-project")
    value = validation.matching(
        field,
        value,
        _PROJECT,
        "a Google Cloud project ID such as my-project",
        "a Google Cloud project ID",
        "use 6-30 lowercase letters, digits and '-', starting with a letter and not ending with '-' (optionally "
        "domain-scoped, example.com:my-project)",
    )
    restricted = [word for word in RESTRICTED_PROJECT_STRINGS if word in value.rpartition(":")[2]]
    if restricted:
        raise InvalidInput(
            field,
            f"{validation.describe(value)} is not a Google Cloud project ID: project IDs cannot contain "
            f"{' or '.join(repr(word) for word in restricted)}",
        )
    return value


def repository_id(field: str, value: object) -> str:
    value = validation.require_type(field, value, str, "an Artifact Registry repository id such as gitpod")
    if not is_gcr_domain(value) and not _REPOSITORY.fullmatch(value):
        raise InvalidInput(
            field,
            f"{validation.describe(value)} is not an Artifact Registry repository id; use 1-63 lowercase letters, "
            "digits and '-', starting with a letter and ending with a letter or digit, or one of the gcr.io-domain "
            f"names {', '.join(GCR_DOMAIN_LOCATIONS)}",
        )
    return value


def location(field: str, value: object, repository: str) -> str:
    if is_gcr_domain(repository):
        expected = GCR_DOMAIN_LOCATIONS[repository]
        if value is not None and value != expected:
            raise InvalidInput(
                field, f"{validation.describe(value)} cannot hold repository {repository!r}; it lives in {expected!r}"
            )
        return expected
    if value is None or value == "":
        raise InvalidInput(
            field,
            "required; the repository's location, a region such as "
            f"europe-west1 or a multi-region ({', '.join(MULTI_REGIONS)})",
        )
    value = validation.require_type(field, value, str, "an Artifact Registry location such as europe-west1")
    if value not in MULTI_REGIONS and not _REGION.fullmatch(value):
        zone = _ZONE.fullmatch(value)
        # Only a documented region is quoted back: never text derived from what was given.
        hint = f"; {zone[1]!r} is the region of that zone" if zone and zone[1] in DOCUMENTED_REGIONS else ""
        raise InvalidInput(
            field,
            f"{validation.describe(value)} is not an Artifact Registry location; use a region such as "
            f"europe-west1 or a multi-region ({', '.join(MULTI_REGIONS)}){hint}",
        )
    return value


def location_warnings(field: str, location: str) -> tuple[InvalidInput, ...]:
    """A well-formed region outside the documented list: a typo (europe-west99), or a region newer than the list.

    Returned, not raised: `pulumi up` is the judge of a region newer than DOCUMENTED_REGIONS_DATE."""
    if location in MULTI_REGIONS or location in DOCUMENTED_REGIONS:
        return ()
    return (
        validation.undocumented(
            field,
            location,
            "an Artifact Registry location",
            DOCUMENTED_REGIONS,
            DOCUMENTED_REGIONS_DATE,
            "gcloud artifacts locations list",
        ),
    )


def service_account_email(field: str, value: object) -> str:
    """A user-managed service account (NAME@PROJECT.iam.gserviceaccount.com): one a key can be made for."""
    value = validation.require_type(field, value, str, "a service account email")
    expected = (
        "expected NAME@PROJECT.iam.gserviceaccount.com (NAME 6-30 lowercase letters, digits and '-'), "
        "a service account you created"
    )
    match = _SERVICE_ACCOUNT.fullmatch(value)
    # Shown only by its domain: the part before '@' may be anything, a token pasted as a login included.
    domain = value.rpartition("@")[2] if "@" in value else None
    shown = f"an address at {validation.describe(domain)}" if domain else validation.describe(value)
    if match is None:
        raise InvalidInput(field, f"{shown} is not a user-managed service account email; {expected}")
    name, project = match.groups()
    if _SERVICE_AGENT_NAME.fullmatch(name) or project.startswith("gcp-sa-"):
        raise InvalidInput(
            field,
            f"{shown} is a Google-managed service agent: Google holds its keys, and none can be created for it; "
            f"{expected}",
        )
    # A domain-scoped project example.com:my-project has accounts at my-project.example.com.iam....
    own_id, _, domain = project.partition(".")
    try:
        project_id(field, f"{domain}:{own_id}" if domain else own_id)
    except InvalidInput:
        raise InvalidInput(
            field, f"{shown} is not in a Google Cloud project's domain, so it is not a user-managed account; {expected}"
        ) from None
    return value
