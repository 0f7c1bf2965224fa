"""A small random OCI image, fresh for every run, so a pull can only succeed with what this run pushed."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import secrets
import tarfile
import time
from dataclasses import dataclass

MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
CONFIG_TYPE = "application/vnd.oci.image.config.v1+json"
LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip"


def sha256_digest(data: bytes) -> str:
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


@dataclass(frozen=True)
class ProbeImage:
    tag: str
    layer: bytes
    config: bytes
    manifest: bytes

    @property
    def manifest_digest(self) -> str:
        return sha256_digest(self.manifest)

    @property
    def blobs(self) -> dict[str, bytes]:
        """The layer and the config by digest: what a push uploads before the manifest."""
        return {sha256_digest(self.layer): self.layer, sha256_digest(self.config): self.config}


def unique_tag() -> str:
    """A tag no one else uses: gitpod-registry-verify-<UTC time>-<random>."""
    return f"gitpod-registry-verify-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{secrets.token_hex(4)}"


def make_probe_image(size: int = 4096) -> ProbeImage:
    content = os.urandom(size)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("gitpod-registry-verify/random.bin")
        info.size, info.mode = len(content), 0o644
        tar.addfile(info, io.BytesIO(content))
    tar_bytes = buffer.getvalue()
    layer = gzip.compress(tar_bytes, mtime=0)
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "config": {"Labels": {"io.gitpod.registry.verify": "test image, safe to delete"}},
            "rootfs": {"type": "layers", "diff_ids": [sha256_digest(tar_bytes)]},
        }
    ).encode()
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": MANIFEST_TYPE,
            "config": {"mediaType": CONFIG_TYPE, "digest": sha256_digest(config), "size": len(config)},
            "layers": [{"mediaType": LAYER_TYPE, "digest": sha256_digest(layer), "size": len(layer)}],
        }
    ).encode()
    return ProbeImage(unique_tag(), layer, config, manifest)
