"""Classes of hostile and careless input (issue 24), each generated, each refused where its rule lives.

- One key, two spellings (offline/stack_file.py, components/stack_config.py): the CLI decodes `config:` into
  a Go map and re-keys it by ParseKey (pulumi/pulumi sdk/go/common/resource/config/map.go,
  Map.UnmarshalYAML), so with `protectData` and `gitpod-registry:protectData` in one file `pulumi up` keeps
  either at random.
- A value must match its grammar whole: `re.match(...$)` lets "prod\\n" (a `key: |` block scalar) through.
- Every type is checked before it is used, and any error from parsing a certificate is a refusal.

Each generated case must end in a clean refusal: one line, naming the key, registering nothing.
"""

from __future__ import annotations

import ast
import base64
import copy
import datetime
import re
import tempfile
from pathlib import Path
from typing import Any

import pulumi
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID, ObjectIdentifier
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.config_spec import SPEC
from components.kubernetes.custom_ca import check_ca_certificates
from components.kubernetes.dockerconfig import check_username
from components.stack_config import InvalidConfig, load
from components.validation import InvalidInput
from components.workspace_images import BACKENDS
from offline.engine import PROJECT_DIR, evaluate, program_config
from offline.stack_file import StackFileError, stack_values

pytestmark = pytest.mark.heavy(4)

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
EVALUATING = settings(SETTINGS, max_examples=50)  # each example runs the whole program (about 50 ms)

PROJECT = "gitpod-registry"
W = f"{PROJECT}:workspaceImages"
PROVIDERS = {"aws:region": "eu-west-1", "gcp:project": "acme-gitpod", "gcp:region": "europe-west1"}


def _ca(name: str = "Acme Root CA", extensions: tuple = ()) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(key, hashes.SHA256()), key


def _pem(der: bytes) -> str:
    return "-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(der).decode() + "-----END CERTIFICATE-----\n"


CA, CA_KEY = _ca()
CA_DER = CA.public_bytes(serialization.Encoding.DER)

CATALOGUE: list[dict[str, Any]] = [
    {
        W: {"backend": "s3", "region": "eu-west-1", "bucket": "acme-gitpod-images"},
        f"{PROJECT}:clusterName": "prod-eu",
        f"{PROJECT}:namespace": "gitpod",
        f"{PROJECT}:baseImages": {"workspaceImage": "quay.io/acme/dev:1"},
    },
    {
        W: {
            "backend": "artifact-registry",
            "project": "acme-gitpod",
            "location": "europe-west1",
            "repository": "gitpod",
            "serviceAccount": "sa-name1@acme-gitpod.iam.gserviceaccount.com",
            "cleanupOlderThanDays": 90,
            "keyGeneration": 2,
            "keepPreviousKey": True,
        },
    },
    {
        W: {
            "backend": "acr",
            "resourceGroup": "gitpod",
            "location": "westeurope",
            "registryName": "acmegitpod",
            "sku": "Premium",
            "purgeSchedule": "30 2 * * 0",
        }
    },
    {
        W: {"backend": "external", "url": "harbor.example.com/gitpod", "username": "robot", "password": "pw-1"},
        f"{PROJECT}:componentImages": {
            "repository": "mirror.example.com/gitpod",
            "username": "robot",
            "password": "pw-2",
            "dropImageRepo": True,
        },
        f"{PROJECT}:baseImages": {
            "registries": [{"server": "harbor2.example.com", "username": "robot", "password": "pw-3"}]
        },
        f"{PROJECT}:protectData": False,
    },
    {
        W: {
            "backend": "s3-compatible",
            "endpoint": "minio.example.com:9000",
            "bucket": "gitpod-registry",
            "region": "us-east-1",
            "accessKeyId": "AKIDEXAMPLE",
            "secretAccessKey": "secret-example",
        }
    },
    {
        f"{PROJECT}:airGap": {"registry": "registry.internal.example.com/gitpod", "username": "robot", "password": "p"},
        f"{PROJECT}:customCaCert": {"certificate": _pem(CA_DER), "namespace": "cert-manager"},
    },
    {W: {"backend": "in-cluster"}},
    {
        "gcp:region": "europe-west1",
        W: {
            "backend": "artifact-registry",
            "project": "acme-images",
            "login": "workload-identity",
            "gkeClusterName": "gitpod-eu",
            "gkeClusterLocation": "europe-west1-b",
            "gkeClusterProject": "acme-clusters",
            "refreshInterval": "2m",
        },
    },
    {
        W: {
            "backend": "ecr",
            "region": "eu-west-1",
            "oidcProviderArn": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF01",
            "refreshInterval": "4h",
            "kmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/0123abcd-0123-4567-89ab-0123456789ab",
        },
    },
    {
        W: {"backend": "ecr", "region": "eu-west-1", "eksClusterName": "prod-eu"},
        f"{PROJECT}:externalSecretsOperator": {"install": True, "namespace": "external-secrets"},
    },
]
"""Valid configs that between them give every field of the config spec a value."""


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    """Every place in a config: each key, and each item of a list, at every depth."""
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


