"""Registry hosts and image references, parsed by the grammar container runtimes use.

One parser for every field that names a registry host or an image: the grammar of
github.com/distribution/reference (`regexp.go`), which containerd, the kubelet's runtimes and
Docker share, with its normalisation (`normalize.go`, `splitDockerDomain`): the first component
of a name is a registry host only if it contains '.' or ':', or is `localhost` (or is not
lowercase); otherwise the runtime reads the whole name as a Docker Hub path, so
`localhost-evil/gitpod` is `docker.io/localhost-evil/gitpod`. A login keyed by any other host
would never be used, so fields that take a host insist on one the runtime reads as a host.

On top of the grammar, hosts follow DNS (RFC 1035: labels of 1-63 characters, a name of at most
253) and ports are 1-65535, as a connection needs; the grammar alone accepts either. Errors are
values (`ReferenceError`), so each caller names its own field and decides what may be echoed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DOCKER_HUB = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"
"""Where Docker Hub's registry API answers (containerd's and Docker's resolvers rewrite docker.io to it)."""
# Names people use for Docker Hub; the runtime's resolver looks credentials up under docker.io.
DOCKER_HUB_ALIASES = frozenset({DOCKER_HUB, "index.docker.io", DOCKER_HUB_API, "registry.hub.docker.com"})

# distribution/reference regexp.go, transcribed.
_ALPHANUMERIC = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = re.compile(rf"{_ALPHANUMERIC}(?:{_SEPARATOR}{_ALPHANUMERIC})*")
_DOMAIN_COMPONENT = re.compile(r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])")
_IPV6 = re.compile(r"\[(?:[a-fA-F0-9:]+)\]")
_TAG = re.compile(r"[\w][\w.-]{0,127}", re.ASCII)
_DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}")
_IDENTIFIER = re.compile(r"[a-f0-9]{64}")
# go-digest: the algorithms a runtime has registered, and the length of their lowercase hex.
_DIGEST_ALGORITHMS = {"sha256": 64, "sha384": 96, "sha512": 128}

REPOSITORY_PATH_MAX = 255
"""distribution/reference RepositoryNameTotalLengthMax: the path after the host."""
LABEL_MAX = 63
HOST_NAME_MAX = 253


class ReferenceError(ValueError):
    """Why a text is not a host or reference, phrased to follow it ("'x' has an invalid tag"); it never
    repeats the text."""


@dataclass(frozen=True)
class Reference:
    host: str
    """The registry host as written, with its port (`registry.example.com:5000`); docker.io for Docker Hub."""
    path: str
    """The repository path, e.g. `library/ubuntu`; empty for a bare host."""
    tag: str | None = None
    digest: str | None = None

    @property
    def key(self) -> str:
        """The host a `.dockerconfigjson` entry is keyed by: lowercase, Docker Hub as docker.io."""
        return login_key(self.host)

    @property
    def name(self) -> str:
        return f"{self.host}/{self.path}" if self.path else self.host


def login_key(host: str) -> str:
    """The key a `.dockerconfigjson` entry for `host` has: lowercase, Docker Hub's names as docker.io."""
    host = host.lower()
    return DOCKER_HUB if host in DOCKER_HUB_ALIASES else host


def is_host_like(component: str) -> bool:
    """Whether a runtime reads this first component of a name as a registry host (normalize.go)."""
    return component == "localhost" or any(c in component for c in ".:") or component.lower() != component


def check_host(text: str) -> str:
    """A registry host with an optional port, e.g. registry.example.com:5000 or [::1]:5000."""
    if not text:
        raise ReferenceError("has an empty registry host")
    if text.startswith("["):
        end = text.find("]")
        if end < 0 or not _IPV6.fullmatch(text[: end + 1]):
            raise ReferenceError("has a malformed IPv6 host; an IPv6 address goes in brackets, e.g. [2001:db8::1]:5000")
        name, rest = text[: end + 1], text[end + 1 :]
        if rest and not rest.startswith(":"):
            raise ReferenceError("has something other than ':port' after its IPv6 host")
        port = rest[1:] if rest else None
    else:
        name, _, port = text.partition(":")
        port = port if ":" in text else None
        labels = name.split(".")
        if any(not label for label in labels):
            raise ReferenceError("has an empty DNS label in its host (two dots in a row, or a dot at an end)")
        if any(not _DOMAIN_COMPONENT.fullmatch(label) for label in labels):
            raise ReferenceError(
                "has an invalid host: DNS labels hold letters, digits and '-', and neither start nor end with '-'"
            )
        if any(len(label) > LABEL_MAX for label in labels):
            raise ReferenceError(f"has a DNS label longer than {LABEL_MAX} characters in its host")
        if len(name) > HOST_NAME_MAX:
            raise ReferenceError(f"has a host name longer than {HOST_NAME_MAX} characters")
    if port is not None and (not port.isascii() or not port.isdigit() or not 1 <= int(port) <= 65535):
        raise ReferenceError("has a port that is not a number from 1 to 65535")
    return text


