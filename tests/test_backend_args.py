"""Each backend's inputs are declared once (components/fields.py); its component's Args TypedDict, the package
schema, the generic check and the config docs all follow that declaration."""

from __future__ import annotations

import inspect
import typing
from dataclasses import replace

import pulumi
import pytest

from components.config_spec import SPEC
from components.fields import Field
from components.package import credential_inputs, exported_components
from components.registries_args import INPUTS
from components.validation import InvalidInput
from components.workspace_images import BACKENDS
from components.workspace_images.backend import Common, check_common
from offline import backend_args, config_docs, docs

TARGETS = backend_args.targets()


@pytest.fixture(scope="module")
def schema() -> dict:
    return docs.package_schema()


@pytest.mark.parametrize("backend", BACKENDS.values(), ids=lambda b: b.name)
def test_every_backend_with_a_component_declares_its_inputs(backend):
    """So no component's Args are written by hand; a backend whose build registers nothing has no inputs."""
    component = isinstance(backend.build, type) and issubclass(backend.build, pulumi.ComponentResource)
    assert bool(backend.inputs) == component, backend.name


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_each_generated_args_type_is_current(target):
    source = target.file.read_text()
    assert backend_args.render(source, target) == source, f"{target.file} is stale: run `python -m offline.docs`"


@pytest.mark.parametrize("backend", [b for b in BACKENDS.values() if b.inputs], ids=lambda b: b.name)
def test_the_schema_is_the_declaration(backend, schema):
    """What other languages see: each declared input, required as declared, described by its docstring."""
    component = schema["resources"][f"gitpod-registry:index:{backend.build.__name__}"]
    properties = component["inputProperties"]
    assert list(properties) == [f.key for f in backend.inputs]
    assert set(component.get("requiredInputs", [])) == {f.key for f in backend.inputs if f.required}
    for field in backend.inputs:
        assert " ".join(properties[field.key]["description"].split()) == field.docstring(), field.name
    # The config fields are among the component's inputs, declared by the same objects.
    assert all(any(f is i for i in backend.inputs) for f in backend.fields)


def _changed_sku() -> tuple[Field, tuple[Field, ...]]:
    acr = BACKENDS["acr"]
    sku = next(f for f in acr.inputs if f.name == "sku")
    changed = replace(sku, default="Premium", allowed=("Standard", "Premium"))
    return changed, tuple(changed if f is sku else f for f in acr.inputs)


def test_a_changed_default_and_allowed_values_reach_the_args_docs():
    changed, inputs = _changed_sku()
    (target,) = [t for t in TARGETS if t.name == "AcrWorkspaceImagesArgs"]
    source = target.file.read_text()
    regenerated = backend_args.render(source, replace(target, inputs=inputs))
    assert regenerated != source  # so the drift test above fails until `python -m offline.docs` runs
    assert " ".join(regenerated.split()).count("One of Standard or Premium. Default Premium.") == 1
    assert "Basic" not in backend_args.render_class(target.name, inputs).split("sku:")[1].split(":")[0]


def test_a_changed_default_and_allowed_values_reach_the_generic_check():
    changed, _ = _changed_sku()
    assert changed.checked("workspace_images.sku", None) == "Premium"
    with pytest.raises(
        InvalidInput, match=r"^workspace_images.sku: 'Basic' is not allowed; allowed values: Standard, "
    ):
        changed.checked("workspace_images.sku", "Basic")