def _string_leaves(config: dict) -> list[tuple]:
    return [path for path in _paths(config) if isinstance(_get(config, path), str)]


def _get(config: Any, path: tuple) -> Any:
    for part in path:
        config = config[part]
    return config


def _with(config: dict, path: tuple, value: Any) -> dict:
    changed = copy.deepcopy(config)
    target = changed
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return changed


def _evaluate(config: dict):
    return evaluate("prop", {**PROVIDERS, **config}, use_stack_file=False)


def _read_or_refuse(config: dict) -> None:
    """What the program does with its config before it registers anything (stack_config.load, as
    __main__.py calls it): a checked value or a one-line refusal, never another exception. The sweeps
    below go through this alone, so that hundreds of configs cost what reading them costs; the
    generated tests after them evaluate the whole program."""
    values, _ = program_config("prop", {**PROVIDERS, **config}, use_stack_file=False)
    try:
        load(values, "prop")
    except InvalidConfig as refused:
        assert "\n" not in str(refused), str(refused)


def _assert_refused(evaluation, key: str | None = None) -> str:
    error = evaluation.error
    assert error is not None, "accepted"
    assert isinstance(error, (pulumi.RunError, StackFileError)), f"{type(error).__name__}: {error} (a traceback)"
    message = str(error)
    assert "\n" not in message, message
    assert evaluation.resources == [], "registered before refusing"
    if key is not None:
        assert key in message, message
    return message


def test_every_config_in_the_catalogue_plans():
    for config in CATALOGUE:
        evaluation = _evaluate(config)
        assert evaluation.error is None, evaluation.error


def _spec_keys(fields, prefix: str):
    for field in fields:
        key = f"{prefix}{field.key}"
        yield key, field.kind
        if field.fields and field.name != "workspace_images":
            yield from _spec_keys(field.fields, f"{key}.")


def test_the_catalogue_gives_every_string_field_of_the_spec_a_value():
    given = {".".join(p for p in path if isinstance(p, str)) for c in CATALOGUE for path in _paths(c)}
    expected = dict(_spec_keys(SPEC.fields, f"{PROJECT}:"))
    for backend in BACKENDS:
        expected |= dict(_spec_keys(SPEC.field("workspace_images").fields_for(backend), f"{W}."))
    missing = sorted(key for key, kind in expected.items() if kind == "string" and key not in given)
    assert not missing, f"give these string fields a value in CATALOGUE: {missing}"


# --- One key, two spellings -------------------------------------------------------------------------------


def _spellings(name: str, namespace: str = PROJECT) -> list[str]:
    """The ways a stack file can name one key (config/key.go, ParseKey)."""
    short = [name] if namespace == PROJECT else []
    return [*short, f"{namespace}:{name}", f"{namespace}:config:{name}"]


def _stack_file(tmp_path: Path, entries: list[tuple[str, str]]) -> Path:
    lines = ["config:"] + [f"  {key}: {value}" for key, value in entries]
    path = tmp_path / "Pulumi.twice.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


key_names = st.one_of(
    st.sampled_from([f.key for f in SPEC.fields]),
    st.from_regex(r"[a-z][A-Za-z0-9]{0,12}", fullmatch=True),
)
scalars = st.sampled_from(["true", "false", "gitpod", "'prod'", "42", "{backend: s3}", "[a, b]", "null"])


