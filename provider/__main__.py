"""The component provider: serves the components to TypeScript, Go, C#, Java and YAML programs.

The Pulumi CLI starts this when a program uses the package (`pulumi package add <repo>`); the SDK
infers the schema from the components' type annotations and docstrings.
"""

import sys
from pathlib import Path

# Started as `python provider`, so the repository root (where components/ lives) is not on the path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi.provider.experimental import component_provider_host  # noqa: E402

from components.package import PACKAGE_NAME, exported_components  # noqa: E402

if __name__ == "__main__":
    component_provider_host(name=PACKAGE_NAME, components=exported_components())
