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
_PROJECT = re.compile(r"^([a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$")
_REGION = re.compile(r"^[a-z]+-[a-z]+\d+$")
_REPOSITORY = re.compile(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
_SERVICE_ACCOUNT = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9.-]*[a-z0-9]\.iam\.gserviceaccount\.com$")


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
        raise InvalidInput(field, "required for the artifact-registry backend; set it to the Google Cloud project ID")
    validation.require_type(field, value, str, "a Google Cloud project ID such as my-project")
    if not _PROJECT.match(value):
        raise InvalidInput(
            field,
            f"{validation.describe(value)} is not a Google Cloud project ID; use 6-30 lowercase letters, digits "
            "and '-', starting with a letter and not ending with '-' (optionally domain-scoped, example.com:my-project)",
        )
    return value


def repository_id(field: str, value: object) -> str:
    validation.require_type(field, value, str, "an Artifact Registry repository id such as gitpod")
    if not is_gcr_domain(value) and not _REPOSITORY.match(value):
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
            "required for the artifact-registry backend; give the repository's location, a region such as "
            f"europe-west1 or a multi-region ({', '.join(MULTI_REGIONS)})",
        )
    validation.require_type(field, value, str, "an Artifact Registry location such as europe-west1")
    if value not in MULTI_REGIONS and not _REGION.match(value):
        raise InvalidInput(
            field,
            f"{validation.describe(value)} is not an Artifact Registry location; use a region such as "
            f"europe-west1 or a multi-region ({', '.join(MULTI_REGIONS)})",
        )
    return value


def service_account_email(field: str, value: object) -> str:
    validation.require_type(field, value, str, "a service account email")
    if not _SERVICE_ACCOUNT.match(value):
        raise InvalidInput(
            field,
            f"{validation.describe(value)} is not a user-managed service account email; expected "
            "NAME@PROJECT.iam.gserviceaccount.com (NAME 6-30 lowercase letters, digits and '-')",
        )
    return value
