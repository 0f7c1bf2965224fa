"""Generated config thrown at the stack-file reader, the program and the components (hypothesis).

Whatever arrives: never a traceback, never a credential in a message, always a plan or a clean
refusal that registers nothing. Each generated credential is a fresh marker, placed where people put
credentials by mistake (a URL's login, `user:token` in a user name, a server with a login, a
password of the wrong shape); no message may contain it.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pulumi
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from components.registries_args import check_args
from components.validation import InvalidInput
from components.workspace_images.external import check_args as check_external
from conftest import assert_never_plain
from offline.engine import evaluate
from offline.stack_file import StackFileError, load

pytestmark = pytest.mark.heavy(6)

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,  # the same examples on every run, in CI too
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
# Each example of these evaluates the whole program under the mock engine (about 25 ms); 100 fixed
# examples each keep the suite within its time budget, and the direct checks below get 200.
EVALUATING = settings(SETTINGS, max_examples=100)

credentials = st.text("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", min_size=12, max_size=20).map(
    lambda s: f"Cr3d{s}"
)
hosts = st.sampled_from(
    [
        "harbor.example.com",
        "quay.io",
        "registry.example.com:5000",
        "localhost:5000",
        "localhost-evil",
        "[::1]:5000",
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
        "public.ecr.aws:443",
        "a..b",
        "Host.Example.COM",
        "h:0",
        "",
    ]
)
paths = st.sampled_from(
    ["", "/gitpod", "/team/gitpod", "/Gitpod", "/../x", "/a:b:c", "/", "//x", "/x@sha256:" + "a" * 64]
)
plain = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**64), 2**64),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        ["", " ", "\n", "yes", "null", "s3", "external", "artifact-registry", "ecr", "gitpod", "eu-west-1"]
    ),
)


# The strategies below are built once, with this placeholder where the credential goes; each example's
# fresh credential replaces it (`with_credential`). Building them per example, around the drawn
# credential, made hypothesis validate and cache thousands of new strategies: most of these tests' time.
CREDENTIAL = "<the credential>"


def with_credential(item: object, credential: str) -> object:
    """`item` with every placeholder in its strings (keys included) replaced by `credential`."""
    if isinstance(item, str):
        return item.replace(CREDENTIAL, credential)
    if isinstance(item, dict):
        return {with_credential(k, credential): with_credential(v, credential) for k, v in item.items()}
    if isinstance(item, list):
        return [with_credential(v, credential) for v in item]
    return item


def _embedded(credential: str) -> st.SearchStrategy[str]:
    """A credential where people type one by mistake."""
    return st.one_of(
        st.builds(lambda h, p: f"https://robot:{credential}@{h}{p}", hosts, paths),
        st.builds(lambda h, p: f"robot:{credential}@{h}{p}", hosts, paths),
        st.builds(lambda h: f"{credential}@{h}", hosts),
        st.just(f"robot:{credential}"),
        st.just(f"{credential}\n"),
        st.just(credential),
    )


embedded = _embedded(CREDENTIAL)
any_value = st.recursive(
    st.one_of(plain, embedded, st.builds(lambda h, p: h + p, hosts, paths)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
login = st.fixed_dictionaries(
    {},
    optional={
        "server": st.one_of(st.builds(lambda h, p: h + p, hosts, paths), embedded, plain),
        "username": st.one_of(st.just("robot"), embedded, plain),
        "password": st.one_of(
            st.just(CREDENTIAL), st.just(CREDENTIAL + "\n"), st.lists(st.just(CREDENTIAL), max_size=1), plain
        ),
        "user": plain,
    },
)


good_hosts = st.sampled_from(["harbor.example.com", "registry.example.com:5000", "localhost:5000", "[::1]:5000"])
good_paths = st.sampled_from(["", "/gitpod", "/team/gitpod", "/a_b/c-d.e"])


artifact_registry_options = st.fixed_dictionaries(
    {},
    optional={
        "cleanupOlderThanDays": st.integers(1, 3_652_500),
        "keyGeneration": st.integers(1, 2**31 - 1),
        "keepPreviousKey": st.booleans(),
    },
)
s3_options = st.fixed_dictionaries({}, optional={"keyGeneration": st.integers(1, 2**31 - 1)})


@st.composite
def valid_configs(draw: st.DrawFn) -> tuple[str, dict]:
    """Configs a careful operator writes: each must plan."""
    credential = draw(credentials)
    backend = draw(st.sampled_from(["s3", "artifact-registry", "external"]))
    workspace: dict = {"backend": backend}
    if backend == "external":
        workspace |= {"url": draw(good_hosts) + draw(good_paths), "username": "robot", "password": credential}
    elif backend == "artifact-registry":
        workspace |= draw(artifact_registry_options)
    else:
        workspace |= draw(s3_options)
    config = {
        "aws:region": "eu-west-1",
        "gcp:project": "acme-gitpod",
        "gcp:region": "europe-west1",
        "gitpod-registry:workspaceImages": workspace,
    }
    # A mirror that needs a login works only where the backend's secret can carry it (not s3).
    if backend != "s3" and draw(st.booleans()):
        config["gitpod-registry:componentImages"] = {
            "repository": "mirror.example.com" + draw(good_paths),
            "username": draw(st.sampled_from(["robot", "robot$pull", "ro bot"])),
            "password": credential + draw(st.sampled_from(["", " x", "é"])),
        }
    if draw(st.booleans()):
        config["gitpod-registry:baseImages"] = {
            "workspaceImage": draw(
                st.sampled_from(["ubuntu:22.04", "quay.io/acme/dev:1", "localhost/a@sha256:" + "a" * 64])
            )
        }
    return credential, config


@st.composite
def configs(draw: st.DrawFn) -> tuple[str, dict]:
    if draw(st.integers(0, 3)) == 0:
        return draw(valid_configs())
    credential = draw(credentials)
    workspace = draw(
        st.fixed_dictionaries(
            {"backend": st.sampled_from(["s3", "artifact-registry", "external", "ecr", None, ""])},
            optional={
                "url": st.one_of(st.builds(lambda h, p: h + p, hosts, paths), embedded),
                "username": st.one_of(st.just("robot"), embedded, plain),
                "password": st.one_of(st.just(CREDENTIAL), embedded, plain),
                "region": st.sampled_from(["eu-west-1", "Europe", "", None]),
                "bucket": st.one_of(st.sampled_from(["acme-gitpod", "My_Bucket", "a..b"]), plain),
                "project": st.sampled_from(["acme-gitpod", "my-google-x", "abc", None]),
                "location": st.sampled_from(["europe-west1", "eu", None]),
                "serviceAccount": st.one_of(
                    st.sampled_from(
                        ["sa-name1@acme-gitpod.iam.gserviceaccount.com", "service-1@gcp-sa-x.iam.gserviceaccount.com"]
                    ),
                    embedded,
                ),
                "cleanupOlderThanDays": st.one_of(st.integers(-5, 10**7), plain),
                "cleanupKeepCount": st.one_of(st.integers(-5, 2**32), plain),
                "keyGeneration": st.one_of(st.integers(-5, 2**40), plain),
                "keepPreviousKey": st.one_of(st.booleans(), plain),
                "buckett": plain,
            },
        )
    )
    config = {
        "aws:region": draw(st.sampled_from(["eu-west-1", "us-gov-west-1", None])),
        "gcp:project": draw(st.sampled_from(["acme-gitpod", None])),
        "gcp:region": draw(st.sampled_from(["europe-west1", None])),
        "gitpod-registry:workspaceImages": draw(st.one_of(st.just(workspace), any_value)),
    }
    optional = {
        "gitpod-registry:namespace": st.one_of(st.just("gitpod"), plain),
        "gitpod-registry:clusterName": st.one_of(st.just("prod-eu"), embedded, plain),
        "gitpod-registry:protectData": st.one_of(st.booleans(), plain),
        "gitpod-registry:componentImages": st.one_of(
            st.fixed_dictionaries(
                {},
                optional={
                    "repository": st.one_of(st.builds(lambda h, p: h + p, hosts, paths), embedded),
                    "username": st.one_of(st.just("robot"), embedded),
                    "password": st.one_of(st.just(CREDENTIAL), plain),
                    "dropImageRepo": plain,
                },
            ),
            any_value,
        ),
        "gitpod-registry:baseImages": st.one_of(
            st.fixed_dictionaries(
                {},
                optional={
                    "workspaceImage": st.one_of(st.builds(lambda h, p: h + p, hosts, paths), embedded),
                    "registries": st.one_of(st.lists(login, max_size=2), any_value),
                },
            ),
            any_value,
        ),
        "gitpod-registry:airGap": st.one_of(login.map(lambda d: {"registry": d.pop("server", None), **d}), any_value),
        "gitpod-registry:componentImage": plain,
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            config[key] = draw(strategy)
    return credential, with_credential(config, credential)


@EVALUATING
@given(valid_configs())
def test_every_valid_config_plans_with_its_credentials_secret(case):
    credential, config = case
    evaluation = evaluate("prop", config, use_stack_file=False)
    assert evaluation.error is None, evaluation.error
    assert_never_plain(evaluation, credential)


@EVALUATING
@given(configs())
def test_the_program_plans_or_refuses_cleanly_and_never_repeats_a_credential(case):
    credential, config = case
    evaluation = evaluate("prop", config, use_stack_file=False)
    event("planned" if evaluation.error is None else "refused")
    if evaluation.error is None:
        assert evaluation.resources, "a plan without resources"
        assert_never_plain(evaluation, credential)
        return
    assert isinstance(evaluation.error, pulumi.RunError), f"{type(evaluation.error).__name__}: a traceback"
    message = str(evaluation.error)
    assert message.startswith("invalid configuration: ") and "\n" not in message, message
    assert credential not in message, message
    assert evaluation.resources == [], "registered before refusing"


def _snake(config: dict) -> dict:
    """The stack config as component arguments (camelCase keys to snake_case, the namespace dropped)."""

    def snake(name: object) -> object:
        if not isinstance(name, str):
            return name
        return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)

    def convert(item: object) -> object:
        if isinstance(item, dict):
            return {snake(k): convert(v) for k, v in item.items()}
        if isinstance(item, list):
            return [convert(v) for v in item]
        return item

    return {
        snake(key.split(":", 1)[1]): convert(v)
        for key, v in config.items()
        if key.startswith("gitpod-registry:") and v is not None
    }


@SETTINGS
@given(configs())
def test_the_component_called_directly_accepts_or_refuses_cleanly_and_never_repeats_a_credential(case):
    credential, config = case
    args = {"cluster_name": "prod-eu", **_snake(config)}
    workspace = args.get("workspace_images")
    direct = [(check_args, args)]  # what GitpodImageRegistries.__init__ runs before registering anything
    if isinstance(workspace, dict) and workspace.get("backend") == "external":
        fields = {k: v for k, v in workspace.items() if k != "backend"}
        direct.append((check_external, {"namespace": "gitpod", **fields}))
    for check, given_args in direct:
        try:
            check(given_args)
        except InvalidInput as error:
            for spelling in (str(error), error.render("schema")):
                assert credential not in spelling and "\n" not in spelling, spelling
        except Exception as error:  # noqa: BLE001 - the property: nothing but InvalidInput escapes
            raise AssertionError(f"{type(error).__name__} escaped {check.__module__}") from error


stack_configs = st.dictionaries(st.sampled_from(["a", "gitpod-registry:airGap", "b:c"]), any_value, max_size=3)
yaml_fragments = st.sampled_from(
    [
        "",
        "\t",
        "- ",
        ": ",
        "&a ",
        "*a ",
        "!!int ",
        "!x ",
        "<<: ",
        "---\n",
        "? ",
        "{",
        "}",
        "[",
        "]",
        "'",
        '"',
        "\n",
        "  ",
        "yes",
        "~",
        "0x1F",
        ".inf",
        "2024-01-01",
        "\x07",
        "\ufeff",
        "#",
        "|\n  ",
        ">\n  ",
        "%YAML 1.2\n",
    ]
)


@SETTINGS
@given(st.data())
def test_the_stack_file_reader_loads_or_refuses_in_one_line_without_repeating_a_value(data):
    credential = data.draw(credentials)
    document = {"config": with_credential(data.draw(stack_configs), credential)}
    text = yaml.safe_dump(document, allow_unicode=True)
    cuts = data.draw(st.lists(st.tuples(st.integers(0, len(text)), yaml_fragments), max_size=4))
    for position, fragment in sorted(cuts, reverse=True):
        text = text[:position] + fragment + text[position:]
    # A directory of the example's own, removed with it: one per example under pytest's base folder would be
    # thousands of folders for the next runs to delete.
    with tempfile.TemporaryDirectory(prefix="stack-file-") as directory:
        path = Path(directory) / "Pulumi.p.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            loaded = load(path)
            json.dumps(loaded, default=str)
            event("loaded")
        except StackFileError as error:
            event("refused")
            message = str(error)
            assert message.startswith("Pulumi.p.yaml") and "\n" not in message, message
            assert credential not in message, message
