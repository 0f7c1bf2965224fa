"""GCP and Azure locations: a name no location can be is refused; a well-formed name outside the dated,
documented list is warned about (the providers ship no list: pulumi-gcp and pulumi-azure type `location` as a
plain string, and azurerm checks it against Azure's metadata endpoint at run time only).

Generated (hypothesis) from the grammar and from the lists in components/gcp/names.py and
components/azure/names.py, as AWS regions are from pulumi-aws's enum in tests/aws/test_ecr_hosts_and_regions.py.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.azure import names as azure_names
from components.gcp import names as gcp_names
from components.validation import WITHHELD, InvalidInput
from conftest import run, run_invalid

SETTINGS = settings(max_examples=100, deadline=None, derandomize=True)
WS = "gitpod-registry:workspaceImages"
GCP = {"gcp:project": "acme-gitpod", WS: {"backend": "artifact-registry"}}
GCP_REGIONS = sorted(gcp_names.DOCUMENTED_REGIONS)
AZURE_LOCATIONS = sorted(azure_names.DOCUMENTED_LOCATIONS)
TOKEN = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"


def acr(location: object) -> dict:
    return {WS: {"backend": "acr", "resourceGroup": "gitpod", "location": location}}


def test_the_documented_lists_hold_what_the_example_stacks_and_docs_use():
    assert {"europe-west1", "us-central1", "europe-west12", "me-central2"} <= gcp_names.DOCUMENTED_REGIONS
    assert {"westeurope", "eastus2", "westus3", "usgovvirginia", "chinanorth3"} <= azure_names.DOCUMENTED_LOCATIONS
    assert re.fullmatch(r"[0-9]{4}-[0-9]{2}", gcp_names.DOCUMENTED_REGIONS_DATE)
    assert re.fullmatch(r"[0-9]{4}-[0-9]{2}", azure_names.DOCUMENTED_LOCATIONS_DATE)


@SETTINGS
@given(st.sampled_from([*GCP_REGIONS, *gcp_names.MULTI_REGIONS]))
def test_every_documented_gcp_location_is_accepted_without_a_warning(name):
    assert gcp_names.location("workspace_images.location", name, "gitpod") == name
    assert gcp_names.location_warnings("workspace_images.location", name) == ()


@SETTINGS
@given(st.from_regex(r"[a-z]{2,12}-[a-z]{4,9}[1-9][0-9]?", fullmatch=True).filter(lambda r: r not in GCP_REGIONS))
def test_a_well_formed_gcp_region_outside_the_list_is_warned_about_not_refused(name):
    assert gcp_names.location("workspace_images.location", name, "gitpod") == name
    (warning,) = gcp_names.location_warnings("workspace_images.location", name)
    assert warning.path == "workspace_images.location"
    assert f"documented list (of {gcp_names.DOCUMENTED_REGIONS_DATE}" in warning.problem
    hint = re.search(r"did you mean '([^']*)'", warning.problem)
    assert hint is None or hint[1] in gcp_names.DOCUMENTED_REGIONS


@SETTINGS
@given(
    st.one_of(
        st.from_regex(r"[a-z]+-[a-z]+", fullmatch=True),  # no number
        st.from_regex(r"[a-z]+-[a-z]+0[0-9]*", fullmatch=True),  # numbers start at 1
        st.from_regex(r"[a-z]+[0-9]+", fullmatch=True),  # no area
        st.from_regex(r"[a-z]+-[a-z]+[1-9]-[a-z]", fullmatch=True),  # a zone
        st.from_regex(r"[A-Z][a-z]+[ _][A-Za-z]+[1-9]?", fullmatch=True),  # a display name, an underscore
    ).filter(lambda r: r not in gcp_names.MULTI_REGIONS)
)
def test_what_no_gcp_location_can_be_is_refused(name):
    with pytest.raises(InvalidInput, match="is not an Artifact Registry location; use a region such as europe-west1"):
        gcp_names.location("workspace_images.location", name, "gitpod")


@SETTINGS
@given(st.sampled_from(AZURE_LOCATIONS))
def test_every_documented_azure_location_is_accepted_without_a_warning(name):
    assert azure_names.location("workspace_images.location", name) == name
    assert azure_names.location_warnings("workspace_images.location", name) == ()


@SETTINGS
@given(st.from_regex(r"[a-z]{3,20}[0-9]?", fullmatch=True).filter(lambda r: r not in AZURE_LOCATIONS))
def test_a_well_formed_azure_location_outside_the_list_is_warned_about_not_refused(name):
    assert azure_names.location("workspace_images.location", name) == name
    (warning,) = azure_names.location_warnings("workspace_images.location", name)
    assert f"documented list (of {azure_names.DOCUMENTED_LOCATIONS_DATE}" in warning.problem
    hint = re.search(r"did you mean '([^']*)'", warning.problem)
    assert hint is None or hint[1] in azure_names.DOCUMENTED_LOCATIONS


@SETTINGS
@given(
    st.one_of(
        st.from_regex(r"[0-9][a-z0-9]*", fullmatch=True),
        st.from_regex(r"[a-z]+[-_ .][a-z0-9]+", fullmatch=True),
        st.from_regex(r"[a-z]*[A-Z][a-zA-Z0-9]*", fullmatch=True),
        st.from_regex(r"[a-z]{41,60}", fullmatch=True),
    )
)
def test_what_no_azure_location_can_be_is_refused(name):
    with pytest.raises(InvalidInput, match="is not an Azure region name; use the programmatic name"):
        azure_names.location("workspace_images.location", name)


@SETTINGS
@given(st.sampled_from(AZURE_LOCATIONS), st.sampled_from(["upper", "title", "spaced"]))
def test_a_display_name_is_refused_with_the_programmatic_name_it_normalizes_to(name, form):
    given = {"upper": name.upper(), "title": name.title(), "spaced": " ".join(re.findall(r"[a-z]+|[0-9]+", name))}
    given = given[form]
    if given == name:
        return
    with pytest.raises(InvalidInput, match=rf"did you mean '{name}'\?"):
        azure_names.location("workspace_images.location", given)


@pytest.mark.parametrize("token", [TOKEN, "Hunter2!", "eyJhbGciOiJIUzI1NiJ9.e30.abc", "West-Europe:Tr0ub4dor"])
def test_a_refused_location_never_quotes_the_value_or_text_made_from_it(token):
    message = run_invalid(acr(token))
    assert message.startswith(f"invalid configuration: {WS}.location: {WITHHELD} is not an Azure region name")
    assert "did you mean" not in message
    for part in re.findall(r"[A-Za-z0-9]{4,}", token):
        assert part.lower() not in message.lower().replace("westeurope", "").replace("eastus2", ""), part


@SETTINGS
@given(st.from_regex(r"[A-Za-z0-9_.-]{8,60}", fullmatch=True).filter(lambda r: not re.fullmatch("[a-z0-9]+", r)))
def test_the_did_you_mean_hint_only_ever_quotes_a_documented_location(value):
    try:
        azure_names.location("location", value)
    except InvalidInput as refused:
        hint = re.search(r"did you mean '([^']*)'", refused.problem)
        assert hint is None or hint[1] in azure_names.DOCUMENTED_LOCATIONS


def test_the_programs_warnings_name_the_key_the_value_came_from():
    gcp = run("dev", {**GCP, "gcp:region": "europe-west99"})
    (warning,) = [w for w in gcp.warnings if "documented list" in w]
    assert warning.startswith("gcp:region: 'europe-west99' is not an Artifact Registry location")
    assert "did you mean 'europe-west9'?" in warning and "gcloud artifacts locations list" in warning

    azure = run("dev", acr("westeurop"))
    (warning,) = [w for w in azure.warnings if "documented list" in w]
    assert warning.startswith(f"{WS}.location: 'westeurop' is not an Azure region name")
    assert "did you mean 'westeurope'?" in warning

    clean = run("dev", {**GCP, "gcp:region": "europe-west1"})
    assert not [w for w in clean.warnings if "documented list" in w]


DIRECT_PROGRAM = """
from components import AcrWorkspaceImages, GitpodImageRegistries

GitpodImageRegistries(
    "gitpod",
    {
        "cluster_name": "dev",
        "workspace_images": {"backend": "artifact-registry", "project": "acme-gitpod", "location": "asia-x1"},
    },
)
AcrWorkspaceImages(
    "acr", {"cluster_name": "dev", "namespace": "gitpod", "resource_group": "gitpod", "location": "westeurop"}
)
"""


def test_components_used_directly_warn_once_each(tmp_path):
    program = tmp_path / "__main__.py"
    program.write_text(DIRECT_PROGRAM)
    evaluation = run("dev", {}, program=program)
    assert [w for w in evaluation.warnings if "documented list" in w] == [
        w
        for w in evaluation.warnings
        if w.startswith(("workspace_images.location: 'asia-x1'", "location: 'westeurop'"))
    ]
    assert len([w for w in evaluation.warnings if "documented list" in w]) == 2
    assert [w for w in evaluation.warnings if w.startswith("location: 'westeurop' is not an Azure region")]


def test_withheld_is_what_a_credential_shaped_location_shows():
    with pytest.raises(InvalidInput) as refused:
        azure_names.location("location", TOKEN)
    assert WITHHELD in refused.value.problem
