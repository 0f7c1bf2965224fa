"""Input checks shared by the stack configuration and the components.

Each check raises InvalidInput naming the field (a config key such as
`gitpod-registry:namespace`, or a component argument) and what is allowed. The
checks run in plain Python, before any resource is registered, so a bad input
creates nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal, TypeVar

from .reference import ReferenceError, parse_reference

_SEGMENT = re.compile(r"([^.\[\]]+)|\[([0-9]+)\]")
_REFERENCE = re.compile(r"«([^»]*)»")
Style = Literal["python", "config", "schema"]
"""How a path is spelt: as the Python arguments (`workspace_images.key_generation`), as the stack
config key (`gitpod-registry:workspaceImages.keyGeneration`) or as the package schema, the way other
languages spell it (`workspaceImages.keyGeneration`)."""

CONFIG_NAMESPACE = "gitpod-registry"


def at(*parts: str | int) -> str:
    """A dotted argument path, e.g. at("base_images", "registries", 0, "server") == "base_images.registries[0].server"."""
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part:
            path = f"{path}.{part}" if path else part
    return path


def ref(path: str) -> str:
    """Another argument named inside a message; rendered in the same spelling as the error's own path."""
    return f"«{path}»"


def name_ref(name: str) -> str:
    """A field name (not a whole path) inside a message, spelt as the error's style spells names."""
    return f"«~{name}»"


def key_ref(path: str) -> str:
    """Another argument as a key inside a command, without the config namespace."""
    return f"«={path}»"


def camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)


def parts_of(path: str) -> tuple[str | int, ...]:
    return tuple(name if name else int(index) for name, index in _SEGMENT.findall(path))


def render(path: str, style: Style = "python", renamed: Mapping[str, str] | None = None) -> str:
    """`path` in `style`; `renamed` maps whole Python paths to keys of their own (e.g. aws:region)."""
    if renamed and path in renamed:
        return renamed[path]
    if style == "python" or not path:
        return path
    spelt = at(*(camel(p) if isinstance(p, str) else p for p in parts_of(path)))
    return f"{CONFIG_NAMESPACE}:{spelt}" if style == "config" else spelt


class InvalidInput(ValueError):
    """A configuration value or component argument that the program cannot use.

    `path` is the argument's Python path (`workspace_images.backend`); `render` spells it, and every
    argument the problem refers to, as a config key or as the schema names it for other languages.
    """

    def __init__(self, path: str, problem: str, *, given: str | None = None) -> None:
        self.path = path
        self.problem = problem
        self.given = given
        """The last part of `path` as the user spelt it (an unknown field), kept in every style."""
        super().__init__(self.render())

    def where(self, style: Style = "python", renamed: Mapping[str, str] | None = None) -> str:
        """The path in `style`; an unknown field keeps the spelling it was given in."""
        if self.given is None:
            return render(self.path, style, renamed)
        parent = self.path[: -len(self.given)].rstrip(".")
        spelt = render(parent, style, renamed)
        if not parent and style == "config":
            return f"{CONFIG_NAMESPACE}:{self.given}"
        return f"{spelt}.{self.given}" if spelt else self.given

    def render(self, style: Style = "python", renamed: Mapping[str, str] | None = None) -> str:
        return f"{self.where(style, renamed)}: {self.problem_in(style, renamed)}"

    def problem_in(self, style: Style = "python", renamed: Mapping[str, str] | None = None) -> str:
        def spell(match: re.Match[str]) -> str:
            path = match.group(1)
            if path.startswith("~"):
                return path[1:] if style == "python" else camel(path[1:])
            if path.startswith("="):
                return render(path[1:], "python" if style == "python" else "schema")
            return render(path, style, renamed)

        return _REFERENCE.sub(spell, self.problem)


_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_CLUSTER_NAME = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IPV4 = re.compile(r"[0-9]{1,3}(\.[0-9]{1,3}){3}")

CLUSTER_NAME_MAX = 32


WITHHELD = "the value given (not shown: it may hold a credential)"
"""What a message says in place of a value that `may_hold_credential`."""
WITHHELD_NAME = "(name not shown)"
"""What a key path says in place of a field name that `may_hold_credential`."""

_DIGEST_SUFFIX = re.compile(r"@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}\Z")
_SCHEME = re.compile(r"\A[A-Za-z][A-Za-z0-9+.-]*://")
_TOKEN_RUN = re.compile(r"[A-Za-z0-9+/=_-]{16,}")
_SHOWN_MAX = 100


