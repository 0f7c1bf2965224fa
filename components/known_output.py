"""Outputs of values that are already known when the component is built.

`pulumi.Output.from_input` lifts every element of a list or dict into an Output of its own, and
so does `Output.all` with each value it waits for; for plain data (a list of a hundred
registry hosts) that is a hundred futures for nothing. `known` keeps plain data plain.
"""

from typing import TypeVar

import pulumi

T = TypeVar("T")


def known(value: T) -> pulumi.Output[T]:
    """An Output of `value`, which holds no Outputs: known, not secret, depending on nothing."""
    # An apply's plain result is taken as it is, not lifted element by element.
    return pulumi.Output.from_input(None).apply(lambda _: value)