@SETTINGS
@given(
    st.data(),
    key_names,
    st.sampled_from([PROJECT, "aws", "kubernetes"]),
)
def test_one_key_in_two_spellings_is_refused_naming_both(data, name, namespace):
    first, second = data.draw(
        st.lists(st.sampled_from(_spellings(name, namespace)), min_size=2, max_size=2, unique=True)
    )
    others = data.draw(st.lists(st.tuples(st.sampled_from(["aws:profile", "other:key", "zz"]), scalars), max_size=2))
    entries = [(first, data.draw(scalars)), (second, data.draw(scalars)), *dict(others).items()]
    entries = data.draw(st.permutations(entries))
    with tempfile.TemporaryDirectory(prefix="twice-") as directory, pytest.raises(StackFileError) as refused:
        stack_values(_stack_file(Path(directory), entries), PROJECT)
    message = str(refused.value)
    assert "is given twice" in message and f"`{first}`" in message and f"`{second}`" in message, message
    assert "\n" not in message


def test_the_issues_examples_are_refused_before_the_program_runs(tmp_path):
    for entries in (
        [("gitpod-registry:protectData", "false"), ("protectData", "true")],
        [("namespace", "gitpod"), ("gitpod-registry:namespace", "other")],
        [("gitpod-registry:config:protectData", "false"), ("protectData", "true")],
        [("aws:region", "eu-west-1"), ("aws:config:region", "us-east-1")],
    ):
        _stack_file(tmp_path, [*entries, ("gitpod-registry:workspaceImages", "{backend: s3}")])
        evaluation = evaluate("twice", stack_dir=tmp_path)
        message = _assert_refused(evaluation, "is given twice")
        assert all(f"`{key}`" in message for key, _ in entries), message


def test_each_spelling_alone_is_still_read(tmp_path):
    workspace = "{backend: external, url: harbor.example.com, username: robot, password: pw}"
    for key in _spellings("namespace"):
        _stack_file(tmp_path, [(key, "team-a"), ("gitpod-registry:workspaceImages", workspace)])
        evaluation = evaluate("twice", stack_dir=tmp_path)
        assert evaluation.error is None, evaluation.error
        secret = evaluation.one("kubernetes:core/v1:Secret")
        assert secret.inputs["metadata"]["namespace"] == "team-a", secret.urn


def test_the_program_refuses_two_spellings_in_the_config_it_is_handed():
    config = {
        "gitpod-registry:protectData": "false",
        "gitpod-registry:config:protectData": "true",
        W: '{"backend": "s3"}',
    }
    with pytest.raises(InvalidInput, match=r"gitpod-registry:protectData: given twice, as gitpod-registry:config"):
        load(config, "dev")


# --- The whole value, or nothing ---------------------------------------------------------------------------

trailing = st.sampled_from(["\n", "\r\n", "\n\n", " \n", "\r", "\n "])
string_places = [
    (index, path)
    for index, config in enumerate(CATALOGUE)
    for path in _string_leaves(config)
    # A PEM block ends in a newline; the certificate's own text is checked block by block.
    if path[-1] != "certificate"
]


@EVALUATING
@given(st.sampled_from(string_places), trailing)
def test_a_valid_value_with_a_trailing_newline_is_refused(place, suffix):
    index, path = place
    config = CATALOGUE[index]
    evaluation = _evaluate(_with(config, path, _get(config, path) + suffix))
    key = path[0] + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path[1:])
    _assert_refused(evaluation, key)


def test_a_block_scalar_namespace_from_a_stack_file_is_refused(tmp_path):
    (tmp_path / "Pulumi.block.yaml").write_text(
        "config:\n  gitpod-registry:namespace: |\n    prod\n  gitpod-registry:workspaceImages:\n    backend: s3\n"
        "  aws:region: eu-west-1\n"
    )
    _assert_refused(evaluate("block", stack_dir=tmp_path), "gitpod-registry:namespace")


