"""What a Kubernetes Secret can hold, and the refusal for a value that would make a bigger one.

The API server refuses a Secret whose data totals more than 1 MiB: `ValidateSecret` sums the decoded
length of every value in `data` (`stringData` is merged into `data` first) and fails with
`field.TooLong(data, core.MaxSecretSize)`, where `MaxSecretSize = 1 * 1024 * 1024`
(kubernetes pkg/apis/core/validation/validation.go and pkg/apis/core/types.go). Checked here, before
any resource is registered, instead of failing half-way through `pulumi up`.
"""

from __future__ import annotations

from ..validation import InvalidInput

SECRET_DATA_MAX = 1024 * 1024
"""The most bytes a Kubernetes Secret's data may total (core.MaxSecretSize)."""


def check_secret_size(field: str, size: int, what: str) -> None:
    """Refuses `field` when the Secret it becomes (`what`) would hold `size` bytes, more than Kubernetes takes."""
    if size > SECRET_DATA_MAX:
        raise InvalidInput(
            field,
            f"too large: {what} would hold {size:,} bytes, and a Kubernetes Secret holds at most "
            f"{SECRET_DATA_MAX:,} bytes (1 MiB, the API server's limit); give less",
        )
