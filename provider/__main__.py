"""The component provider: serves the components to TypeScript, Go, C#, Java and YAML programs.

This folder is the plugin directory (it holds PulumiPlugin.yaml). When a program uses the package,
the CLI's Python language host runs `<provider/venv>/bin/python provider <engine address> [flags]`
(pulumi-language-python main.go, RunPlugin: a plugin directory with a `__main__.py` is run as a
script); the provider prints its port and serves Construct. The SDK infers the schema from the
components' type annotations and docstrings; `components.package` adds what the inference lacks
(secret passwords, whole numbers from other languages, input errors in the schema's names).
"""

import sys
from pathlib import Path

# Run as `python provider`, so sys.path[0] is this folder, not the repository root where
# components/ lives. `pulumi package add` of a git URL clones the whole repository and runs this
# subfolder of it (sdk/go/common/workspace/plugins.go, gitSource.Download and GetPluginPath).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi.provider import main  # noqa: E402

from components.package import provider  # noqa: E402

if __name__ == "__main__":
    # sys.argv[0] is this folder; the engine address and the engine's flags follow.
    main(provider(), sys.argv[1:])