def _patterns(source: str) -> list[tuple[int, str]]:
    """The text of every regular expression compiled or matched in a module, f-strings by their literal parts."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
            continue
        if not (isinstance(node.func.value, ast.Name) and node.func.value.id == "re"):
            continue
        if node.func.attr not in ("compile", "match", "search", "fullmatch"):
            continue
        pattern = node.args[0]
        if isinstance(pattern, ast.Constant) and isinstance(pattern.value, str):
            found.append((node.lineno, pattern.value))
        elif isinstance(pattern, ast.JoinedStr):
            text = "".join(p.value if isinstance(p, ast.Constant) else "{}" for p in pattern.values)
            found.append((node.lineno, text))
    return found


def test_no_check_in_the_program_anchors_a_pattern_with_dollar():
    """`$` also matches before a final newline; a check uses fullmatch (or \\Z) so the whole value must match."""
    offenders = []
    for module in sorted((PROJECT_DIR / "components").rglob("*.py")):
        for line, pattern in _patterns(module.read_text()):
            if re.search(r"(?<!\\)\$", pattern):
                offenders.append(f"{module.relative_to(PROJECT_DIR)}:{line}: {pattern}")
    assert not offenders, "\n".join(offenders)


def test_digits_in_the_program_s_patterns_are_ascii():
    """`\\d` matches any Unicode digit (`eu-west-١`); names, ports and account ids take 0-9 only."""
    offenders = []
    for module in sorted((PROJECT_DIR / "components").rglob("*.py")):
        if "verify" in module.parts:
            continue
        for line, pattern in _patterns(module.read_text()):
            if "\\d" in pattern:
                offenders.append(f"{module.relative_to(PROJECT_DIR)}:{line}: {pattern}")
    assert not offenders, "\n".join(offenders)


# --- Every type checked before use ------------------------------------------------------------------------

wrong_types = st.one_of(
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.lists(st.sampled_from(["s3", "gitpod", 1, True]), max_size=2),
    st.dictionaries(st.sampled_from(["name", "backend", "server", "s3"]), st.sampled_from(["s3", 1, None]), max_size=2),
    st.sampled_from(["s3", "true", "gitpod", "x"]),
)
places = [(index, path) for index, config in enumerate(CATALOGUE) for path in _paths(config)]
top_level_keys = [f"{PROJECT}:{f.key}" for f in SPEC.fields]


# One value of each JSON type (and shapes people write: `[s3]`, `{name: s3}`), for exhaustive sweeps.
ONE_OF_EACH_TYPE = [True, 1, 1.5, [], ["s3"], {}, {"name": "s3"}, "x"]


def test_every_place_in_every_config_takes_a_value_of_each_type_without_a_crash():
    """Every key and list item of every catalogue config, given each type in turn (about 450 configs)."""
    for index, path in places:
        for value in ONE_OF_EACH_TYPE:
            _read_or_refuse(_with(CATALOGUE[index], path, value))


def test_every_key_added_to_every_config_with_a_value_of_each_type_is_not_a_crash():
    for config in CATALOGUE:
        for key in top_level_keys:
            for value in ONE_OF_EACH_TYPE:
                _read_or_refuse({**config, key: value})


@EVALUATING
@given(st.sampled_from(places), wrong_types)
def test_a_value_of_the_wrong_type_anywhere_is_refused_not_a_crash(place, value):
    index, path = place
    evaluation = _evaluate(_with(CATALOGUE[index], path, value))
    if evaluation.error is not None:
        _assert_refused(evaluation)


@EVALUATING
@given(st.sampled_from(range(len(CATALOGUE))), st.sampled_from(top_level_keys), wrong_types)
def test_any_key_added_with_any_value_is_planned_or_refused_not_a_crash(index, key, value):
    evaluation = _evaluate({**CATALOGUE[index], key: value})
    if evaluation.error is not None:
        _assert_refused(evaluation)


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({W: {"backend": ["s3"]}}, "gitpod-registry:workspaceImages.backend"),
        ({W: {"backend": {"name": "s3"}}}, "gitpod-registry:workspaceImages.backend"),
        ({**CATALOGUE[5], f"{PROJECT}:baseImages": True}, "gitpod-registry:baseImages"),
        ({**CATALOGUE[5], f"{PROJECT}:baseImages": ["registries"]}, "gitpod-registry:baseImages"),
    ],
    ids=["backend-list", "backend-object", "air-gap-base-images-true", "air-gap-base-images-list"],
)
def test_the_issues_crashes_are_refusals(config, key):
    _assert_refused(_evaluate(config), key)


# Extensions a CA may carry; one of them twice is what RFC 5280 forbids (4.2: "MUST NOT include more than
# one instance of a particular extension") and cryptography raises DuplicateExtension for.
_SKI = x509.SubjectKeyIdentifier.from_public_key(CA_KEY.public_key())
EXTENSIONS = [
    x509.BasicConstraints(ca=True, path_length=None),
    x509.KeyUsage(True, False, False, False, False, True, True, False, False),
    _SKI,
    x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
    x509.UnrecognizedExtension(ObjectIdentifier("1.3.6.1.4.1.55555.7"), b"\x05\x00"),
]
_STAND_IN = ObjectIdentifier("2.5.28.99")  # encodes in 3 bytes, as every 2.5.29.x extension OID does


def _oid_der(oid: ObjectIdentifier) -> bytes:
    parts = [int(p) for p in oid.dotted_string.split(".")]
    body = bytes([40 * parts[0] + parts[1]])
    for part in parts[2:]:
        chunk = [part & 0x7F]
        while part > 0x7F:
            part >>= 7
            chunk.insert(0, 0x80 | (part & 0x7F))
        body += bytes(chunk)
    return bytes([6, len(body)]) + body


def _with_duplicate(extensions: list, twice: int) -> bytes:
    """A CA whose extension `twice` appears twice: signed with a stand-in OID of the same length, then the
    stand-in's bytes swapped for the real OID (the builder refuses duplicates; parsers see the bytes)."""
    duplicated = extensions[twice]
    real = _oid_der(duplicated.oid)
    stand_in = (
        _STAND_IN if len(real) == 5 else ObjectIdentifier(duplicated.oid.dotted_string[:-1] + "8")
    )  # same length as the real OID
    extra = x509.UnrecognizedExtension(stand_in, duplicated.public_bytes())
    chosen = [(e, False) for e in extensions if not isinstance(e, x509.BasicConstraints)]
    certificate, _ = _ca(extensions=(*chosen, (extra, False)))
    der = certificate.public_bytes(serialization.Encoding.DER)
    assert der.count(_oid_der(stand_in)) == 1
    return der.replace(_oid_der(stand_in), real)


