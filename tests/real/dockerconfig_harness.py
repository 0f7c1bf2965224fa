"""Checks `.dockerconfigjson` documents with real clients: skopeo against docker-registry with htpasswd auth.

Works on any `kubernetes.io/dockerconfigjson` secret in an Evaluation; the scenario says which username
and password the program meant for each registry host.
"""

from __future__ import annotations

import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import bcrypt

# bcrypt only reads this many bytes of a password, so htpasswd alone cannot check a longer one.
BCRYPT_MAX = 72


def rehost(document: dict, host: str, local_host: str) -> dict:
    """The same document with only `host`'s key renamed to the local registry."""
    auths = document["auths"]
    assert host in auths, f"no credential for {host}; have {sorted(auths)}"
    return {**document, "auths": {(local_host if key == host else key): value for key, value in auths.items()}}


def htpasswd_auth(workdir: Path, username: str, password: str) -> dict:
    """docker-registry's auth config for one bcrypt user."""
    path = workdir / f"htpasswd-{abs(hash(username))}"
    hashed = bcrypt.hashpw(password.encode()[:BCRYPT_MAX], bcrypt.gensalt(rounds=4)).decode()
    path.write_text(f"{username}:{hashed}\n")
    return {"htpasswd": {"realm": "gitpod-registry-test", "path": str(path)}}


class BasicAuthRecorder:
    """A tiny HTTP server that answers `401 Basic` and records what clients send, to check long passwords exactly."""

    def __init__(self) -> None:
        headers: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                if self.headers.get("Authorization"):
                    headers.append(self.headers["Authorization"])
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="gitpod-registry-test"')
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_HEAD = do_GET  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self.headers = headers
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        # A short poll interval: stop() (shutdown) waits up to one interval, 0.5 s by default.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def credentials(self) -> set[tuple[str, str]]:
        sent = set()
        for header in self.headers:
            scheme, _, token = header.partition(" ")
            assert scheme == "Basic", header
            username, _, password = base64.b64decode(token).decode().partition(":")
            sent.add((username, password))
        return sent

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)
