"""The component provider: serves the components to TypeScript, Go, C#, Java and YAML programs.

The Pulumi CLI starts this when a program uses the package (`pulumi package add <repo>`); the SDK
infers the schema from the components' type annotations and docstrings. This is what
`component_provider_host` does, with the provider from `components.package`, which repairs
integer inputs (see `PackageProvider`).
"""

import sys
from pathlib import Path

# Started as `python provider`, so the repository root (where components/ lives) is not on the path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi.provider import main  # noqa: E402

from components.package import provider  # noqa: E402

if __name__ == "__main__":
    # The first argument is the plugin's directory; the engine address and flags follow.
    main(provider(), sys.argv[1:])