@SETTINGS
@given(st.data())
def test_a_ca_with_an_extension_twice_is_refused(data):
    extensions = data.draw(st.lists(st.sampled_from(EXTENSIONS[1:]), unique_by=lambda e: e.oid, max_size=3))
    extensions = [EXTENSIONS[0], *extensions]
    twice = data.draw(st.integers(0, len(extensions) - 1))
    der = _with_duplicate(extensions, twice)
    with pytest.raises(InvalidInput, match=r"certificate 1 holds one X.509 extension twice"):
        check_ca_certificates("custom_ca_cert.certificate", _pem(der))


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, len(CA_DER) - 1), st.integers(0, 255), st.sampled_from("xdi")), max_size=4))
def test_any_damage_to_a_ca_s_der_is_accepted_or_refused_never_a_crash(edits):
    der = bytearray(CA_DER)
    for position, byte, how in edits:
        position = min(position, len(der) - 1)
        if how == "x":
            der[position] = byte
        elif how == "d":
            del der[position]
        else:
            der.insert(position, byte)
    try:
        check_ca_certificates("custom_ca_cert.certificate", _pem(bytes(der)))
    except InvalidInput as error:
        assert "\n" not in str(error)


def test_a_ca_with_a_duplicated_extension_is_refused_in_the_program():
    der = _with_duplicate([EXTENSIONS[0], EXTENSIONS[2]], 1)
    config = {**CATALOGUE[5], f"{PROJECT}:customCaCert": {"certificate": _pem(der)}}
    _assert_refused(_evaluate(config), "gitpod-registry:customCaCert.certificate")


# --- Characters a reviewer cannot see, in logins ------------------------------------------------------------


def _declared(fields: tuple) -> list:
    return [f for field in fields for f in (field, *_declared(field.fields))]


# A login is what a registry or a store authenticates with: every field declared secret, and every user name
# (declared with check_username as its own rule), from the config spec and every backend component's inputs.
LOGIN_FIELDS = {
    f.key
    for f in _declared((*SPEC.fields, *(i for b in BACKENDS.values() for i in b.inputs)))
    if f.secret or f.check is check_username
}
login_places = [(index, path) for index, path in string_places if path[-1] in LOGIN_FIELDS]
invisible = st.one_of(
    st.characters(categories=["Cf", "Zl", "Zp"]),
    st.characters(categories=["Zs"]).filter(lambda c: c != " "),
)


def test_every_declared_login_field_is_tried_with_invisible_characters():
    """A credential field declared later is in LOGIN_FIELDS by its declaration; it needs an example here."""
    assert {"username", "password"} <= LOGIN_FIELDS <= {path[-1] for _, path in login_places}


