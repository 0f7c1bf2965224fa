"""`gitpod-registry verify`: checks deployed registries with the exact secrets Gitpod will use.

Modules: `cli` (the command), `config` (the installer config fragment), `secrets` (Kubernetes
Secrets and `.dockerconfigjson`), `registry_checks` (OCI registries, via python-dxf), `s3_checks`
(the in-cluster registry's S3 storage, via boto3), `network` (CA bundle, timeouts, and network failures in plain words),
`report` (lines, JSON, and masking of every credential). See docs/verify.md.
"""

import sys

from ..distribution import install_command

VERIFY_EXTRA = "verify"
"""The extra that installs verify's client libraries (pyproject.toml `[project.optional-dependencies]`)."""


def run(argv: list[str] | None = None) -> int:
    """The `gitpod-registry` console script: the command, or how to install its client libraries."""
    try:
        import boto3  # noqa: F401
        import dxf  # noqa: F401
        import requests  # noqa: F401
    except ModuleNotFoundError as missing:
        print(
            f"gitpod-registry verify needs its client libraries ({missing.name} is not installed): "
            f"{install_command(VERIFY_EXTRA)}",
            file=sys.stderr,
        )
        return 2
    from .cli import main

    return main(argv)
