"""What the component package serves: every ComponentResource the package exports in `__all__`.

The provider host and the schema test both use this, so a component added to `__init__.py`
is served to other languages, and checked, without another list to keep in step.
"""

import importlib
import inspect
import json
from typing import Any

import pulumi
from pulumi.errors import InputPropertyError
from pulumi.provider.experimental.analyzer import PropertyDefinition, PropertyType
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.server import ComponentInitError

from .validation import InvalidInput

PACKAGE_NAME = "gitpod-registry"


def exported_components() -> list[type[pulumi.ComponentResource]]:
    package = importlib.import_module(__package__)
    found = [getattr(package, name) for name in package.__all__]
    return [c for c in found if inspect.isclass(c) and issubclass(c, pulumi.ComponentResource)]


def _is_credential(name: str) -> bool:
    return name in ("password", "accessKeyId", "secretAccessKey") or name.endswith("Password")


def mark_secrets(schema: dict[str, Any]) -> dict[str, Any]:
    """Marks every password and secret-key input `secret`, which the SDK's schema inference cannot express.

    Other languages then pass them as secrets, and the engine keeps them encrypted in state.
    """
    for spec in [*schema.get("resources", {}).values(), *schema.get("types", {}).values()]:
        for props in (spec.get("inputProperties", {}), spec.get("properties", {})):
            for name, prop in props.items():
                if _is_credential(name):
                    prop["secret"] = True
    return schema


class PackageProvider(ComponentProvider):
    """The SDK's component provider, handing integer inputs to the components as `int`.

    Other languages send every number as a float (2.0). The SDK (3.272) converts integer
    properties and then overwrites the result with the raw float, so `keyGeneration: 2` from
    TypeScript would be refused as "not a whole number". Whole floats become ints here.
    """

    def map_input_properties(
        self,
        inputs: Any,
        properties: dict[str, PropertyDefinition],
        mapping: dict[str, str],
        component_name: str,
        property_path: str,
    ) -> dict[str, Any]:
        mapped = super().map_input_properties(inputs, properties, mapping, component_name, property_path)
        for schema_name, prop in properties.items():
            value = mapped.get(mapping[schema_name])
            if prop.type == PropertyType.INTEGER and isinstance(value, float) and value.is_integer():
                mapped[mapping[schema_name]] = int(value)
        return mapped

    def construct(self, name: str, resource_type: str, inputs: Any, options: Any = None) -> Any:
        """A refused input becomes the engine's input error on that property, in the caller's spelling
        (`workspaceImages.url`), instead of an "Unexpected <class 'Exception'>" with a traceback."""
        try:
            return super().construct(name, resource_type, inputs, options)
        except ComponentInitError as error:
            if isinstance(error.inner, InvalidInput):
                raise InputPropertyError(error.inner.where("schema"), error.inner.problem_in("schema")) from None
            raise


def provider(version: str = "0.0.0") -> PackageProvider:
    served = PackageProvider(exported_components(), PACKAGE_NAME, version=version)
    served.schema = json.dumps(mark_secrets(json.loads(served.schema or "{}")))
    return served
