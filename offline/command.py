"""How each `python -m offline.X` runs: `run(main)` in its `__main__` block.

A command imports the Pulumi SDKs (about a million objects that live until the process ends). CPython's
cyclic garbage collector walks them all again in every full collection and once more at exit: without
this, `python -m offline.plan --all` took 2.6 s on the 2-core machine, with it 1.8 s.
`gc.freeze()` moves every object that exists into a permanent generation the collector skips
(https://docs.python.org/3/library/gc.html#gc.freeze): once after the imports, and once more before
exit for the SDK modules the evaluations imported. Objects made in between are collected as usual.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from typing import NoReturn


def run(main: Callable[[], int]) -> NoReturn:
    """Runs a command's `main` and exits with its status."""
    gc.freeze()
    try:
        status = main()
    finally:
        gc.freeze()
    sys.exit(status)
