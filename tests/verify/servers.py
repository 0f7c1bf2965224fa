"""Real servers for the verify tests, all on loopback and all over TLS: docker-registry, a token service, moto.

Process handling, ports and moto's IAM set-up come from tests/real (processes.py, conftest.py).
"""

from __future__ import annotations

import base64
import json
import socket
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from real.conftest import ADMIN_POLICY, REGION, SETUP_CALLS, Moto
from real.processes import Process, clean_env, free_port

from .pki import Pki


def wait_for_port(process: Process, port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.proc.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.proc.returncode}:\n{process.output()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{process.args[0]} did not listen on {port} within {timeout}s:\n{process.output()}")


class TlsRegistry:
    """Debian's docker-registry serving HTTPS with the test CA's certificate, filesystem storage, optional auth."""

    def __init__(self, workdir: Path, pki: Pki, auth: dict | None, *, deletes: bool = True) -> None:
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.storage = workdir / f"storage-{self.port}"
        config = {
            "version": 0.1,
            "log": {"level": "info", "accesslog": {"disabled": True}},
            "storage": {
                "filesystem": {"rootdirectory": str(self.storage)},
                "delete": {"enabled": deletes},
                "maintenance": {"uploadpurging": {"enabled": False}},
            },
            "http": {
                "addr": self.host,
                "secret": "test-only-upload-state-secret",
                "tls": {"certificate": str(pki.cert), "key": str(pki.key)},
            },
        }
        if auth:
            config["auth"] = auth
        path = workdir / f"registry-{self.port}.yml"
        path.write_text(yaml.safe_dump(config))
        self.process = Process(
            ["docker-registry", "serve", str(path)], workdir / f"registry-{self.port}.log", clean_env()
        )
        try:
            wait_for_port(self.process, self.port)
        except BaseException:
            self.process.stop()
            raise

    def tagged(self) -> list[str]:
        """Every repository:tag still in storage."""
        root = self.storage / "docker" / "registry" / "v2" / "repositories"
        return sorted(
            f"{tags.parent.parent.relative_to(root)}:{tag.name}"
            for tags in root.rglob("_manifests/tags")
            for tag in tags.iterdir()
        )

    def linked_blobs(self) -> list[str]:
        """Every blob a repository still links (a deleted blob loses its link)."""
        root = self.storage / "docker" / "registry" / "v2" / "repositories"
        return sorted(str(link.relative_to(root)) for link in root.rglob("_layers/sha256/*/link"))

    def stop(self) -> None:
        self.process.stop()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenService:
    """A Docker token service (Bearer realm) on HTTPS: Basic login in, an RS256 JWT with x5c out.

    `users` maps a user to (password, actions it may have on any repository).
    """

    SERVICE, ISSUER = "gitpod-registry-test", "gitpod-registry-test-tokens"

    def __init__(self, pki: Pki, users: dict[str, tuple[str, list[str]]]) -> None:
        signer = x509.load_pem_x509_certificate(pki.signing_cert.read_bytes())
        key = serialization.load_pem_private_key(pki.signing_key.read_bytes(), password=None)
        chain = [base64.b64encode(signer.public_bytes(serialization.Encoding.DER)).decode()]
        self.auth = {
            "token": {
                "realm": "",  # set below, once the port is known
                "service": self.SERVICE,
                "issuer": self.ISSUER,
                "rootcertbundle": str(pki.signing_cert),
            }
        }
        self.refused: list[str] = []
        self.issued: list[str] = []

        def issue(user: str, scopes: list[str], allowed: list[str]) -> str:
            access = []
            for scope in scopes:
                kind, _, rest = scope.partition(":")
                name, _, actions = rest.rpartition(":")
                granted = [a for a in actions.split(",") if a in allowed]
                access.append({"type": kind, "name": name, "actions": granted})
            now = int(time.time())
            claims = {"iss": self.ISSUER, "sub": user, "aud": self.SERVICE, "exp": now + 300, "nbf": now - 10}
            claims.update(iat=now, jti=uuid.uuid4().hex, access=access)
            header = {"typ": "JWT", "alg": "RS256", "x5c": chain}
            signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
            signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
            return f"{signing_input}.{_b64url(signature)}"

        refused, issued = self.refused, self.issued

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                query = parse_qs(urlparse(self.path).query)
                scheme, _, encoded = (self.headers.get("Authorization") or "").partition(" ")
                user, allowed = "", []
                if scheme == "Basic":
                    user, _, password = base64.b64decode(encoded).decode().partition(":")
                    if users.get(user, ("", []))[0] != password or user not in users:
                        refused.append(user)
                        self.send_response(401)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    allowed = users[user][1]
                issued.append(issue(user, query.get("scope", []), allowed))
                body = json.dumps({"token": issued[-1]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(pki.cert, pki.key)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.auth["token"]["realm"] = f"https://127.0.0.1:{self.server.server_address[1]}/token"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


class TlsMoto:
    """moto's server over HTTPS with the test CA's certificate; IAM enforced after the admin's set-up calls."""

    def __init__(self, workdir: Path, pki: Pki) -> None:
        import boto3

        self.port = free_port()
        env = clean_env(INITIAL_NO_AUTH_ACTION_COUNT=str(SETUP_CALLS))
        args = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
        args += ["--ssl-cert", str(pki.cert), "--ssl-key", str(pki.key)]
        self.process = Process(args, workdir / "moto.log", env)
        try:
            wait_for_port(self.process, self.port)
            endpoint = f"https://127.0.0.1:{self.port}"
            anyone = {"aws_access_key_id": "setup", "aws_secret_access_key": "setup"}
            iam = boto3.client("iam", endpoint_url=endpoint, region_name=REGION, verify=str(pki.ca), **anyone)
            iam.create_user(UserName="test-admin")
            iam.put_user_policy(UserName="test-admin", PolicyName="admin", PolicyDocument=json.dumps(ADMIN_POLICY))
            key = iam.create_access_key(UserName="test-admin")["AccessKey"]
            admin = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
            self.moto = Moto(endpoint, admin)
        except BaseException:
            self.process.stop()
            raise

    def stop(self) -> None:
        self.process.stop()
