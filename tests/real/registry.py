"""Debian's docker-registry (CNCF distribution) and skopeo, driven the way Gitpod's clients use them."""

from __future__ import annotations

import base64
import json
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

from .oci import read_blob
from .processes import Process, clean_env, free_port


class Registry:
    """One docker-registry process on a free loopback port, with `storage` and optional `auth` config."""

    def __init__(self, workdir: Path, storage: dict, auth: dict | None = None) -> None:
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.config = workdir / f"registry-{self.port}.yml"
        config = {
            "version": 0.1,
            "log": {"level": "info", "accesslog": {"disabled": True}},
            "storage": {**storage, "maintenance": {"uploadpurging": {"enabled": False}}},
            "http": {"addr": self.host, "secret": "test-only-upload-state-secret"},
        }
        if auth:
            config["auth"] = auth
        self.config.write_text(yaml.safe_dump(config))
        self.process = Process(
            ["docker-registry", "serve", str(self.config)], workdir / f"registry-{self.port}.log", clean_env()
        )
        try:
            self.process.wait_for_http(f"http://{self.host}/v2/")
        except BaseException:
            self.process.stop()
            raise

    def stop(self) -> None:
        self.process.stop()

    def garbage_collect(self) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["docker-registry", "garbage-collect", "--delete-untagged", str(self.config)],
            capture_output=True,
            text=True,
            env=clean_env(),
            timeout=120,
        )

    def delete_manifest(self, repository: str, tag: str) -> int:
        accept = "application/vnd.oci.image.manifest.v1+json"
        head = urllib.request.Request(f"http://{self.host}/v2/{repository}/manifests/{tag}", method="HEAD")
        head.add_header("Accept", accept)
        with urllib.request.urlopen(head, timeout=30) as response:
            digest = response.headers["Docker-Content-Digest"]
        delete = urllib.request.Request(f"http://{self.host}/v2/{repository}/manifests/{digest}", method="DELETE")
        try:
            with urllib.request.urlopen(delete, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def upload(self, layout: Path, tag: str, repository: str, login: tuple[str, str]) -> None:
        """Puts image `tag` of an OCI layout at `repository:tag` through the registry API with basic auth.
        For set-up only, where skopeo is not what is checked: it saves a skopeo process (~0.1 s)."""
        token = base64.b64encode(f"{login[0]}:{login[1]}".encode()).decode()

        def call(method: str, url: str, body: bytes = b"", media_type: str = "application/octet-stream") -> str:
            request = urllib.request.Request(urllib.parse.urljoin(f"http://{self.host}", url), body, method=method)
            request.add_header("Authorization", f"Basic {token}")
            request.add_header("Content-Type", media_type)
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.headers.get("Location", "")

        index = json.loads((layout / "index.json").read_text())
        (entry,) = [m for m in index["manifests"] if m["annotations"]["org.opencontainers.image.ref.name"] == tag]
        manifest = read_blob(layout, entry["digest"])
        parsed = json.loads(manifest)
        for descriptor in (parsed["config"], *parsed["layers"]):
            # A monolithic upload: POST opens it, one PUT with the digest sends the blob and closes it.
            location = call("POST", f"/v2/{repository}/blobs/uploads/")
            separator = "&" if "?" in location else "?"
            digest = urllib.parse.quote(descriptor["digest"])
            call("PUT", f"{location}{separator}digest={digest}", read_blob(layout, descriptor["digest"]))
        call("PUT", f"/v2/{repository}/manifests/{tag}", manifest, entry["mediaType"])


def skopeo_copy(source: str, destination: str, authfile: Path | None = None) -> subprocess.CompletedProcess:
    args = ["skopeo", "copy", "--retry-times", "0", "--src-tls-verify=false", "--dest-tls-verify=false"]
    if authfile is not None:
        args += ["--authfile", str(authfile)]
    return subprocess.run([*args, source, destination], capture_output=True, text=True, timeout=120)
