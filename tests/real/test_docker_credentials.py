"""Every `.dockerconfigjson` the program produces, used by a real client against a real registry.

For each secret and registry host the scenario names, a docker-registry with htpasswd auth for the
intended username and password (one per login, shared by the module's tests, each test at its own
repository or with its own image content) is used, only that host's key is rewritten to the local
registry, and skopeo pushes and pulls with `--authfile`. bcrypt reads only 72 bytes of a password, so a
recording server checks what skopeo sends byte for byte as well. Each registry keeps its images in memory
(the tests check logins, not storage) and is checked once, as it starts, to refuse anonymous clients.
"""

from __future__ import annotations

import base64
import functools
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from components.kubernetes.dockerconfig import docker_config_json
from conftest import AWS, run
from gitpod_runtime import dockerconfig_documents as dockerconfig_secrets
from offline.engine import Evaluation
from offline.mocks import fake_service_account_key

from .dockerconfig_harness import BasicAuthRecorder, htpasswd_auth, rehost
from .oci import read_files, write_image
from .registry import Registry, skopeo_copy
from .scenarios import PROGRAM_SCENARIOS, Intended, ProgramScenario

pytestmark = pytest.mark.heavy(17)

Login = tuple[str, str]
# What skopeo's error says when docker-registry answers 401 (distribution's errcode UNAUTHORIZED).
UNAUTHORIZED = "unauthorized"


@dataclass(frozen=True)
class Scenario:
    id: str
    build: Callable[[], tuple[dict[str, dict], Intended]]
    """Returns the decoded documents by secret name, and the intended credentials."""


GCP_KEY = json.dumps(fake_service_account_key("gitpod-registry@acme-prod.iam.gserviceaccount.com", "acme-prod"))
BUILDER_CREDENTIALS = [
    ("europe-west1-docker.pkg.dev", "_json_key", GCP_KEY),
    ("registry.example.com:5000", "robot$gitpod", "p@ss:w0rd/with+symbols="),
    ("docker.io", "acme", "dckr_pat_0123456789abcdef"),
]


def builder_documents() -> tuple[dict[str, dict], Intended]:
    """The pure builder every dockerconfig secret is made with, for a GCP key, a private host and Docker Hub."""
    document = json.loads(docker_config_json(BUILDER_CREDENTIALS))
    return {"builder": document}, {("builder", host): (user, password) for host, user, password in BUILDER_CREDENTIALS}


@functools.cache
def evaluated(scenario_id: str) -> Evaluation:
    """One evaluation of the program per scenario for the module (collection and every test read it,
    none changes it): the documents come from it afresh each call, so no test sees another's edits."""
    (scenario,) = [s for s in PROGRAM_SCENARIOS if s.id == scenario_id]
    return scenario.evaluate()


def program_documents(scenario: ProgramScenario) -> Callable[[], tuple[dict[str, dict], Intended]]:
    """From the real program: its dockerconfigjson secrets, and what the scenario's config meant."""

    def build() -> tuple[dict[str, dict], Intended]:
        evaluation = evaluated(scenario.id)
        return dockerconfig_secrets(evaluation), scenario.intended(evaluation)

    return build


SCENARIOS = [Scenario("dockerconfig-builder", builder_documents)] + [
    Scenario(s.id, program_documents(s)) for s in PROGRAM_SCENARIOS
]
CASES = [
    pytest.param(scenario, secret, host, id=f"{scenario.id}-{secret}-{host}")
    for scenario in SCENARIOS
    for (secret, host) in scenario.build()[1]
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_every_credential_the_program_writes_is_checked(scenario):
    documents, intended = scenario.build()
    written = {(secret, host) for secret, document in documents.items() for host in document["auths"]}
    assert written == set(intended), f"{scenario.id}: written {sorted(written)}, scenario covers {sorted(intended)}"


def authfile(tmp_path: Path, document: dict) -> Path:
    path = tmp_path / "auth.json"
    path.write_text(json.dumps(document))
    return path


@pytest.fixture(scope="module")
def start_registry(
    registry_tools: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str, str], Registry]]:
    """The module's docker-registry for a login, started when a test first needs it, stopped with the
    module: a start costs more than a test's pushes and pulls, and many tests share a login."""
    workdir = tmp_path_factory.mktemp("credential-registries")
    started: dict[Login, Registry] = {}

    def start(username: str, password: str) -> Registry:
        if (username, password) not in started:
            # A directory each: htpasswd files are named by username, and logins share usernames.
            home = workdir / f"login-{len(started)}"
            home.mkdir()
            storage = {"inmemory": {}}
            registry = Registry(home, storage, htpasswd_auth(home, username, password))
            started[username, password] = registry
            assert_refuses_anonymous_clients(registry, home / "anonymous-check", (username, password))
        return started[username, password]

    yield start
    for registry in started.values():
        registry.stop()


