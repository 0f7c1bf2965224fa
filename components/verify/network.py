"""How checks connect (CA bundle, timeout), and network failures (DNS, connection, TLS) in plain words.

requests, urllib3 and botocore each wrap the socket or ssl error differently (args, `reason`,
`error`, `__cause__`); the search walks all of them to the error that says what happened.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass

# OpenSSL verify codes: the chain does not lead to a trusted CA.
_UNTRUSTED = {2, 18, 19, 20, 21, 27}
_EXPIRED, _NOT_YET_VALID, _HOSTNAME_MISMATCH, _IP_MISMATCH = 10, 9, 62, 64
CA_HINT = "give its CA with --ca-file (Gitpod needs the same CA in the customCACert secret, key ca.crt)"


@dataclass(frozen=True)
class Transport:
    ca_bundle: str | None = None
    """A PEM file of CAs to trust instead of the default ones, or None."""
    timeout: float = 30.0

    @property
    def verify(self) -> bool | str:
        return self.ca_bundle or True


def _links(error: BaseException) -> Iterator[BaseException]:
    """The error and every error it wraps, breadth first, each once."""
    seen: set[int] = set()
    queue: list[BaseException] = [error]
    while queue:
        link = queue.pop(0)
        if id(link) in seen:
            continue
        seen.add(id(link))
        yield link
        wrapped = [link.__cause__, link.__context__, getattr(link, "reason", None), getattr(link, "error", None)]
        wrapped += list(link.args) + list((getattr(link, "kwargs", None) or {}).values())
        queue.extend(item for item in wrapped if isinstance(item, BaseException))


def _name_resolution(link: BaseException) -> bool:
    return isinstance(link, socket.gaierror) or type(link).__name__ == "NameResolutionError"


def _timeout(link: BaseException) -> bool:
    return isinstance(link, TimeoutError | socket.timeout) or type(link).__name__ in {
        "ConnectTimeoutError",
        "ReadTimeoutError",
        "ConnectTimeout",
        "ReadTimeout",
    }


def network_cause(error: BaseException, target: str) -> str | None:
    """Why `target` (host[:port]) could not be reached or trusted, or None when `error` is no network failure."""
    links = list(_links(error))
    for link in links:
        if isinstance(link, ssl.SSLCertVerificationError):
            return certificate_cause(link, target)
    for link in links:
        if _name_resolution(link):
            return f"DNS: the name of {target} does not resolve (check the host name and this machine's DNS)"
    for link in links:
        if isinstance(link, ConnectionRefusedError):
            return f"connection refused: nothing listens on {target}"
        if isinstance(link, ConnectionResetError):
            return f"connection reset by {target} (a proxy or firewall in between, or not a TLS server?)"
        if _timeout(link):
            return f"timed out talking to {target} (a firewall, or the wrong port?)"
    for link in links:
        if isinstance(link, ssl.SSLError):
            reason = link.reason or link.__class__.__name__
            return f"TLS handshake with {target} failed ({reason}); is it an HTTPS endpoint?"
    return None


def certificate_cause(error: ssl.SSLCertVerificationError, target: str) -> str:
    code, detail = error.verify_code, error.verify_message
    if code in _UNTRUSTED:
        return f"untrusted certificate: {target} presents a certificate from a CA this machine does not trust ({detail}); {CA_HINT}"
    if code in (_HOSTNAME_MISMATCH, _IP_MISMATCH):
        return f"certificate of {target} is not issued for this name ({detail})"
    if code in (_EXPIRED, _NOT_YET_VALID):
        return f"certificate of {target} is outside its validity period ({detail})"
    return f"certificate of {target} is refused: {detail}"
