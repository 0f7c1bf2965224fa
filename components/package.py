"""What the component package serves: every ComponentResource the package exports in `__all__`.

The provider host and the schema test both use this, so a component added to `__init__.py`
is served to other languages, and checked, without another list to keep in step.
"""

import importlib
import inspect

import pulumi

PACKAGE_NAME = "gitpod-registry"


def exported_components() -> list[type[pulumi.ComponentResource]]:
    package = importlib.import_module(__package__)
    found = [getattr(package, name) for name in package.__all__]
    return [c for c in found if inspect.isclass(c) and issubclass(c, pulumi.ComponentResource)]