def may_hold_credential(text: str) -> bool:
    """Whether a string might embed a credential, so a message must not repeat it.

    The one rule every message follows. It errs towards withholding: a login in a URL
    (`user:password@host`, `https://token@host`), `user:token` typed into a user name or a host
    field, a token pasted whole (a long run mixing upper and lower case and digits), anything with
    a control character (a newline, a tab) or non-ASCII text, and anything long.

    And a value shaped like a password pasted into the wrong field (namespace, resourceGroup, url): one
    that mixes three of lowercase, uppercase, digits and symbols other than a space and the separators
    of names, hosts and paths (`.`, `-`, `_`, `/`, `:`), as password rules demand (`Tr0ub4dor&3`). Names,
    regions, hosts and paths as people write them mix two at most (`Cert_Manager`, `Europe West`,
    `registry.example.com:5000/team`), and are still quoted.
    """
    if len(text) > _SHOWN_MAX or not text.isascii() or any(c != " " and not c.isprintable() for c in text):
        return True
    if _password_shaped(text):
        return True
    if "@" in _DIGEST_SUFFIX.sub("", text):
        return True
    # A colon is a port (host:5000), a tag after a path (team/image:tag) or a scheme; anything else
    # (user:token, host:secret) may be a login.
    rest = _SCHEME.sub("", text)
    for colon in (m.start() for m in re.finditer(":", rest)):
        after = re.split(r"[/:]", rest[colon + 1 :], maxsplit=1)[0]
        if not (after.isdigit() or "/" in rest[:colon]):
            return True
    return any(
        any(c.isupper() for c in run) and any(c.islower() for c in run) and any(c.isdigit() for c in run)
        for run in _TOKEN_RUN.findall(text)
    )


def _password_shaped(text: str) -> bool:
    kinds = (
        any(c.islower() for c in text),
        any(c.isupper() for c in text),
        any(c.isdigit() for c in text),
        any(not c.isalnum() and c not in " .-_/:" for c in text),
    )
    return sum(kinds) >= 3


