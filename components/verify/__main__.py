"""`python -m gitpod_registry.verify verify ...`: the same as the `gitpod-registry` command."""

from .cli import main

raise SystemExit(main())