def assert_refuses_anonymous_clients(registry: Registry, workdir: Path, login: Login) -> None:
    """The registry does check: without a login skopeo's push and its pull of an image that is there are both
    refused as unauthorized. Once per registry, for every test that uses it: no test's document can
    pass because the registry lets anyone in."""
    files = {"hello.txt": b"only for the login\n"}
    write_image(workdir / "image", "v1", files)
    registry.upload(workdir / "image", "v1", "workspace-images/anonymous-check", login)
    anonymous = authfile(workdir, {"auths": {}})
    target = f"docker://{registry.host}/workspace-images/anonymous-check:v1"
    pulled = skopeo_copy(target, f"oci:{workdir / 'pulled'}:v1", anonymous)
    pushed = skopeo_copy(f"oci:{workdir / 'image'}:v1", f"{target}-pushed", anonymous)
    for refused in (pulled, pushed):
        assert refused.returncode != 0 and UNAUTHORIZED in refused.stderr.lower(), refused.stderr


@pytest.fixture(scope="module")
def recording_server(registry_tools: None) -> Iterator[BasicAuthRecorder]:
    server = BasicAuthRecorder()
    yield server
    server.stop()


@pytest.fixture
def recorder(recording_server: BasicAuthRecorder) -> BasicAuthRecorder:
    """The module's recording server, holding only what this test's clients send."""
    recording_server.headers.clear()
    return recording_server


_checks = itertools.count()


def own_repository() -> str:
    """A repository no other test uses on the shared registry; its name is in the image's layer, so
    nothing another test pushed can answer a pull, and skopeo cannot skip an upload by mounting a blob."""
    return f"workspace-images/credentials-check-{next(_checks)}"


def push_and_pull(registry: Registry, tmp_path: Path, auth: Path, repository: str) -> str | None:
    files = {"hello.txt": f"workspace image layer of {repository}\n".encode()}
    write_image(tmp_path / "image", "v1", files)
    target = f"docker://{registry.host}/{repository}:v1"
    pushed = skopeo_copy(f"oci:{tmp_path / 'image'}:v1", target, auth)
    if pushed.returncode != 0:
        return f"push failed: {pushed.stderr}"
    pulled = skopeo_copy(target, f"oci:{tmp_path / 'pulled'}:v1", auth)
    if pulled.returncode != 0:
        return f"pull failed: {pulled.stderr}"
    assert read_files(tmp_path / "pulled") == files
    return None


@pytest.mark.parametrize(("scenario", "secret", "host"), CASES)
def test_skopeo_pushes_and_pulls_with_the_document(scenario, secret, host, start_registry, tmp_path):
    documents, intended = scenario.build()
    registry = start_registry(*intended[(secret, host)])
    document, repository = rehost(documents[secret], host, registry.host), own_repository()
    # The registry refuses anyone without the login (checked once as it starts: start_registry).
    assert push_and_pull(registry, tmp_path, authfile(tmp_path, document), repository) is None


@pytest.mark.parametrize(("scenario", "secret", "host"), CASES)
def test_skopeo_sends_exactly_the_intended_username_and_password(scenario, secret, host, recorder, tmp_path):
    documents, intended = scenario.build()
    auth = authfile(tmp_path, rehost(documents[secret], host, recorder.host))
    (tmp_path / "image").mkdir()
    skopeo_copy(f"docker://{recorder.host}/workspace-images/x:v1", f"oci:{tmp_path / 'image'}:v1", auth)
    assert recorder.credentials() == {intended[(secret, host)]}


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


BROKEN = {
    # auth not base64 at all, as when username:password is pasted in plain
    "plain-auth": lambda user, password: f"{user}:{password}",
    # username and password swapped
    "swapped-auth": lambda user, password: _b64(f"{password}:{user}"),
    # `echo user:password | base64` adds a newline (gitpod PR #8550)
    "newline-in-auth": lambda user, password: _b64(f"{user}:{password}\n"),
    # the base64 form of the key where the decoded JSON belongs
    "base64-key-as-password": lambda user, password: _b64(f"{user}:{_b64(password)}"),
}