def test_a_changed_default_and_allowed_values_reach_the_config_docs(schema):
    changed, _ = _changed_sku()
    assert config_docs._default(changed) == "`Premium`"
    unchanged = next(f for f in BACKENDS["acr"].fields if f.name == "sku")
    row = next(line for line in config_docs.tables(schema).splitlines() if line.startswith("| `sku` |"))
    assert row.startswith(f"| `sku` | string | {config_docs._default(unchanged)} | ")
    assert unchanged.docstring() in row


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            Field("n", "integer", minimum=2, maximum=9, bounds_why=" (why)"),
            1,
            r"^n: expected a whole number from 2 to 9 \(why\), got 1$",
        ),
        (Field("n", "integer"), True, r"^n: expected a whole number from 1 to 2147483647, got true$"),
        (Field("n", "boolean"), "yes", r"^n: expected true or false, got 'yes'$"),
        (Field("n", "string", required=True, description="The name."), None, r"^n: required for x; the name\.$"),
        (Field("n", "string", required=True, description="The name."), "", r"^n: required for x; the name\.$"),
        (Field("n", "string", required=True, description="AWS region."), None, r"^n: required for x; AWS region\.$"),
        (Field("n", "string", allowed=("a", "b")), "c", r"^n: 'c' is not allowed; allowed values: a, b$"),
    ],
)
def test_the_generic_check_refuses_naming_the_input_and_what_is_allowed(field, value, message):
    with pytest.raises(InvalidInput, match=message):
        field.checked("n", value, "x")


def test_the_generic_check_fills_defaults_and_runs_the_input_s_own_rule():
    seen = []
    field = Field("n", "string", default="d", check=lambda path, value: seen.append((path, value)) or value.upper())
    assert field.checked("p.n", None) == "d" and seen == []  # a default is the declaration's own, not checked again
    assert field.checked("p.n", "v") == "V" and seen == [("p.n", "v")]


def test_the_generated_type_is_a_typeddict_the_sdk_reads():
    for backend in (b for b in BACKENDS.values() if b.inputs):
        args = typing.get_type_hints(backend.build.__init__)["args"]
        assert typing.is_typeddict(args)
        assert args.__required_keys__ == {f.name for f in backend.inputs if f.required}


def test_every_secret_is_declared_once_by_a_field_the_args_are_generated_from():
    """A hand-written PasswordInput would be a second declaration of secrecy: every secret input the components'
    Args carry is a generated type's `secret` field, or the composite's workspace_images field made from one."""
    assert {"RegistryCredential", "AirGapArgs", "ComponentImagesArgs"} <= {t.name for t in TARGETS}
    # The schema names a component's own inputs by the component, a nested type's by the type.
    owner = {inspect.get_annotations(c.__init__)["args"].__name__: c.__name__ for c in exported_components()}
    generated = {(owner.get(t.name, t.name), f.key) for t in TARGETS for f in t.inputs if f.secret}
    workspace = {("WorkspaceImagesArgs", f.key) for b in BACKENDS.values() for f in b.fields if f.secret}
    assert credential_inputs(exported_components()) == generated | workspace


def test_every_args_type_is_generated_from_its_declaration():
    """No input is written by hand: each TypedDict the components' Args reach is generated from its fields, here
    (offline/backend_args.py) or, for the composite's workspace_images, in config_args.py (offline/workspace_args.py)."""
    reached: dict[str, type] = {}
    for component in exported_components():
        backend_args._typed_dicts(inspect.get_annotations(component.__init__)["args"], reached)
    assert set(reached) - {t.name for t in TARGETS} == {"WorkspaceImagesArgs"}


def test_protect_data_has_one_default():
    """Common's default is the only one: the composite's input, the config key, each backend's input and the
    direct components' check all take it from there."""
    declared = [SPEC.field("protect_data"), *(f for f in INPUTS if f.name == "protect_data")]
    declared += [f for b in BACKENDS.values() for f in b.inputs if f.name == "protect_data"]
    assert len(declared) > 2 and {f.default for f in declared} == {Common.protect_data}
    assert check_common({"cluster_name": "c", "namespace": "gitpod"}).protect_data is Common.protect_data


def test_an_either_or_input_reads_as_one():
    """An input given instead of another says so ("Give this or airGap, not both"), not as a default; the other
    is declared beside it."""
    owners = [INPUTS, *(b.inputs for b in BACKENDS.values())]
    pairs = [(f, owner) for owner in owners for f in owner if f.alternative_to]
    assert pairs
    for field, owner in pairs:
        assert field.alternative_to in {f.key for f in owner}, field.name
        assert field.docstring().endswith(f" Give this or {field.alternative_to}, not both."), field.name
    assert not [f.name for t in TARGETS for f in t.inputs if "Default: required" in f.docstring()]
