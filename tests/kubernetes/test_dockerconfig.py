"""Pure checks of the `.dockerconfigjson` helpers, apart from the resource graph."""

from __future__ import annotations

import base64
import json
import unicodedata

import pytest

from components.kubernetes.dockerconfig import (
    Password,
    _control_characters,
    _invisible_character,
    docker_config_json,
    merge_credentials,
    registry_host,
)
from components.validation import InvalidInput


@pytest.mark.parametrize(
    ("server", "host"),
    [
        ("registry-1.docker.io", "docker.io"),
        ("Quay.IO/acme/team", "quay.io"),
        ("localhost:5000", "localhost:5000"),
        ("europe-west1-docker.pkg.dev/project/repo", "europe-west1-docker.pkg.dev"),
    ],
)
def test_registry_host_is_the_bare_lowercase_host(server, host):
    assert registry_host("f", server) == host


def test_the_ascii_shortcut_agrees_with_unicodes_categories():
    """ASCII text skips the per-character walk: for each ASCII character, alone and inside ASCII text, the
    shortcut gives what the walk over Unicode's categories gives."""
    for code in range(128):
        character = chr(code)
        control = unicodedata.category(character) == "Cc"
        invisible = unicodedata.category(character) in ("Cf", "Zl", "Zp") or (
            unicodedata.category(character) == "Zs" and character != " "
        )
        for text in (character, f"robot{character}token"):
            assert _control_characters(text) is control, repr(text)
            assert (_invisible_character(text) is not None) is invisible, repr(text)
    # Past ASCII the walk still runs: a no-break space and a zero-width one are found inside ASCII text.
    assert _invisible_character("robot\u00a0token") == "U+00A0, a space other than U+0020"
    assert _invisible_character("robot\u200btoken") == "U+200B, a format character"
    assert _control_characters("robot\u0085token")


def test_a_scheme_is_an_error_naming_the_field():
    with pytest.raises(InvalidInput, match=r"^baseImages.registries\[0\].server: 'https://quay.io' has a scheme"):
        registry_host("baseImages.registries[0].server", "https://quay.io")


def test_auth_is_base64_of_user_colon_password_without_newline():
    document = json.loads(docker_config_json([("quay.io", "acme+reader", "pa:ss\u00e9")]))
    auth = document["auths"]["quay.io"]["auth"]
    assert "\n" not in auth and base64.b64decode(auth).decode() == "acme+reader:pa:ss\u00e9"


def test_merge_keeps_one_entry_per_host_and_refuses_two_logins():
    a = {"server": "quay.io", "username": "u", "password": Password("p")}
    merged = merge_credentials([("first", a), ("second", {**a, "password": Password("p")})])
    assert merged == [a]
    with pytest.raises(
        InvalidInput, match=r"^second: registry host 'quay.io' already has a different credential \(first\)"
    ):
        merge_credentials([("first", a), ("second", {**a, "password": Password("other")})])