def broken_document(host: str, local_host: str, mistake: str) -> tuple[dict, tuple[str, str]]:
    documents, intended = builder_documents()
    user, password = intended[("builder", host)]
    document = rehost(documents["builder"], host, local_host)
    document["auths"][local_host] = {**document["auths"][local_host], "auth": BROKEN[mistake](user, password)}
    return document, (user, password)


@pytest.mark.parametrize("mistake", sorted(BROKEN))
def test_a_broken_auth_entry_fails_against_the_registry(mistake, start_registry, tmp_path):
    host = "registry.example.com:5000"
    _, (user, password) = broken_document(host, "local", mistake)
    registry = start_registry(user, password)
    document, _ = broken_document(host, registry.host, mistake)
    assert push_and_pull(registry, tmp_path, authfile(tmp_path, document), own_repository()) is not None


@pytest.mark.parametrize("mistake", sorted(BROKEN))
def test_a_broken_auth_entry_for_a_long_key_is_caught_exactly(mistake, recorder, tmp_path):
    # htpasswd would miss a change past bcrypt's 72 bytes (the newline after a key JSON): compare exactly.
    document, intended = broken_document("europe-west1-docker.pkg.dev", recorder.host, mistake)
    (tmp_path / "image").mkdir()
    skopeo_copy(
        f"docker://{recorder.host}/workspace-images/x:v1", f"oci:{tmp_path / 'image'}:v1", authfile(tmp_path, document)
    )
    assert intended not in recorder.credentials()


def test_the_s3_backend_produces_no_dockerconfig_secret():
    # With the in-cluster registry the installer makes its own registry auth secret.
    assert dockerconfig_secrets(run("dev", AWS)) == {}


def _reference(image: str, host: str) -> tuple[str, str]:
    """(repository path, tag) of an image reference on `host`; Docker Hub shorthand gets its library/ path."""
    name = image.split("/", 1)[1] if image.split("/", 1)[0] in (host, "index.docker.io") and "/" in image else image
    if host == "docker.io" and "/" not in name:
        name = f"library/{name}"
    path, _, tag = name.rpartition(":")
    return path, tag


RUNTIME_READS = [
    pytest.param(scenario, pull, secret, login, id=f"{scenario.id}-{pull.reader}-{secret}-{pull.host}")
    for scenario in PROGRAM_SCENARIOS
    for pull, secret, login in scenario.reads(evaluated(scenario.id))
]


@pytest.mark.parametrize(("scenario", "pull", "secret", "login"), RUNTIME_READS)
def test_each_reader_pulls_its_image_with_exactly_the_secret_gitpod_gives_it(
    scenario, pull, secret, login, start_registry, tmp_path
):
    """The image a Gitpod reader pulls (or pushes), at its own path, from a registry that accepts only the
    intended login, with nothing but the document of the secret that reader reads."""
    registry = start_registry(*login)
    path, tag = _reference(pull.image, pull.host)
    # Content of this test's own: the registry is shared with tests that may use the same path and tag,
    # and only this test's push can make the pull below return it.
    files = {"layer.txt": f"{scenario.id} {secret} {pull.reader} {pull.image}\n".encode()}
    write_image(tmp_path / "image", tag, files)
    target = f"docker://{registry.host}/{path}:{tag}"
    documents = dockerconfig_secrets(evaluated(scenario.id))
    (tmp_path / "reader").mkdir()
    reader_auth = tmp_path / "reader" / "auth.json"
    reader_auth.write_text(json.dumps(rehost(documents[secret], pull.host, registry.host)))
    if pull.push:
        # The reader pushes the image itself, every blob uploaded fresh.
        pushed = skopeo_copy(f"oci:{tmp_path / 'image'}:{tag}", target, reader_auth)
        assert pushed.returncode == 0, pushed.stderr
    else:
        # Set-up with the intended login, not under test: over the registry API, without a skopeo process.
        registry.upload(tmp_path / "image", tag, path, login)
    pulled = skopeo_copy(target, f"oci:{tmp_path / 'pulled'}:{tag}", reader_auth)
    assert pulled.returncode == 0, pulled.stderr
    # The registry refuses a pull without the login (checked once as it starts: start_registry).
    assert read_files(tmp_path / "pulled") == files
