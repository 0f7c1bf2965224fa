"""What the Pulumi CLI can hand a program: a stack file is read up to 256 KiB, its config up to PULUMI_CONFIG's
131,057 bytes (one environment variable, Linux's MAX_ARG_STRLEN), each refused before the expensive work."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from offline.engine import PROJECT_DIR, stack_config
from offline.stack_file import STACK_FILE_MAX, StackFileError


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(PROJECT_DIR / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    return tmp_path


def config_of(project: Path, text: str) -> dict[str, str]:
    (project / "Pulumi.t.yaml").write_text(text)
    return stack_config("t", project)[0]


def refusal(project: Path, text: str) -> str:
    with pytest.raises(StackFileError) as caught:
        config_of(project, text)
    message = str(caught.value)
    assert "\n" not in message and message.startswith("Pulumi.t.yaml"), message
    assert "aaaaaaaaaa" not in message
    return message


def test_a_stack_file_over_the_limit_is_refused_before_it_is_parsed(project):
    text = "config:\n  gitpod-registry:airGap:\n    password: " + "a" * 10_000_000 + "\n"
    started = time.perf_counter()
    message = refusal(project, text)
    assert time.perf_counter() - started < 0.5
    assert f"is {len(text):,} bytes; at most {STACK_FILE_MAX:,} are read" in message


@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(120_000, STACK_FILE_MAX - 100))
def test_config_the_cli_cannot_hand_over_is_refused_naming_the_largest_key(project, size):
    text = "config:\n  gitpod-registry:airGap:\n    registry: r.example.com\n    password: " + "a" * size + "\n"
    if size < 131_000:
        config_of(project, text)
        return
    message = refusal(project, text)
    assert "as the Pulumi CLI hands it to the program (PULUMI_CONFIG, one environment variable)" in message
    assert "the largest value is gitpod-registry:airGap" in message
