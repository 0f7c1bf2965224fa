"""The `gitpod-registry` command: `gitpod-registry verify --config registry.yaml --secret secret.json ...`.

Exit codes: 0 every check passed, 1 a check failed, 2 the config, a secret file or an option is unusable.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from ..installer_config import CA_KEY, DEFAULT_NAMESPACE, PUSHED_REPOSITORIES, S3_KEYS
from .config import RegistryConfig, SecretRef, read_config
from .network import Transport
from .registry_checks import check_login, check_push_pull, split_url
from .renewal import (
    ExternalSecret,
    check_renewal,
    login_lifetimes,
    missing_check_cause,
    read_external_secret_files,
    read_external_secrets_from_cluster,
    written_by_controller,
)
from .report import CheckResult, Masker, Report
from .s3_checks import check_s3
from .secrets import InputError, Login, Secret, bare_host, credential_strings, docker_logins, read_from_cluster
from .secrets import read_secret_files as read_secrets

EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE_INPUT = 0, 1, 2
CONTROLLER_KIND = "ExternalSecret"


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="gitpod-registry", description="Tools for the registries of a Gitpod install.")
    commands = root.add_subparsers(dest="command", required=True)
    verify = commands.add_parser(
        "verify",
        help="check the deployed registries with the secrets Gitpod will use",
        description="Checks the registries in an installer config with the exact secrets Gitpod will use.",
    )
    verify.add_argument("--config", required=True, type=Path, help="the installerConfigYaml output (YAML or JSON)")
    verify.add_argument(
        "--secret",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="a Secret as `kubectl get secret NAME -o json` (or yaml) prints it; repeat for each",
    )
    verify.add_argument(
        "--external-secret",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="for a push secret External Secrets Operator writes: its ExternalSecret as `kubectl -n gitpod get "
        "externalsecret NAME -o json` prints it (or `get externalsecrets -o json`); checks Ready, the last refresh "
        "and the login's expiry",
    )
    verify.add_argument("--ca-file", type=Path, help="PEM CAs to trust (default: the customCACert secret if given)")
    verify.add_argument("--json", action="store_true", help="print a JSON report on stdout (lines go to stderr)")
    verify.add_argument(
        "--from-cluster",
        action="store_true",
        help="read secrets not given as files with kubectl (current context), and the ExternalSecret of a push "
        "secret External Secrets Operator writes",
    )
    verify.add_argument("--namespace", default=DEFAULT_NAMESPACE, help="namespace of the secrets for --from-cluster")
    verify.add_argument("--timeout", type=float, default=30.0, help="seconds per network request (default 30)")
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        config = read_config(args.config)
        secrets: dict[str, Secret | str] = dict(read_secrets(args.secret))
        externals: dict[str, ExternalSecret] | str = read_external_secret_files(args.external_secret)
        if args.ca_file is not None and not args.ca_file.is_file():
            raise InputError(f"--ca-file {args.ca_file}: no such file")
    except InputError as error:
        print(f"gitpod-registry verify: {error}", file=sys.stderr)
        return EXIT_UNUSABLE_INPUT
    if args.from_cluster:
        missing = [ref.name for ref in config.secret_refs() if ref.name not in secrets]
        secrets.update(read_from_cluster(missing, args.namespace))
        push = secrets.get(config.external_secret.name) if config.external_secret else None
        if isinstance(externals, dict) and isinstance(push, Secret) and push.name not in externals:
            if written_by_controller(push):
                externals = read_external_secrets_from_cluster(args.namespace)
    masker = Masker(credential_strings(s for s in secrets.values() if isinstance(s, Secret)))
    report = Report(masker, json_output=args.json)
    with tempfile.TemporaryDirectory(prefix="gitpod-registry-verify-") as workdir:
        transport = Transport(_ca_bundle(args.ca_file, config, secrets, Path(workdir)), args.timeout)
        for check in checks(config, secrets, transport, masker, externals, args.namespace):
            report.add(check())
    print(report.summary(), file=report.stream)
    if args.json:
        print(report.to_json())
    return EXIT_OK if report.ok else EXIT_FAILED


@dataclass(frozen=True)
class Check:
    """One check the config calls for: its name in the report, and how to run it."""

    name: str
    run: Callable[[], CheckResult]

    def __call__(self) -> CheckResult:
        try:
            result = self.run()
        except Exception as error:  # an unforeseen failure fails its check, not the run; the report masks it
            return CheckResult(self.name, ok=False, step="unexpected error", cause=f"{type(error).__name__}: {error}")
        result.name = self.name
        return result


def _ca_bundle(ca_file: Path | None, config: RegistryConfig, secrets: dict, workdir: Path) -> str | None:
    """--ca-file, else the customCACert secret's ca.crt (what Gitpod's components trust), else the defaults."""
    if ca_file is not None:
        return str(ca_file)
    secret = secrets.get(config.custom_ca.name) if config.custom_ca else None
    if isinstance(secret, Secret) and secret.data.get(CA_KEY):
        path = workdir / CA_KEY
        path.write_text(secret.data[CA_KEY])
        return str(path)
    return None


def _failed(name: str, step: str, cause: str) -> Check:
    return Check(name, lambda: CheckResult(name, ok=False, step=step, cause=cause))


def _secret(ref: SecretRef, secrets: dict) -> Secret | str:
    """The secret, or why it is not there."""
    found = secrets.get(ref.name)
    if found is None:
        return f"not given: pass it with --secret FILE (kubectl get secret {ref.name} -n {DEFAULT_NAMESPACE} -o json > FILE)"
    return found


def _logins(ref: SecretRef, secrets: dict) -> dict[str, Login]:
    """The logins of a referenced dockerconfigjson secret; InputError says why there are none."""
    secret = _secret(ref, secrets)
    if isinstance(secret, str):
        raise InputError(secret)
    return docker_logins(secret)


def checks(
    config: RegistryConfig,
    secrets: dict,
    transport: Transport,
    masker: Masker,
    externals: dict[str, ExternalSecret] | str | None = None,
    namespace: str = DEFAULT_NAMESPACE,
) -> Iterator[Check]:
    """Every check the config calls for, in the order Gitpod would meet them. `externals`: the objects whose status
    says whether a controller-written push secret is current, by the secret each writes (or why none were read)."""
    logins: dict[str, Login] = {}
    if config.external_secret is not None:
        ref = config.external_secret
        renewal = _renewal_check(ref, secrets, externals if externals is not None else {}, namespace)
        if renewal is not None:
            yield renewal
        try:
            logins = _logins(ref, secrets)
        except InputError as error:
            yield _failed(f"secret {ref.name} ({ref.field})", "read secret", str(error))
            return
        host, _ = split_url(config.external_url or "")
        for suffix in PUSHED_REPOSITORIES:
            name = f"push and pull {config.external_url}/{suffix}"
            login = logins.get(host)
            yield Check(name, partial(check_push_pull, config.external_url or "", suffix, login, transport, masker))
    if config.custom_ca is not None:
        yield _custom_ca_check(config.custom_ca, secrets)
    if config.s3 is not None:
        yield _s3_check(config, secrets, transport)
    if config.mirror:
        yield _mirror_check(config, logins, transport, masker)
        yield from _pull_secret_checks(config, secrets, transport, masker)
    for server in config.private_base_hosts:
        host = bare_host(server)
        name = f"log in to {host} (privateBaseImageAllowList)"
        if host not in logins:
            where = "the containerRegistry secret" if config.external_secret else "no secret (inCluster: true)"
            cause = f"{where} holds no login for {host}; image-builder can only use credentials from that secret"
            yield _failed(name, "credentials", cause)
            continue
        yield Check(name, partial(check_login, host, logins[host], transport, masker))


def _renewal_check(
    ref: SecretRef, secrets: dict, externals: dict[str, ExternalSecret] | str, namespace: str
) -> Check | None:
    """For a push secret a controller writes (its ExternalSecret given, or the secret bearing the controller's mark):
    whether the written login is current and outlasts a build."""
    secret = secrets.get(ref.name)
    external = externals.get(ref.name) if isinstance(externals, dict) else None
    if external is not None:
        lifetimes = login_lifetimes()
        return Check(
            f"renewed login {ref.name}", lambda: check_renewal(external, lifetimes, datetime.now(UTC), namespace)
        )
    if not (isinstance(secret, Secret) and written_by_controller(secret)):
        return None
    cause = missing_check_cause(ref.name, namespace)
    if isinstance(externals, str):
        cause = f"reading its {CONTROLLER_KIND}s from the cluster failed: {externals}"
    elif isinstance(externals, dict) and externals and ref.name not in externals:
        cause += f" (the {CONTROLLER_KIND}s given write {', '.join(sorted(externals))}, not {ref.name})"
    return _failed(f"renewed login {ref.name}", f"read {CONTROLLER_KIND}", cause)


def _custom_ca_check(ref: SecretRef, secrets: dict) -> Check:
    """trust-manager mounts key ca.crt of this secret into image-builder, registry-facade and blobserve."""
    name = f"secret {ref.name} ({ref.field}): the CA bundle Gitpod trusts"
    secret = _secret(ref, secrets)
    if isinstance(secret, str):
        return _failed(name, "read secret", secret)
    if "BEGIN CERTIFICATE" not in secret.data.get(CA_KEY, ""):
        return _failed(name, "read secret", f"{secret.source}: key {CA_KEY} holds no PEM certificate")
    count = secret.data[CA_KEY].count("BEGIN CERTIFICATE")
    return Check(name, lambda: CheckResult(name, ok=True, done=[f"{CA_KEY} holds {count} PEM certificate(s)"]))


def _s3_check(config: RegistryConfig, secrets: dict, transport: Transport) -> Check:
    storage = config.s3
    assert storage is not None
    name = f"registry storage s3://{storage.bucket} at https://{storage.endpoint}"
    secret = _secret(storage.certificate, secrets)
    if isinstance(secret, str):
        return _failed(name, f"read secret {storage.certificate.name}", secret)
    missing = [key for key in S3_KEYS if not secret.data.get(key)]
    if missing:
        return _failed(name, f"read secret {secret.name}", f"{secret.source}: no key {', '.join(missing)}")
    access_key, secret_key = (secret.data[key] for key in S3_KEYS)
    return Check(name, lambda: check_s3(storage, access_key, secret_key, transport))


def _pull_secret_checks(config: RegistryConfig, secrets: dict, transport: Transport, masker: Masker) -> Iterator[Check]:
    """The kubelet pulls component images with imagePullSecrets: each must log in to the mirror."""
    host, _ = split_url(config.mirror or "")
    for ref in config.image_pull_secrets:
        name = f"log in to {host} with imagePullSecret {ref.name} (kubelet)"
        try:
            login = _logins(ref, secrets).get(host)
        except InputError as error:
            yield _failed(name, f"read secret {ref.name}", str(error))
            continue
        if login is None:
            yield _failed(name, "credentials", f"secret {ref.name} holds no login for {host}")
            continue
        yield Check(name, partial(check_login, host, login, transport, masker))


def _mirror_check(config: RegistryConfig, logins: dict[str, Login], transport: Transport, masker: Masker) -> Check:
    host, _ = split_url(config.mirror or "")
    name = f"log in to {host} (repository: component images)"
    login = logins.get(host)
    check = Check(name, lambda: check_login(host, login, transport, masker))
    if login is not None:
        return check

    def anonymous() -> CheckResult:
        result = check()
        if not result.ok:
            writer = config.secret_writer
            why = (
                "with inCluster: true the installer writes that secret itself (registry.<domain> only)"
                if writer is not None and not writer.carries_other_logins
                else "the containerRegistry secret has no entry for it"
            )
            result.cause = f"{result.cause}; registry-facade pulls component images with the containerRegistry secret only, and {why}"
        return result

    return Check(name, anonymous)
