"""The components as other projects get them: a wheel for Python, a component package for other languages."""

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pulumi
import pytest
import yaml
from required_tools import uv
from test_policy_pack import violations
from wheel import session_wheel

import components
from components.package import exported_components, provider
from components.validation import InvalidInput, ref
from components.workspace_images.s3 import check_args as check_s3_args
from offline import docs
from offline.engine import Resource

pytestmark = pytest.mark.heavy(7)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def schema() -> dict:
    return docs.package_schema()


def test_the_schema_carries_the_package_version(schema):
    assert schema["version"] == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_every_exported_component_is_in_the_schema(schema):
    exported = exported_components()
    assert {c.__name__ for c in exported} >= {"S3WorkspaceImages", "GitpodImageRegistries"}
    assert set(schema["resources"]) == {f"gitpod-registry:index:{c.__name__}" for c in exported}
    assert all(resource["isComponent"] for resource in schema["resources"].values())


def test_gitpod_image_registries_schema(schema):
    resource = schema["resources"]["gitpod-registry:index:GitpodImageRegistries"]
    inputs = resource["inputProperties"]
    assert {name: (p.get("type") or p["$ref"]) for name, p in inputs.items()} == {
        "clusterName": "string",
        "namespace": "string",
        "protectData": "boolean",
        "workspaceImages": "#/types/gitpod-registry:index:WorkspaceImagesArgs",
        "componentImages": "#/types/gitpod-registry:index:ComponentImagesRoleArgs",
        "baseImages": "#/types/gitpod-registry:index:BaseImagesRoleArgs",
        "airGap": "#/types/gitpod-registry:index:AirGapArgs",
        "customCaCert": "#/types/gitpod-registry:index:CustomCACertArgs",
        "externalSecretsOperator": "#/types/gitpod-registry:index:ExternalSecretsOperatorArgs",
    }
    # workspaceImages is optional only because airGap can take its place.
    assert sorted(resource["requiredInputs"]) == ["clusterName"]
    # Validation runs in plain Python before anything is registered, so inputs are plain values;
    # only passwords may be outputs (a secret from another resource), and those are secret.
    assert all(p.get("plain") or p.get("secret") for p in inputs.values())
    workspace = schema["types"]["gitpod-registry:index:WorkspaceImagesArgs"]
    assert workspace["required"] == ["backend"]
    assert workspace["properties"]["keyGeneration"]["type"] == "integer"
    outputs = resource["properties"]
    assert outputs["installerConfigYaml"]["type"] == "string"
    assert outputs["installerConfig"]["type"] == "object"
    assert schema["types"]["gitpod-registry:index:ComponentImagesRoleArgs"]["properties"]["password"]["secret"] is True
    assert schema["types"]["gitpod-registry:index:WorkspaceImagesArgs"]["properties"]["password"]["secret"] is True
    assert schema["types"]["gitpod-registry:index:AirGapArgs"]["properties"]["password"]["secret"] is True
    for key in ("accessKeyId", "secretAccessKey"):
        assert schema["types"]["gitpod-registry:index:WorkspaceImagesArgs"]["properties"][key]["secret"] is True
    assert sorted(resource["required"]) == ["installerConfig", "installerConfigYaml", "notes", "workspaceImagesSecret"]
    assert all(p.get("description") for p in [*inputs.values(), *outputs.values()])


def test_s3_workspace_images_schema(schema):
    resource = schema["resources"]["gitpod-registry:index:S3WorkspaceImages"]
    assert sorted(resource["requiredInputs"]) == ["clusterName", "namespace", "region"]
    assert resource["inputProperties"]["keyGeneration"]["type"] == "integer"
    assert resource["inputProperties"]["keepPreviousKey"]["type"] == "boolean"
    assert set(resource["properties"]) == {
        "bucketName",
        "bucketArn",
        "userName",
        "secretName",
        "s3storage",
        "containerRegistry",
    }


