"""`python -m gitpod_registry.verify verify ...`: the same as the `gitpod-registry` command."""

from . import run

raise SystemExit(run())
