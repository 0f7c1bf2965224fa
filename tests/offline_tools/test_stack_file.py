"""Stack files read as the Pulumi CLI reads them (yaml.v3, Pulumi's loader), and broken ones refused in one line."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stack_file_strategies import one_merge_files, two_merge_files

from offline.engine import PROJECT_DIR, evaluate, stack_config
from offline.stack_file import StackFileError, load

PASSWORD = "hunter2-Sup3r-secret"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(PROJECT_DIR / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    return tmp_path


def config_of(project: Path, text: str | bytes, stack: str = "t") -> dict[str, str]:
    path = project / f"Pulumi.{stack}.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return stack_config(stack, project)[0]


def refusal(project: Path, text: str | bytes) -> str:
    with pytest.raises(StackFileError) as caught:
        config_of(project, text)
    message = str(caught.value)
    assert "\n" not in message and message.startswith("Pulumi.t.yaml"), message
    return message


@pytest.mark.parametrize(
    ("value", "handed_over"),
    [
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("True", "true"),
        ("FALSE", "false"),
        ("~", ""),
        ("null", ""),
        ("", ""),
        ("'null'", "null"),
        ("017", "15"),
        ("0x1F", "31"),
        ("0o17", "15"),
        ("1_000", "1000"),
        ("08", "8"),
        ("1.0", "1"),
        ("1e3", "1000"),
        ("2.5", "2.5"),
        ("1e400", "1e400"),
        ("99999999999999999999", "100000000000000000000"),
        ("7" * 300, "7.777777777777778e+299"),  # ParseInt fails, ParseFloat takes it
        ("7" * 5000, "7" * 5000),  # ParseFloat overflows: yaml.v3 keeps the text (Python's int() would raise)
        ("-" + "7" * 5000, "-" + "7" * 5000),
        ("2024-01-02", "2024-01-02 00:00:00 +0000 UTC"),
        ("'2024-01-02'", "2024-01-02"),
        ("!!str 12", "12"),
        ("!custom text", "text"),
        ("!!binary aGk=", "hi"),
    ],
)
def test_scalars_reach_the_program_as_the_cli_hands_them_over(project, value, handed_over):
    assert config_of(project, f"config:\n  gitpod-registry:clusterName: {value}\n")["gitpod-registry:clusterName"] == (
        handed_over
    )


def test_objects_are_json_as_go_writes_it_with_nested_nulls_kept(project):
    config = config_of(
        project,
        "config:\n  workspaceImages:\n    backend: s3\n    keyGeneration: 2.0\n    bucket:\n    flag: on\n",
    )
    assert json.loads(config["gitpod-registry:workspaceImages"]) == {
        "backend": "s3",
        "keyGeneration": 2,
        "bucket": None,
        "flag": "on",
    }


def test_merge_keys_and_aliases_work(project):
    config = config_of(
        project,
        "base: &base {backend: s3, keyGeneration: 2}\nconfig:\n  workspaceImages:\n    <<: *base\n    keyGeneration: 3\n",
    )
    assert json.loads(config["gitpod-registry:workspaceImages"]) == {"backend": "s3", "keyGeneration": 3}


def test_secure_values_become_placeholders_and_mark_the_key_secret(project):
    (project / "Pulumi.t.yaml").write_text(
        "config:\n  airGap:\n    registry: r.example.com/x\n    username: u\n    password:\n      secure: v1:abc\n"
    )
    config, secret_keys = stack_config("t", project)
    assert json.loads(config["gitpod-registry:airGap"])["password"] == (
        "offline-placeholder-for-gitpod-registry.airGap.password"
    )
    assert secret_keys == ["gitpod-registry:airGap"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("config:\n  a: 1\n  a: 2\n", r"line 3: a mapping key is defined twice \(first at line 2\)"),
        (
            "config:\n  a: 1\n---\nconfig:\n  b: 2\n",
            r"line [34]: a second YAML document starts here; the Pulumi CLI reads only the first",
        ),
        ("config:\n\ta: 1\n", r"line 2: invalid YAML"),
        ("config:\n  a: [1, 2\n", r"line \d: invalid YAML"),
        ("- a\n- b\n", r"Pulumi.t.yaml: the top level is not a mapping"),
        ("config:\n  1: x\n", r"line 2: a mapping key is not a string"),
        ("config:\n  obj:\n    true: x\n", r"line 3: a mapping key is not a string"),
        ("config:\n  x: .nan\n", r"holds .nan or .inf"),
        ("config:\n  a:b:c: 1\n", r"more than one ':'"),
        ("config:\n  x: !!int abc\n", r"line 2: a value tagged !!int is not one"),
        ("config: [1]\n", r"`config:` is not a mapping"),
        ("config:\n  a: &x [1, *x]\n", r"contains an alias of itself"),
        ("config:\n  a: 1\x07\n", r"line 2: invalid YAML: a control character"),
        (b"config:\n  a: \xff\xfe\n", r"line 2: is not valid UTF-8"),
    ],
)
def test_a_broken_file_is_one_line_naming_the_file_and_line(project, text, expected):
    import re

    message = refusal(project, text)
    assert re.search(expected, message), message


def test_a_syntax_error_on_a_password_line_never_shows_the_line(project):
    for text in (
        f'config:\n  airGap:\n    password: "{PASSWORD}\n',
        f"config:\n  airGap:\n    password: {PASSWORD}: more\n",
        f"config:\n  airGap:\n    password: '{PASSWORD}\n",
        f"config:\n  airGap:\n    password: {PASSWORD}\n\t- x\n",
        f"config:\n  airGap:\n    password: *{PASSWORD}\n",
        f"config:\n  airGap:\n    password: !{PASSWORD} x\n  a: 1\n  a: 2\n",
    ):
        message = refusal(project, text)
        assert PASSWORD not in message and "hunter2" not in message, message


def test_an_alias_bomb_is_refused_quickly(project):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    started = time.monotonic()
    message = refusal(project, "\n".join(lines) + "\nconfig:\n  x: *a9\n")
    assert "excessive aliasing" in message and time.monotonic() - started < 5


def test_aliases_within_yaml_v3s_budget_stop_expanding_once_the_config_could_not_be_handed_over(project):
    """yaml.v3 allows this file (its aliases are under the budget's ratio), but what they expand to could never
    reach the program: every expanded node is at least a byte of PULUMI_CONFIG."""
    from offline.stack_file import CONFIG_HANDOVER_MAX, _ratio

    anchors, width = 100, 100
    aliases = CONFIG_HANDOVER_MAX // width + 1  # each expands to `width` scalars
    expanded, decoded = aliases * width, anchors * (width + 1) + aliases * (width + 1)
    assert expanded / decoded < _ratio(decoded), "the file must be within yaml.v3's alias budget"
    lines = ["config:", "  other:big:"]
    lines += [f"    a{i}: &a{i} [" + ", ".join(["x"] * width) + "]" for i in range(anchors)]
    lines += [f"    r{j}: *a{j % anchors}" for j in range(aliases)]
    message = refusal(project, "\n".join(lines) + "\n")
    assert f"the aliases expand to more than the {CONFIG_HANDOVER_MAX:,} bytes of config" in message, message


def test_deep_nesting_is_refused_not_a_traceback(project):
    message = refusal(project, "config:\n  x: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "nested too deeply" in message or "invalid YAML" in message


def test_a_broken_stack_file_is_the_stacks_error_not_an_exception(project, monkeypatch):
    (project / "Pulumi.t.yaml").write_text("config:\n  a: 1\n  a: 2\n")
    monkeypatch.setattr(
        "offline.engine.stack_config", lambda stack, stack_dir=None, use_stack_file=True: stack_config(stack, project)
    )
    evaluation = evaluate("t")
    assert isinstance(evaluation.error, StackFileError) and evaluation.resources == []


def test_empty_and_comment_only_files_have_no_config(project):
    assert config_of(project, "") == config_of(project, "# nothing yet\n") == stack_config("none", project)[0]


def test_the_project_file_is_read_the_same_way(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: p\nname: q\n")
    with pytest.raises(StackFileError, match=r"^Pulumi.yaml: line 2: a mapping key is defined twice"):
        load(tmp_path / "Pulumi.yaml") and stack_config("x", tmp_path)


# What the CLI reads differently: yaml.v3's merge keys (decode.go: isMerge, and mapping's duplicate check,
# which compares a key's kind and text only, `<<` included), JSON text with a key twice, namespaces that
# differ by case, ESC environments, and the plan's own placeholder for a secure user name.


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=two_merge_files)
def test_two_merge_keys_in_one_mapping_are_refused_as_yamlv3_refuses_them(project, text):
    assert re.search(r"line \d+: a mapping key is defined twice \(first at line \d+\)", refusal(project, text))


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=one_merge_files)
def test_every_merge_spelling_yamlv3_takes_merges_and_the_mapping_wins(project, case):
    text, expected = case
    assert json.loads(config_of(project, text)["gitpod-registry:workspaceImages"]) == expected


def test_a_quoted_merge_key_is_an_ordinary_key(project):
    text = 'base: &base {backend: s3}\nconfig:\n  gitpod-registry:x:\n    "<<": *base\n'
    assert json.loads(config_of(project, text)["gitpod-registry:x"]) == {"<<": {"backend": "s3"}}


LONG = "7" * 5000


def test_a_5000_digit_number_is_refused_naming_the_key_or_handed_to_another_project_as_text(project):
    (project / "Pulumi.t.yaml").write_text(
        f"config:\n  aws:region: eu-west-1\n  other:setting: {LONG}\n"
        f"  gitpod-registry:workspaceImages:\n    backend: s3\n    keyGeneration: {LONG}\n"
    )
    evaluation = evaluate("t", stack_dir=project)
    assert evaluation.config["other:setting"] == LONG
    message = str(evaluation.error)
    assert message.startswith("invalid configuration: gitpod-registry:workspaceImages.keyGeneration: expected a whole")
    assert "ValueError" not in message and LONG[:50] not in message


def test_json_text_with_a_5000_digit_number_is_refused_naming_the_key():
    from components.stack_config import InvalidInput, read

    with pytest.raises(InvalidInput, match=r"^workspace_images: the JSON text given holds a 5000-digit number"):
        read({"gitpod-registry:workspaceImages": '{"backend":"s3","keyGeneration":' + LONG + "}"}, "dev", {})


@settings(max_examples=50, deadline=None, derandomize=True)
@given(
    key=st.sampled_from(["backend", "bucket", "region", "Tr0ub4dorXyZ3AbCdEf"]),
    values=st.lists(st.sampled_from(['"s3"', '"gcs"', "1", "null", "{}"]), min_size=2, max_size=3),
    nested=st.booleans(),
)
def test_json_text_with_a_key_twice_is_refused_naming_the_key(key, values, nested):
    from components.stack_config import InvalidInput, read

    inner = "{" + ",".join(f'"{key}":{value}' for value in values) + "}"
    text = '{"backend":"s3","extra":' + inner + "}" if nested else inner
    with pytest.raises(InvalidInput) as refused:
        read({"gitpod-registry:workspaceImages": text}, "dev", {})
    message = str(refused.value)
    assert message.startswith("workspace_images: the JSON text given holds key "), message
    assert "twice in one object" in message
    assert "Tr0ub4dor" not in message


@settings(max_examples=50, deadline=None, derandomize=True)
@given(spelling=st.lists(st.booleans(), min_size=len("gitpod-registry"), max_size=len("gitpod-registry")))
def test_a_namespace_that_differs_by_case_alone_is_warned_about_by_name(spelling):
    from components.stack_config import other_case_keys

    space = "".join(c.upper() if up else c for c, up in zip("gitpod-registry", spelling, strict=True))
    # A key the program does not know (one it knows is refused: tests/test_stack_config.py).
    warnings = other_case_keys({f"{space}:nameSpace": "x", "gitpod-registry:clusterName": "c"})
    if space == "gitpod-registry":
        assert warnings == []
    else:
        assert warnings == [
            f"config key {space}:nameSpace is in namespace {space!r}, not 'gitpod-registry'; config namespaces are "
            "case-sensitive, so this program ignores it: write it as gitpod-registry:nameSpace"
        ]


def test_the_plan_warns_about_a_case_namespace_and_an_esc_environment(project):
    (project / "Pulumi.t.yaml").write_text(
        "environment:\n  - acme/registry\n  - shared\nconfig:\n  aws:region: eu-west-1\n"
        "  gitpod-registry:workspaceImages:\n    backend: s3\n  Gitpod-Registry:namespace: other\n"
    )
    from offline.engine import stack_notices

    (notice,) = stack_notices("t", project)
    assert notice.startswith("Pulumi.t.yaml: `environment:` imports Pulumi ESC environments (acme/registry, shared)")
    evaluation = evaluate("dev", {"Gitpod-Registry:nameSpace": "other"})
    assert evaluation.error is None
    assert any("config key Gitpod-Registry:nameSpace is in namespace" in w for w in evaluation.warnings)


@settings(max_examples=50, deadline=None, derandomize=True)
@given(
    key=st.sampled_from(["gitpod-registry:airGap", "gitpod-registry:baseImages", "gitpod-registry:componentImages"]),
    where=st.sampled_from(["", "username", "registries[0].username", "[2]", "a.b"]),
)
def test_the_plans_placeholder_for_a_secure_value_holds_no_colon(key, where):
    from offline.engine import placeholder

    assert ":" not in placeholder(key, where)


@pytest.mark.parametrize(
    "text",
    [
        "config:\n  gitpod-registry:airGap:\n    registry: r.example.com/g\n    username:\n      secure: v1:a\n"
        "    password:\n      secure: v1:b\n",
        "config:\n  gitpod-registry:workspaceImages:\n    backend: external\n    url: harbor.example.com/gitpod\n"
        "    username:\n      secure: v1:c\n    password:\n      secure: v1:d\n"
        "  gitpod-registry:baseImages:\n    registries:\n      - server: r.example.com\n        username:\n"
        "          secure: v1:a\n        password:\n          secure: v1:b\n",
    ],
    ids=["air-gap", "base-images"],
)
def test_a_user_name_set_with_secret_plans_offline(project, text):
    (project / "Pulumi.t.yaml").write_text(text)
    evaluation = evaluate("t", stack_dir=project)
    assert evaluation.error is None, evaluation.error