@EVALUATING
@given(st.sampled_from(login_places), invisible, st.floats(0, 1))
def test_a_login_with_a_format_or_separator_character_is_refused_without_showing_it(place, character, where):
    index, path = place
    config = CATALOGUE[index]
    value = _get(config, path)
    at_ = round(where * len(value))
    planted = value[:at_] + character + value[at_:]
    message = _assert_refused(_evaluate(_with(config, path, planted)), "a character a reviewer cannot see")
    assert planted not in message and f"U+{ord(character):04X}" in message, message


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", "ro\u200bbot"),  # zero-width space
        ("username", "\ufeffrobot"),  # a byte-order mark pasted from a file
        ("username", "robot\u202e"),  # right-to-left override
        ("password", "pw-1\u2028"),  # line separator
        ("password", "pw\u00a01"),  # no-break space
    ],
)
def test_the_issues_invisible_characters_are_refused(field, value):
    config = _with(CATALOGUE[3], (W, field), value)
    _assert_refused(_evaluate(config), f"{W}.{field}: contains a character a reviewer cannot see")


def test_a_plain_space_and_letters_beyond_ascii_stay_allowed_in_logins():
    config = _with(_with(CATALOGUE[3], (W, "username"), "ro bot"), (W, "password"), "pässwort mit leerzeichen")
    assert _evaluate(config).error is None


# --- Echoes: field names and non-secret values ---------------------------------------------------------------

# Shaped as password rules demand: lowercase, uppercase, a digit and a symbol, in any order.
password_shaped = st.builds(
    lambda parts, order: "".join(parts[i] for i in order),
    st.tuples(
        st.text("abcdefghjkmnpqrstuvwxyz", min_size=3, max_size=8),
        st.text("ABCDEFGHJKLMNPQRSTUVWXYZ", min_size=1, max_size=3),
        st.text("23456789", min_size=1, max_size=3),
        st.text("&%$!#*+=?^~", min_size=1, max_size=2),
    ),
    st.permutations(range(4)),
)
non_secret_places = [(index, path) for index, path in string_places if path[-1] not in LOGIN_FIELDS]
object_places = [
    (index, path)
    for index, config in enumerate(CATALOGUE)
    for path in _paths(config)
    if isinstance(_get(config, path), dict)
]


@EVALUATING
@given(st.sampled_from(non_secret_places), password_shaped)
def test_a_password_pasted_into_a_field_that_is_not_secret_is_not_printed_back(place, password):
    index, path = place
    evaluation = _evaluate(_with(CATALOGUE[index], path, password))
    if evaluation.error is not None:
        assert password not in _assert_refused(evaluation)


@EVALUATING
@given(
    st.sampled_from(object_places),
    st.one_of(
        password_shaped,
        password_shaped.map(lambda p: f"password:{p}"),  # `{password:S3CRET}` in flow style: one key
        st.builds(lambda h: f"robot:t{h}", st.text("abcdefghjkmnpqrstuvwxyz0123456789", min_size=8, max_size=12)),
    ),
)
def test_an_unknown_field_whose_name_may_hold_a_credential_is_refused_without_it(place, name):
    index, path = place
    config = CATALOGUE[index]
    evaluation = _evaluate(_with(config, path, {**_get(config, path), name: None}))
    message = _assert_refused(evaluation, "unknown field, its name not shown")
    assert name not in message and name.split(":")[-1] not in message, message


def test_the_issues_echoes_are_withheld(tmp_path):
    (tmp_path / "Pulumi.flow.yaml").write_text(
        "config:\n  aws:region: eu-west-1\n  gitpod-registry:workspaceImages:\n"
        "    {backend: external, url: harbor.example.com, username: robot, password:S3CRETs3cret}\n"
    )
    message = _assert_refused(evaluate("flow", stack_dir=tmp_path), "gitpod-registry:workspaceImages.(name not shown)")
    assert "S3CRET" not in message, message
    for index, path in ((0, (f"{PROJECT}:namespace",)), (2, (W, "resourceGroup")), (3, (W, "url"))):
        message = _assert_refused(_evaluate(_with(CATALOGUE[index], path, "Tr0ub4dor&3-horse")))
        assert "Tr0ub4dor" not in message and "not shown" in message, message


@pytest.mark.parametrize("value", ["Cert_Manager", "Europe West", "eu-west-9", "registry.example.com:5000/team"])
def test_names_as_people_write_them_are_still_quoted(value):
    from components.validation import may_hold_credential

    assert not may_hold_credential(value)