def test_the_schema_marks_exactly_the_declared_credentials_secret_and_no_output(schema):
    """Secrecy comes from the declaration (`PasswordInput`), whatever a property is called; outputs never carry
    a credential (the components keep them inside Kubernetes secrets)."""
    from components.package import credential_inputs

    marked = set()
    for token, spec in {**schema["resources"], **schema["types"]}.items():
        owner = token.rsplit(":", 1)[-1]
        inputs = spec.get("inputProperties") if token in schema["resources"] else spec.get("properties")
        for name, prop in (inputs or {}).items():
            if prop.get("secret"):
                marked.add((owner, name))
                assert "secret" in (prop.get("description") or "").lower(), f"{token}.{name}: say it is secret"
        if token in schema["resources"]:
            outputs = [name for name, prop in spec.get("properties", {}).items() if prop.get("secret")]
            assert not outputs, f"{token}: secret outputs {outputs}"
    assert marked == credential_inputs(exported_components())
    assert ("WorkspaceImagesArgs", "secretAccessKey") in marked


def test_the_plugin_directory_is_provider_and_the_root_stays_the_stack_program():
    """The CLI runs the folder holding PulumiPlugin.yaml as `python <folder> <engine>` when it has a
    __main__.py (pulumi-language-python RunPlugin) and ignores `main:` (workspace.PluginProject), so
    the manifest must sit beside the provider host, never beside the stack program."""
    assert not (ROOT / "PulumiPlugin.yaml").exists(), "the CLI would start the stack program as the provider"
    manifest = yaml.safe_load((ROOT / "provider" / "PulumiPlugin.yaml").read_text())
    assert set(manifest) <= {"runtime", "packages", "requiredPulumiVersion", "template"}, manifest
    assert manifest["runtime"]["name"] == "python"
    # uv finds the repository's pyproject.toml and uv.lock above provider/ (sdk/python/toolchain/uv.go).
    assert manifest["runtime"]["options"] == {"toolchain": "uv", "virtualenv": "venv"}
    assert not (ROOT / "provider" / "pyproject.toml").exists() and not (ROOT / "provider" / "uv.lock").exists()
    assert "main(provider(), sys.argv[1:])" in (ROOT / "provider" / "__main__.py").read_text()
    assert "provider/venv/" in (ROOT / ".gitignore").read_text().splitlines()
    assert "GitpodImageRegistries" in (ROOT / "__main__.py").read_text()


def test_a_fraction_for_an_integer_is_an_input_error_on_the_schema_path():
    served = provider()
    with pytest.raises(pulumi.InputPropertyError) as raised:
        served.map_inputs(
            {"clusterName": "prod", "namespace": "gitpod", "workspaceImages": {"backend": "s3", "keyGeneration": 1.5}},
            served._component_defs["GitpodImageRegistries"],
        )
    assert (raised.value.property_path, raised.value.reason) == (
        "workspaceImages.keyGeneration",
        "expected a whole number, got 1.5",
    )


@pytest.mark.parametrize(
    ("error", "path"),
    [
        (InvalidInput("workspace_images.backend", "no"), "workspaceImages.backend"),
        (InvalidInput("base_images.registries[1].password", "no"), "baseImages.registries[1].password"),
        (InvalidInput("component_images.password", "no"), "componentImages.password"),
        (InvalidInput("air_gap.registry", "no"), "airGap.registry"),
    ],
)
def test_an_invalid_input_is_named_as_the_schema_spells_it(error, path):
    assert (error.where("schema"), error.problem_in("schema")) == (path, "no")
    assert provider().in_schema_words("GitpodImageRegistries", "cannot be combined with air_gap") == (
        "cannot be combined with airGap"
    )


def test_an_invalid_input_is_asked_for_the_schemas_spelling_of_the_arguments_it_mentions():
    error = InvalidInput("workspace_images", f"cannot be combined with {ref('air_gap.registry')}")
    assert error.problem_in("schema") == "cannot be combined with airGap.registry"


def test_inputs_from_other_languages_reach_the_components_as_python_values():
    """Numbers arrive as floats over gRPC; the provider maps names and hands the components ints."""
    served = provider()
    registries = served.map_inputs(
        {"clusterName": "prod", "namespace": "gitpod", "workspaceImages": {"backend": "s3", "keyGeneration": 2.0}},
        served._component_defs["GitpodImageRegistries"],
    )
    assert registries == {
        "cluster_name": "prod",
        "namespace": "gitpod",
        "workspace_images": {"backend": "s3", "key_generation": 2},
    }
    assert type(registries["workspace_images"]["key_generation"]) is int
    s3 = served.map_inputs(
        {"clusterName": "prod", "namespace": "gitpod", "region": "eu-west-1", "keyGeneration": 3.0},
        served._component_defs["S3WorkspaceImages"],
    )
    assert check_s3_args(s3).rotation.key_generation == 3


