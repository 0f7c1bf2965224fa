"""What the component package serves: every ComponentResource the package exports in `__all__`.

The provider host (`provider/__main__.py`) and the schema test both use this, so a component added
to `__init__.py` is served to other languages, and checked, without another list to keep in step.

Other languages reach the components through the engine's Construct call, so this module also
speaks to them in their own terms: numbers arrive as floats, and a refused input must come back
as an input error on the property as the schema spells it (`workspaceImages.backend`), not as a
Python traceback naming `workspace_images`.
"""

import importlib
import inspect
import json
import re
import tomllib
import typing
from importlib import metadata
from pathlib import Path
from typing import Any

import pulumi
from pulumi.provider.experimental.analyzer import PropertyDefinition, PropertyType
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.provider import ConstructResult
from pulumi.provider.server import ComponentInitError

from .kubernetes.dockerconfig import PasswordInput
from .validation import InvalidInput, camel, may_hold_credential

PACKAGE_NAME = "gitpod-registry"

_SNAKE_WORD = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def package_version() -> str:
    """The package's version, which the schema carries: the installed distribution's, or, where the
    source runs from a checkout (`components`, not installed: `package = false`), pyproject.toml's."""
    if __package__ == "gitpod_registry":
        return metadata.version(PACKAGE_NAME)
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    return str(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"])


def exported_components() -> list[type[pulumi.ComponentResource]]:
    package = importlib.import_module(__name__.rpartition(".")[0])
    found = [getattr(package, name) for name in package.__all__]
    return [c for c in found if inspect.isclass(c) and issubclass(c, pulumi.ComponentResource)]


def credential_inputs(components: list[type[pulumi.ComponentResource]]) -> set[tuple[str, str]]:
    """(schema type name, property) of every input declared as a credential, i.e. annotated `PasswordInput`
    in the components' argument types, nested types included: secrecy comes from the declaration, never
    from a property's name."""
    found: set[tuple[str, str]] = set()

    def walk(owner: str, args: Any) -> None:
        # The annotations as written (the Args modules evaluate theirs): NotRequired[X] is X here.
        for name, hint in inspect.get_annotations(args).items():
            if typing.get_origin(hint) in (typing.NotRequired, typing.Required):
                (hint,) = typing.get_args(hint)
            if hint == PasswordInput:
                found.add((owner, camel(name)))
            for inner in (hint, *typing.get_args(hint)):
                if typing.is_typeddict(inner):
                    walk(inner.__name__, inner)

    for component in components:
        walk(component.__name__, inspect.get_annotations(component.__init__)["args"])
    return found


def mark_secrets(schema: dict[str, Any], components: list[type[pulumi.ComponentResource]]) -> dict[str, Any]:
    """Marks every input the components declare as a credential `secret`, which the SDK's schema inference
    cannot express. Other languages then pass them as secrets, and the engine keeps them encrypted in state."""
    secret = credential_inputs(components)
    for section, key in (("resources", "inputProperties"), ("types", "properties")):
        for token, spec in schema.get(section, {}).items():
            for name, prop in spec.get(key, {}).items():
                if (token.rsplit(":", 1)[-1], name) in secret:
                    prop["secret"] = True
    return schema


def _whole_number(path: str, value: Any) -> Any:
    """A number from another language as an int; a fraction or a non-number is the consumer's error.

    Checked here, on the raw input, because the SDK (3.272) truncates with int() and then keeps the
    raw float, so 1.5 would either reach the component as a float or, once that is fixed, as 1.
    """
    if value is None or isinstance(value, (bool, pulumi.Output)):
        return value  # absent, or the component's own check names it (a flag, a value known later)
    if isinstance(value, float):
        if not value.is_integer():
            raise pulumi.InputPropertyError(path, f"expected a whole number, got {value!r}")
        return int(value)
    if not isinstance(value, int):
        kinds: dict[type, str] = {str: "text", dict: "an object", list: "a list"}
        kind = kinds.get(type(value), "another kind of value")
        raise pulumi.InputPropertyError(path, f"expected a whole number, got {kind}")
    return value


def _must_not_be_shown(inputs: Any, path: str) -> bool:
    """Whether the input at a schema path is, or contains, an Output (a secret among them) or a
    string that may hold a credential (validation.may_hold_credential, the rule every message keeps)."""
    value = inputs
    for part in re.findall(r"[^.\[\]]+", path):
        if isinstance(value, pulumi.Output):
            return True
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return False

    def contains(value: Any) -> bool:
        if isinstance(value, pulumi.Output):
            return True
        if isinstance(value, str):
            return may_hold_credential(value)
        if isinstance(value, dict):
            return any(contains(v) for v in value.values())
        return isinstance(value, list) and any(contains(v) for v in value)

    return contains(value)


class PackageProvider(ComponentProvider):
    """The SDK's component provider, with inputs and errors in the consumer's terms.

    - Integer properties: other languages send every number as a float (2.0); whole floats become
      ints, anything else is refused as an input error on that property.
    - An InvalidInput from a component becomes `pulumi.InputPropertyError` on the schema's path,
      which the engine shows against the property instead of "Unexpected <class 'Exception'>" and
      a traceback (`pulumi/provider/server.py`, `Construct`); where that property holds a secret
      or a value that may hold a credential, an `InputPropertiesError` naming the path, so the
      engine has no value to print.
    """

    def map_input_properties(
        self,
        inputs: Any,
        properties: dict[str, PropertyDefinition],
        mapping: dict[str, str],
        component_name: str,
        property_path: str,
    ) -> dict[str, Any]:
        whole: dict[str, Any] = {}
        for schema_name, prop in properties.items():
            if prop.type == PropertyType.INTEGER and isinstance(inputs, dict) and schema_name in inputs:
                path = f"{property_path}.{schema_name}" if property_path else schema_name
                whole[mapping[schema_name]] = _whole_number(path, inputs[schema_name])
        mapped = dict(super().map_input_properties(inputs, properties, mapping, component_name, property_path))
        mapped.update({name: value for name, value in whole.items() if name in mapped})
        return mapped

    def construct(
        self,
        name: str,
        resource_type: str,
        inputs: Any,
        options: pulumi.ResourceOptions | None = None,
    ) -> ConstructResult:
        try:
            return super().construct(name, resource_type, inputs, options)
        except ComponentInitError as error:
            if not isinstance(error.inner, InvalidInput):
                raise
            component = resource_type.rsplit(":", 1)[-1]
            path = error.inner.where("schema")
            problem = self.in_schema_words(component, error.inner.problem_in("schema"))
            if _must_not_be_shown(inputs, path):
                # The engine prints the value at an input error's path, secrets in plain text
                # (pkg/resource/deploy/source_eval.go, errorToMessage: "with value '%v'"), so a property
                # holding a secret, an output or a string that may hold a credential is named in the
                # message instead (an empty error list: the SDK needs one to send the status).
                raise pulumi.InputPropertiesError(f"{path}: {problem}", []) from None
            raise pulumi.InputPropertyError(path, problem) from None

    def _properties_of(self, prop: PropertyDefinition | None) -> tuple[dict[str, PropertyDefinition], dict[str, str]]:
        """The properties (and their Python names) inside an object-typed property, if it is one."""
        if prop is not None and prop.ref:
            type_def = self.get_type_definition(prop)
            if type_def is not None:
                return type_def.properties, type_def.properties_mapping
        return {}, {}

    def in_schema_words(self, component: str, problem: str) -> str:
        """The problem text with any argument named in Python (air_gap) named as in the schema (airGap)."""
        names: dict[str, str] = {}

        def collect(properties: dict[str, PropertyDefinition], mapping: dict[str, str]) -> None:
            for schema_name, prop in properties.items():
                names[mapping[schema_name]] = schema_name
                nested = prop.items if prop.items is not None and prop.items.ref else prop
                if nested.ref and nested.ref.split(":")[-1] not in seen:
                    seen.add(nested.ref.split(":")[-1])
                    collect(*self._properties_of(nested))

        seen: set[str] = set()
        definition = self._component_defs[component]
        collect(definition.inputs, definition.inputs_mapping)
        return _SNAKE_WORD.sub(lambda word: names.get(word.group(0), word.group(0)), problem)


def provider(version: str | None = None) -> PackageProvider:
    served = PackageProvider(exported_components(), PACKAGE_NAME, version=version or package_version())
    served.schema = json.dumps(mark_secrets(json.loads(served.schema or "{}"), exported_components()))
    return served