def describe(value: Any) -> str:
    """A short rendering of a value for an error message, or WITHHELD when it may hold a credential.

    Numbers, true/false and null are shown; strings are shown quoted unless `may_hold_credential`;
    lists and objects only by their kind, since they may hold a password.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        text = repr(value)
        return text if len(text) <= 40 else f"a {len(text)}-digit number"
    if isinstance(value, str):
        if value == "":
            return "an empty string"
        return WITHHELD if may_hold_credential(value) else repr(value)
    return kind_of(value)


def kind_of(value: Any) -> str:
    """What sort of value this is, without showing it (for values that may hold a secret)."""
    if value is None:
        return "null (no value)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


T = TypeVar("T")


def require_type(field: str, value: object, expected: type[T], what: str) -> T:
    """`value` as an `expected` (assign it back, so the type checker knows it too), or InvalidInput."""
    # bool is an int in Python; a flag must not pass as a number or the other way round.
    if isinstance(value, bool) and expected is not bool:
        raise InvalidInput(field, f"expected {what}, got {describe(value)}")
    if not isinstance(value, expected):
        raise InvalidInput(field, f"expected {what}, got {describe(value)}")
    return value


def matching(field: str, value: object, pattern: re.Pattern[str], what: str, name: str, rule: str) -> str:
    """`value` as a string `pattern` matches in full, or InvalidInput: "expected `what`" for another type, else
    "<the value, described> is not `name`; `rule`"."""
    text = require_type(field, value, str, what)
    if not pattern.fullmatch(text):
        raise InvalidInput(field, f"{describe(text)} is not {name}; {rule}")
    return text


def required(field: str, value: T | None, message: str) -> T:
    """`value`, unless it is missing (None or ""); then `message`, which says who needs it and what to give. The
    shared checks of names and regions refuse a missing value in general terms: a backend says why it needs one."""
    if value is None or value == "":
        raise InvalidInput(field, message)
    return value


def require_one_of(field: str, value: Any, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    if value not in allowed:
        raise InvalidInput(field, f"{describe(value)} is not allowed; allowed values: {', '.join(allowed)}")
    return value


def nearest(name: str, known: Iterable[str]) -> str | None:
    """The known name closest to a misspelt one, if any is close."""
    # Imported here: only an invalid config needs it, so a valid stack's cold start does not load difflib.
    from difflib import get_close_matches

    found = get_close_matches(name, list(known), n=1, cutoff=0.6)
    return found[0] if found else None


def undocumented(
    field: str, value: str, what: str, documented: frozenset[str], date: str, listed_by: str
) -> InvalidInput:
    """The warning for a well-formed `value` outside a `documented` list of `date`; a hint quotes a listed name only.

    `listed_by` is the command that lists the names the cloud accepts today."""
    close = nearest(value, documented)
    hint = f"did you mean {close!r}? " if close else ""
    return InvalidInput(
        field,
        f"{describe(value)} is not {what} in this program's documented list (of {date}, {len(documented)} names); "
        f"unless it is a region opened since, `pulumi up` will fail to create the registry: {hint}`{listed_by}` "
        "lists the names in use today",
    )


def unknown_field(path: str, name: str, allowed: Iterable[str]) -> InvalidInput:
    """The error for field `name` (as given, snake_case or camelCase) in the object at `path`."""
    allowed = sorted(allowed, key=camel)
    spellings = {spelling: a for a in allowed for spelling in (a, camel(a))}
    guess = nearest(name, spellings)
    hint = f"did you mean {name_ref(spellings[guess])}? " if guess else ""
    listed = ", ".join(name_ref(a) for a in allowed) or "(none)"
    if may_hold_credential(name):
        # A field's name is what a user typed, like a value: `{user: robot, password:S3CRET}` (no space
        # after the colon) makes `password:S3CRET` one key, so names are withheld by the same rule.
        return InvalidInput(
            at(path, WITHHELD_NAME),
            f"unknown field, its name not shown (it may hold a credential: in flow style, `key:value` without "
            f"a space after ':' is one key); {hint}allowed fields here: {listed}",
            given=WITHHELD_NAME,
        )
    return InvalidInput(at(path, name), f"unknown field; {hint}allowed fields here: {listed}", given=name)


def require_known_fields(path: str, given: Mapping[Any, Any], allowed: Iterable[str]) -> None:
    """Rejects unknown keys in an object, so a typo is an error rather than a silent default (a stack
    file's keys may be any YAML scalar)."""
    allowed = list(allowed)
    unknown = sorted(str(name) for name in set(given) - set(allowed))
    if unknown:
        raise unknown_field(path, unknown[0], allowed)


def namespace(field: str, value: Any) -> str:
    value = require_type(field, value, str, "a string")
    if len(value) > 63 or not _DNS_LABEL.fullmatch(value):
        raise InvalidInput(
            field,
            f"{describe(value)} is not a Kubernetes namespace name; use 1-63 lowercase letters, "
            "digits and '-', starting and ending with a letter or digit",
        )
    return value


def cluster_name(field: str, value: Any) -> str:
    value = require_type(field, value, str, "a string")
    if len(value) > CLUSTER_NAME_MAX or not _CLUSTER_NAME.fullmatch(value):
        raise InvalidInput(
            field,
            f"{describe(value)} is not a valid cluster name; use 1-{CLUSTER_NAME_MAX} lowercase letters, "
            "digits and '-', starting with a letter and ending with a letter or digit "
            "(it becomes part of cloud resource names)",
        )
    return value


def bucket_name(field: str, value: Any) -> str:
    """S3 general-purpose bucket naming rules."""
    value = require_type(field, value, str, "a string")
    if (
        not _BUCKET_NAME.fullmatch(value)
        or ".." in value
        or _IPV4.fullmatch(value)
        or value.startswith(("xn--", "sthree-", "amzn-s3-demo-"))
        or value.endswith(("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"))
    ):
        raise InvalidInput(
            field,
            f"{describe(value)} is not a valid S3 bucket name; use 3-63 lowercase letters, digits, "
            "'.' and '-', starting and ending with a letter or digit, not an IP address "
            "(see the S3 bucket naming rules)",
        )
    return value


INT32_MAX = 2**31 - 1
"""The largest `integer` every language's SDK can carry: the package schema's integers are 32-bit in C#,
Java and Go (int32 in the Artifact Registry API too)."""


def flag(field: str, value: Any) -> bool:
    return require_type(field, value, bool, "true or false")


def image_reference(field: str, value: Any) -> str:
    """A container image reference as runtimes read it, e.g. gitpod/workspace-full:latest (see reference.py)."""
    value = require_type(field, value, str, "an image reference such as gitpod/workspace-full:latest")
    try:
        parse_reference(value)
    except ReferenceError as error:
        raise InvalidInput(
            field, f"{describe(value)} is not an image reference: it {error} (e.g. registry.example.com/team/image:tag)"
        ) from None
    return value


def checked_args(args: Any, checked_type: type[T], check: Callable[[Any], T]) -> T:
    """A component's checked arguments. The composite checks its arguments once and builds each child from
    the checked value (a `checked_type`), which the child's constructor takes as it is; any other `args`
    come from a caller of the component and are checked here."""
    return args if isinstance(args, checked_type) else check(args)