def test_components_import_each_other_relatively():
    for module in (ROOT / "components").rglob("*.py"):
        text = module.read_text()
        assert "from components" not in text and "import components" not in text, module


def test_component_reference_tables_are_current(schema):
    page = docs.PAGE.read_text()
    assert docs.render(page, schema) == page, f"{docs.PAGE.name} tables are stale: run `python -m offline.docs`"
    assert "`clusterName` (`cluster_name`)" in page


def test_changelog_and_package_version_move_together():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    headings = re.findall(r"^## \[([^\]]+)\]", changelog, re.MULTILINE)
    assert headings[:1] == ["Unreleased"], "CHANGELOG.md must start with ## [Unreleased]"
    assert headings[1:2] == [version], (
        f"newest release in CHANGELOG.md is {headings[1:2]}, pyproject.toml says {version}"
    )
    policy = tomllib.loads((ROOT / "policy" / "pyproject.toml").read_text())["project"]["version"]
    assert policy == version, f"policy/pyproject.toml says {policy}, pyproject.toml says {version}"


def _locked(lock: Path) -> dict[str, str]:
    return {package["name"]: package["version"] for package in tomllib.loads(lock.read_text())["package"]}


def test_the_policy_pack_locks_the_sdk_versions_the_program_and_its_tests_use():
    """policy/uv.lock is the pack's own (it is published alone), but it runs against the program's
    resources, and tests/test_policy_pack.py runs it in the program's environment: same versions."""
    program, pack = _locked(ROOT / "uv.lock"), _locked(ROOT / "policy" / "uv.lock")
    shared = {name: (program[name], version) for name, version in pack.items() if name in program}
    assert {"pulumi", "pulumi-policy", "grpcio", "protobuf"} <= set(shared)
    assert {name: pair for name, pair in shared.items() if pair[0] != pair[1]} == {}


