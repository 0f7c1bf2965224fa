"""The roles, the custom CA, ESO and the composite check their inputs through their declared fields
(components/fields.py `checked_values`): what a declaration says is what the check enforces."""

from dataclasses import replace

import pytest

from components import registries_args
from components.kubernetes import custom_ca, external_secrets_operator
from components.roles import air_gap, base_images, component_images
from components.validation import InvalidInput, at

_AIR_GAP = {"registry": "registry.example.com/gitpod", "username": "robot", "password": "secret"}

# (path, declared fields, arguments valid but for the one left out, the check that reads them)
CHECKS = {
    "air gap": (
        "air_gap",
        air_gap.FIELDS,
        _AIR_GAP,
        lambda a: registries_args.check_args({"cluster_name": "c", "air_gap": a}),
    ),
    "custom CA": ("custom_ca_cert", custom_ca.FIELDS, {}, lambda a: custom_ca.check_custom_ca(a, "custom_ca_cert")),
    "ComponentImages": ("", component_images.INPUTS, {"namespace": "gitpod"}, component_images.check_args),
    "GitpodImageRegistries": (
        "",
        registries_args.INPUTS,
        {"cluster_name": "c", "air_gap": _AIR_GAP},
        registries_args.check_args,
    ),
}


@pytest.mark.parametrize(
    ("path", "field", "valid", "check"),
    [
        pytest.param(path, f, valid, check, id=f"{owner}: {f.name}")
        for owner, (path, fields, valid, check) in CHECKS.items()
        for f in fields
        if f.required
    ],
)
def test_a_required_input_is_refused_as_declared(path, field, valid, check):
    given = {name: value for name, value in valid.items() if name != field.name}
    with pytest.raises(InvalidInput) as refused:
        check(given)
    message = str(refused.value)
    assert message.startswith(f"{at(path, field.name)}: required; "), message
    # A secret's refusal says how to set one; any other input's says what it is, in its declared words.
    expected = "pulumi config set --secret" if field.secret else field.description[1:40]
    assert expected in message, message


def test_a_declared_default_is_the_checked_value(monkeypatch):
    """Changing a default in the declaration changes what the checks fill in, with no other edit."""
    namespace = next(f for f in external_secrets_operator.FIELDS if f.name == "namespace")
    monkeypatch.setattr(
        external_secrets_operator,
        "FIELDS",
        tuple(replace(f, default="eso") if f is namespace else f for f in external_secrets_operator.FIELDS),
    )
    checked = external_secrets_operator.check_eso({"install": True}, "eso", "gitpod", (), "ecr")
    assert checked is not None and checked.namespace == "eso"
    monkeypatch.setattr(
        component_images,
        "INPUTS",
        tuple(replace(f, default="pulls") if f.name == "secret_name" else f for f in component_images.INPUTS),
    )
    assert component_images.check_args({"namespace": "gitpod"}).secret_name == "pulls"
    monkeypatch.setattr(
        base_images,
        "FIELDS",
        tuple(replace(f, default="ubuntu:24.04") if f.name == "workspace_image" else f for f in base_images.FIELDS),
    )
    assert base_images.check_fields({}, "base_images").workspace_image == "ubuntu:24.04"
