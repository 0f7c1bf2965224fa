"""The one config spec: it matches the components' arguments, and drives the docs and Pulumi.yaml."""

from __future__ import annotations

import pulumi
import pytest

from components.config_spec import SPEC
from components.fields import Field
from components.stack_config import InvalidConfig, load
from components.workspace_images import BACKENDS
from offline import config_docs, docs

TYPES = {"string": "string", "integer": "integer", "boolean": "boolean", "array": "array", "object": None}


@pytest.fixture(scope="module")
def schema() -> dict:
    return docs.package_schema()


def _properties(schema: dict, field: Field) -> dict:
    token = f"gitpod-registry:index:{field.schema_type}"
    spec = schema["resources"].get(token) or schema["types"][token]
    return spec.get("inputProperties") or spec["properties"]


def _objects(field: Field):
    yield field
    for child in field.fields:
        if child.fields:
            yield from _objects(child)


def test_every_config_key_is_an_argument_of_the_same_type(schema):
    for obj in _objects(SPEC):
        properties = _properties(schema, obj)
        assert {f.key for f in obj.fields} == set(properties), obj.schema_type
        for field in obj.fields:
            expected = TYPES[field.kind]
            if expected:
                assert properties[field.key].get("type") == expected, f"{obj.schema_type}.{field.key}"
            assert bool(properties[field.key].get("secret")) == field.secret, f"{obj.schema_type}.{field.key}"


def test_workspace_images_fields_are_the_backends_fields():
    workspace = SPEC.field("workspace_images")
    for name, backend in BACKENDS.items():
        assert {f.name for f in workspace.fields_for(name)} == {"backend", *(f.name for f in backend.fields)}


def test_configuration_page_is_current(schema):
    page = config_docs.PAGE.read_text()
    assert config_docs.render_page(page, schema) == page, "docs/configuration.md is stale: run `python -m offline.docs`"


def test_pulumi_yaml_declares_the_keys_with_defaults(schema):
    text = config_docs.PROJECT_FILE.read_text()
    assert config_docs.render_project(text, schema) == text, "Pulumi.yaml is stale: run `python -m offline.docs`"
    # A declared key without a default would be required by the CLI, so only these are declared; a provider
    # key may carry only a `value` (pulumi/pulumi sdk/go/common/workspace/project.go, Validate).
    declared = config_docs.project_config(schema)
    assert set(declared) == {"namespace", "protectData", "kubernetes:enableSecretMutable"}
    assert [sorted(spec) for key, spec in declared.items() if ":" in key] == [["description", "value"]]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            {"gitpod-registry:componentImage": "{}"},
            r"gitpod-registry:componentImage: unknown field; did you mean componentImages\?",
        ),
        (
            {"gitpod-registry:clustername": "prod"},
            r"gitpod-registry:clustername: unknown field; did you mean clusterName\?",
        ),
        (
            {"gitpod-registry:workspaceImages": '{"backend": "s3", "keyGenration": 2}'},
            r"gitpod-registry:workspaceImages.keyGenration: unknown field; did you mean keyGeneration\?",
        ),
    ],
)
def test_a_misspelt_key_is_refused_with_the_nearest_known_one(config, expected):
    full = {"aws:region": "eu-west-1", "gitpod-registry:workspaceImages": '{"backend": "s3"}', **config}
    with pytest.raises(InvalidConfig, match=expected):
        load(full, "dev")


def test_provider_config_serves_the_backend_fields_the_stack_leaves_unset():
    checked = load({"aws:region": "eu-west-1", "gitpod-registry:workspaceImages": '{"backend": "s3"}'}, "dev")
    assert checked.backend_args.region == "eu-west-1"
    own = load(
        {"aws:region": "eu-west-1", "gitpod-registry:workspaceImages": '{"backend": "s3", "region": "us-east-2"}'},
        "dev",
    )
    assert own.backend_args.region == "us-east-2"
    with pytest.raises(InvalidConfig, match=r"^aws:region: required for the s3 backend"):
        load({"gitpod-registry:workspaceImages": '{"backend": "s3"}'}, "dev")


def test_the_composites_workspace_images_type_is_generated_from_the_backends(schema):
    """One declaration per input: the flat type other languages see is written from each backend's own fields
    and its component's docstrings, never by hand (offline/workspace_args.py)."""
    from offline import workspace_args

    assert workspace_args.FILE.read_text() == workspace_args.render(schema), (
        "components/workspace_images/config_args.py is stale: run `python -m offline.docs`"
    )
    properties = schema["types"]["gitpod-registry:index:WorkspaceImagesArgs"]["properties"]
    own = schema["resources"]["gitpod-registry:index:S3CompatibleWorkspaceImages"]["inputProperties"]
    assert own["accessKeyId"]["description"] in " ".join(properties["accessKeyId"]["description"].split())


def test_each_backend_field_agrees_with_its_components_declaration(schema):
    """A backend field's kind, whether it is required, its secrecy and its default are those its component's
    argument type declares (annotation, NotRequired, PasswordInput, "Default X" in the docstring)."""
    import inspect
    import typing

    from components.kubernetes.dockerconfig import PasswordInput
    from components.workspace_images import BACKENDS

    # A string another resource may give (an Output, e.g. an OIDC provider's ARN) is a string in config.
    kinds = {str: "string", int: "integer", bool: "boolean", PasswordInput: "string", pulumi.Input[str]: "string"}
    checked = 0
    for backend in BACKENDS.values():
        if not isinstance(backend.build, type):
            assert not backend.fields, f"{backend.name} has fields but no component to declare them"
            continue
        args = inspect.get_annotations(backend.build.__init__)["args"]
        annotations = inspect.get_annotations(args)
        resource = schema["resources"][f"gitpod-registry:index:{backend.build.__name__}"]
        for field in backend.fields:
            where = f"{backend.name}.{field.name}"
            hint = annotations[field.name]
            optional = typing.get_origin(hint) is typing.NotRequired
            (hint,) = typing.get_args(hint) if optional else (hint,)
            assert kinds[hint] == field.kind and (hint == PasswordInput) == field.secret, where
            assert field.required == (not optional) == (field.key in resource.get("requiredInputs", [])), where
            if field.default is not None:
                text = str(field.default).lower() if isinstance(field.default, bool) else str(field.default)
                description = " ".join(resource["inputProperties"][field.key].get("description", "").split())
                assert f"Default {text}" in description, f"{where}: the docstring does not say Default {text}"
            checked += 1
    assert checked >= 25


def test_the_configuration_page_names_keys_as_stack_files_spell_them():
    """docs/configuration.md is written from the components' docstrings: a key named there in Python's spelling
    (air_gap) is one no stack file has (airGap)."""
    import re

    def named(field: Field):
        for child in field.fields:
            if child.name != child.key:
                yield child.name
            yield from named(child)

    page = config_docs.PAGE.read_text()
    found = sorted({name for name in named(SPEC) if re.search(rf"(?<![\w.]){re.escape(name)}\b", page)})
    assert not found, f"docs/configuration.md names {found}: use the config keys (camelCase)"