def test_package_exports_its_args_types():
    assert {"GitpodImageRegistriesArgs", "S3WorkspaceImagesArgs", "WorkspaceImagesArgs"} <= set(components.__all__)


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory) -> Path:
    """A virtualenv with nothing but the built wheel and the dependencies it declares."""
    tmp = tmp_path_factory.mktemp("consumer")
    wheel = session_wheel(tmp_path_factory)
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    # Same versions as the program: the wheel's declared dependencies, held to what uv.lock pins.
    pins = tmp / "pins.txt"
    subprocess.run(
        [uv(), "export", "-q", "--frozen", "--no-dev", "--no-hashes", "--no-header", "--output-file", str(pins)],
        check=True,
        cwd=ROOT,
    )
    install = subprocess.run(
        [uv(), "pip", "install", "-q", "--python", str(venv / "bin" / "python"), "--constraint", str(pins), str(wheel)],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    return venv


def test_example_consumer_runs_from_the_installed_wheel(fresh_venv):
    result = subprocess.run(
        [str(fresh_venv / "bin" / "python"), str(ROOT / "tests" / "consumer_runner.py")],
        capture_output=True,
        text=True,
        cwd=fresh_venv.parent,
        check=True,
    )
    report = json.loads(result.stdout)
    assert report["error"] is None, report["error"]
    assert report["package_file"].startswith(str(fresh_venv)), report["package_file"]
    assert report["repo_components_imported"] is False
    resources = {r["name"]: r for r in report["resources"]}
    kube = resources["gitpod-cluster"]
    aws = resources["registry-account"]
    assert kube["type"] == "pulumi:providers:kubernetes" and aws["type"] == "pulumi:providers:aws"
    secret = resources["gitpod-workspace-images-secret"]
    assert secret["type"] == "kubernetes:core/v1:Secret"
    assert secret["provider"].startswith(kube["urn"] + "::"), secret
    assert secret["inputs"]["type"] == "Opaque"
    assert secret["inputs"]["stringData"] == {"s3AccessKey": "[secret]", "s3SecretKey": "[secret]"}, (
        "the credentials reached the engine in plain text"
    )
    bucket = resources["gitpod-workspace-images-bucket"]
    assert bucket["provider"].startswith(aws["urn"] + "::"), bucket
    assert bucket["protect"] is True
    assert resources["gitpod"]["type"] == "gitpod-registry:index:GitpodImageRegistries"
    assert "registry.example.com/gitpod" in report["outputs"]["installerConfigYaml"]
    # The policy pack holds for what a consumer builds with the components, too.
    registered = [
        Resource(r["urn"], r["type"], r["name"], r["parent"], True, r["protect"], r["inputs"], provider=r["provider"])
        for r in report["resources"]
    ]
    assert violations(registered) == []


def test_the_provider_host_serves_the_same_schema_over_grpc():
    """Starts provider/ the way the CLI does and asks it for its schema, as `pulumi package add` would."""
    import grpc
    from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

    host = subprocess.Popen(
        # As the language host runs it: `python <plugin dir> <engine address>` (RunPlugin).
        [sys.executable, str(ROOT / "provider"), "127.0.0.1:1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(host.stdout.readline().strip() or 0)
        assert port, host.stderr.read() if host.poll() is not None else "the provider printed no port"
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            served = json.loads(stub.GetSchema(provider_pb2.GetSchemaRequest(version=0), timeout=30).schema)
    finally:
        host.terminate()
        host.wait(timeout=30)
    assert served["name"] == "gitpod-registry"
    assert served["version"] == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert served["resources"] == docs.package_schema()["resources"]


def test_requirements_txt_is_the_lock_for_pip():
    """requirements.txt is uv.lock's pins, hashed, for those who install with pip."""
    assert docs.REQUIREMENTS.read_text() == docs.requirements(), "run `python -m offline.docs`"


def test_components_are_built_through_their_constructors_only(monkeypatch):
    """One build path per component: every component a shipped stack registers ran its own constructor (nothing
    registers one past `__init__`), and each exported one was handed checked values there, the composite's
    children too: a direct caller's Args are checked in that same constructor."""
    from components.package import PACKAGE_NAME, exported_components
    from offline.engine import evaluate, shipped_stacks

    def ours(cls: type) -> list[type]:  # the package's components, exported or not
        inner = [c for sub in cls.__subclasses__() for c in ours(sub)]
        return [cls] * cls.__module__.startswith("components.") + inner

    built: list[tuple[str, str, type]] = []
    for component in ours(pulumi.ComponentResource):

        def spy(self, name, args, opts=None, _original=component.__init__, _component=component):
            built.append((f"{PACKAGE_NAME}:index:{_component.__name__}", name, type(args)))
            _original(self, name, args, opts)

        monkeypatch.setattr(component, "__init__", spy)
    for stack in shipped_stacks():
        built.clear()
        evaluation = evaluate(stack)
        assert evaluation.error is None, (stack, evaluation.error)
        registered = [(r.type, r.name) for r in evaluation.resources if r.type.startswith(f"{PACKAGE_NAME}:index:")]
        assert sorted(registered) == sorted((token, name) for token, name, _ in built), stack
        exported = {f"{PACKAGE_NAME}:index:{c.__name__}" for c in exported_components()}
        plain = [token for token, _, given in built if token in exported and issubclass(given, dict)]
        assert not plain, f"{stack}: built from unchecked Args"


def test_secrecy_comes_from_the_declared_type_not_the_name():
    """An input annotated PasswordInput is secret in the schema whatever it is called; a `password`
    declared as plain text is not (the schema and the config spec read the same declarations)."""
    from typing import NotRequired, TypedDict

    import pulumi

    from components.config_spec import SPEC
    from components.kubernetes.dockerconfig import PasswordInput
    from components.package import credential_inputs, exported_components

    class TokenArgs(TypedDict):
        bearer: NotRequired[PasswordInput]
        password: str

    class Tokened(pulumi.ComponentResource):
        def __init__(self, name: str, args: TokenArgs, opts: pulumi.ResourceOptions | None = None) -> None: ...

    assert credential_inputs([Tokened]) == {("Tokened", "bearer")}

    declared = credential_inputs(exported_components())

    def walk(field) -> None:
        for sub in field.fields:
            if field.schema_type:
                assert sub.secret == ((field.schema_type, sub.key) in declared), (field.schema_type, sub.key)
            walk(sub)

    walk(SPEC)
    assert ("WorkspaceImagesArgs", "secretAccessKey") in declared and ("AirGapArgs", "password") in declared