def _check_path(path: str) -> str:
    if not path:
        raise ReferenceError("has an empty repository path (a '/' with nothing after it)")
    if path.lower() != path:
        raise ReferenceError("has uppercase letters in its repository path, which must be lowercase")
    for component in path.split("/"):
        if not _PATH_COMPONENT.fullmatch(component):
            raise ReferenceError(
                "has an invalid repository path: each '/'-separated part is lowercase letters and digits, "
                "joined by one '.', one or two '_', or '-'s (no empty parts, no '..')"
            )
    if len(path) > REPOSITORY_PATH_MAX:
        raise ReferenceError(f"has a repository path longer than {REPOSITORY_PATH_MAX} characters")
    return path


def check_room(path: str, appended: str) -> None:
    """A repository path that `appended` ('/'-joined) is added to by the one who pulls or pushes it (image-builder's
    `workspace-images`, the installer's `gitpod/workspace-full`): the result must stay within the runtimes' limit,
    or the checked path passes here and every push or pull under it fails."""
    longest = REPOSITORY_PATH_MAX - len(appended) - (1 if path else 0)
    if len(path) > longest:
        raise ReferenceError(
            f"has a repository path of {len(path)} characters; {appended!r} is added to it, and the result may "
            f"have at most {REPOSITORY_PATH_MAX} (distribution/reference), so keep the path within {longest}"
        )


def _check_digest(digest: str) -> str:
    if not _DIGEST.fullmatch(digest):
        raise ReferenceError("has an invalid digest; expected ALGORITHM:HEX, e.g. sha256:<64 hex digits>")
    algorithm, encoded = digest.split(":", 1)
    if algorithm not in _DIGEST_ALGORITHMS:
        raise ReferenceError(f"has an unsupported digest algorithm; use one of {', '.join(_DIGEST_ALGORITHMS)}")
    if len(encoded) != _DIGEST_ALGORITHMS[algorithm] or encoded.lower() != encoded:
        raise ReferenceError(
            f"has an invalid {algorithm} digest; it is {_DIGEST_ALGORITHMS[algorithm]} lowercase hex digits"
        )
    return digest


def _split(text: str) -> tuple[str | None, str]:
    """(host, rest) when the first component is a host by the runtime's rule, else (None, text)."""
    first, slash, rest = text.partition("/")
    if slash and is_host_like(first):
        return first, rest
    return None, text


def parse_name(text: str, *, host_required: bool) -> Reference:
    """A repository name without tag or digest: HOST[/PATH] when `host_required`, else [HOST/]PATH."""
    if not text:
        raise ReferenceError("is empty")
    if any(c.isspace() or not c.isprintable() for c in text):
        raise ReferenceError("contains whitespace or a control character")
    if "://" in text:
        raise ReferenceError("has a scheme; give it without one, e.g. registry.example.com/gitpod")
    if "@" in text:
        raise ReferenceError("contains '@': it holds no login (give username and password on their own) and no digest")
    host, path = _split(text)
    if host is None and host_required:
        # A bare host has no '/': it is a host only by the same rule as a first component.
        if "/" in text or not is_host_like(text):
            raise ReferenceError(_NOT_A_HOST)
        host, path = text, ""
    if host is None:
        return Reference(DOCKER_HUB, _check_path(path))
    check_host(host)
    return Reference(host, _check_path(path) if path or text.endswith("/") else "")


_NOT_A_HOST = (
    "does not start with a registry host: container runtimes read a first component without '.' or ':' "
    "(other than localhost) as a Docker Hub path; give e.g. registry.example.com[:port]"
)


def parse_reference(text: str) -> Reference:
    """An image reference as a runtime normalises it (ParseNormalizedNamed): [HOST/]PATH[:TAG][@DIGEST].

    A name without a host is on Docker Hub, and a one-component one under library/.
    """
    if not text:
        raise ReferenceError("is empty")
    if any(c.isspace() or not c.isprintable() for c in text):
        raise ReferenceError("contains whitespace or a control character")
    if "://" in text:
        raise ReferenceError("has a scheme; give it without one, e.g. registry.example.com/team/image:tag")
    if _IDENTIFIER.fullmatch(text):
        raise ReferenceError("is a 64-digit image id, which runtimes refuse as a name")
    rest, at, digest = text.partition("@")
    if at:
        _check_digest(digest)
    host, remainder = _split(rest)
    path, colon, tag = remainder.partition(":")
    if colon and not _TAG.fullmatch(tag):
        raise ReferenceError(
            "has an invalid tag: one tag only, of up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'"
        )
    if host is not None:
        check_host(host)
    else:
        host = DOCKER_HUB
        if "/" not in path:
            path = f"library/{path}"
    return Reference(host, _check_path(path), tag if colon else None, digest if at else None)
