r"""Reads Pulumi.yaml and Pulumi.<stack>.yaml as the Pulumi CLI does, and hands config over as it does.

The CLI decodes these files with gopkg.in/yaml.v3 v3.0.1 (pulumi/pulumi sdk/go/common/encoding,
`yaml.Unmarshal`) and then with its own loader (sdk/go/common/workspace/loaders.go,
resource/config/object.go, value.go). This module reproduces what matters for the program:

- YAML 1.2 scalars as yaml.v3 resolves them (resolve.go): only true/false (any case form yaml.v3
  lists) are booleans, so `yes`, `no`, `on`, `off` are strings; `~`, `null` and an empty value are
  null; ints in decimal, 0x, 0o, 0b, leading-0 octal and with `_`; dates become Go timestamps.
- A key twice in one mapping is an error (yaml.v3's uniqueKeys); merge keys `<<` work. One config key in
  two spellings (`protectData`, `gitpod-registry:protectData`, `gitpod-registry:config:protectData`) is
  refused too: the CLI would keep one of them at random (config.Map).
- Alias expansion is bounded by yaml.v3's own rule (decode.go, allowedAliasRatio), so a small
  alias bomb is refused at once instead of taking seconds and gigabytes.
- Only string keys (workspace.SimplifyMarshalledValue); the file's top level is a mapping.
- yaml.v3's syntax where it differs from PyYAML's (scannerc.go, parserc.go): tabs as blanks after `key:`,
  after a scalar and in flow collections (not as indentation); `\'` but not `\/` in double quotes; an
  anchor name defined again; `%YAML` 1.1 only. `secretsprovider`, `encryptedkey` and `encryptionsalt` are
  strings (workspace.ProjectStack): a mapping or list there is refused, as the CLI refuses it.
- One document: yaml.v3 reads only the first and silently ignores the rest, so a config the CLI
  would drop is refused here rather than planned as if it applied.
- Config values reach the program as PULUMI_CONFIG strings: strings as they are, a top-level null
  as "" (loaders.go, checkForEmptyConfig), numbers and booleans and objects as Go's encoding/json
  writes them; `{secure: ...}` marks a secret; NaN and infinities cannot be written, so the CLI
  refuses them.

A broken file is reported as StackFileError: the file, the line and what is wrong, never the
text of the line (it may hold a password).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
import yaml.composer
import yaml.parser
import yaml.reader
import yaml.scanner
from yaml import MappingNode, Node, ScalarNode, SequenceNode

_BOOL = {**dict.fromkeys(("true", "True", "TRUE"), True), **dict.fromkeys(("false", "False", "FALSE"), False)}
_NULL = {"", "~", "null", "Null", "NULL"}
_SPECIAL_FLOATS = {
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
_YAML_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_TAG_PREFIX = "tag:yaml.org,2002:"
_INT64 = (-(2**63), 2**63 - 1)
_UINT64_MAX = 2**64 - 1
# yaml.v3 decode.go: alias_ratio_range_low/high.
_ALIAS_RANGE_LOW, _ALIAS_RANGE_HIGH = 400_000, 4_000_000


class StackFileError(Exception):
    """A project or stack file the CLI would refuse, in one line: file, line, problem; never the line's text."""

    def __init__(self, path: Path, problem: str, line: int | None = None) -> None:
        self.path, self.problem, self.line = path, problem, line
        where = f"{path.name}: line {line}" if line else path.name
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Secure:
    """A `{secure: ciphertext}` value: only the CLI can decrypt it."""

    ciphertext: str


class _Composer(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer):
    """PyYAML's syntax layers only; scalars are resolved afterwards, the way yaml.v3 resolves them."""

    yaml_implicit_resolvers: dict = {}
    yaml_path_resolvers: dict = {}

    def __init__(self, text: str) -> None:
        yaml.reader.Reader.__init__(self, text)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)

    # yaml.v3's double-quoted escapes (scannerc.go, yaml_parser_scan_flow_scalar): PyYAML's, with `\'` and
    # without `\/`, which yaml.v3 refuses as "found unknown escape character".
    ESCAPE_REPLACEMENTS = {  # type: ignore[bad-override]  # the stubs call it Final; PyYAML reads self.ESCAPE_...
        **{k: v for k, v in yaml.scanner.Scanner.ESCAPE_REPLACEMENTS.items() if k != "/"},
        "'": "'",
    }

    def scan_to_next_token(self) -> None:
        """PyYAML's, skipping tabs where yaml.v3 does (yaml_parser_scan_to_next_token): in a flow collection,
        and wherever a simple key cannot start (after `key:`, after a scalar: before a comment, at the end of a
        line). At the start of a block line a tab is still no indentation, and refused as yaml.v3 refuses it."""
        if self.index == 0 and self.peek() == "\ufeff":
            self.forward()
        while True:
            while self.peek() == " " or (self.peek() == "\t" and (self.flow_level or not self.allow_simple_key)):
                self.forward()
            if self.peek() == "#":
                while self.peek() not in "\0\r\n\x85\u2028\u2029":
                    self.forward()
            if not self.scan_line_break():
                return
            if not self.flow_level:
                self.allow_simple_key = True

    def process_directives(self) -> Any:
        """yaml.v3 reads YAML 1.1 documents only: any other %YAML version is "found incompatible YAML document"
        (parserc.go, yaml_parser_process_directives); PyYAML takes 1.2 with a warning."""
        start = self.peek_token().start_mark
        result = super().process_directives()
        if self.yaml_version is not None and self.yaml_version != (1, 1):
            raise yaml.parser.ParserError(None, None, "found incompatible YAML document", start)
        return result

    def compose_node(self, parent: Any, index: Any) -> Any:
        """yaml.v3 lets an anchor name be defined again; an alias then means the latest (parserc.go keeps
        anchors in a map it overwrites). PyYAML refuses the second definition."""
        if not self.check_event(yaml.AliasEvent):
            anchor = self.peek_event().anchor
            if anchor is not None:
                self.anchors.pop(anchor, None)
        return super().compose_node(parent, index)

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:  # PyYAML's resolver interface
        if kind is ScalarNode:
            return "?"  # untagged: resolved by _scalar, from the style and the text
        return _TAG_PREFIX + ("seq" if kind is SequenceNode else "map")

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


def _short(tag: str) -> str:
    return "!!" + tag[len(_TAG_PREFIX) :] if tag.startswith(_TAG_PREFIX) else tag


def _int(text: str) -> int | None:
    """strconv.ParseInt/ParseUint(text, 0, 64) as yaml.v3 calls them: 0x, 0o, 0b and leading-0 octal."""
    match = re.fullmatch(r"([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)", text)
    if not match:
        return None
    sign, digits = match.groups()
    lowered = digits.lower()
    if lowered.startswith(("0x", "0o", "0b")):
        value = int(lowered[2:], {"x": 16, "o": 8, "b": 2}[lowered[1]])
    elif len(digits) > 1 and digits.startswith("0"):
        value = int(digits, 8)
    elif len(digits) > len(str(_UINT64_MAX)):
        # Out of ParseInt's and ParseUint's range, so yaml.v3 keeps the text; and Python's int() refuses decimal
        # text of over 4300 digits (sys.get_int_max_str_digits) with a ValueError.
        return None
    else:
        value = int(digits)
    value = -value if sign == "-" else value
    return value if _INT64[0] <= value <= _UINT64_MAX else None


def _go_time(value: datetime.datetime, has_zone: bool) -> str:
    """time.Time.String() of a decoded YAML timestamp, as Pulumi's config turns it into a string."""
    fraction = f"{value.microsecond:06d}".rstrip("0")
    text = value.strftime("%Y-%m-%d %H:%M:%S") + (f".{fraction}" if fraction else "")
    offset = value.utcoffset() if has_zone else None
    if offset is None or offset == datetime.timedelta(0):
        return f"{text} +0000 UTC"
    minutes = int(offset.total_seconds() // 60)
    zone = f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    return f"{text} {zone} {zone}"


# yaml.v3 resolve.go, allowedTimestampFormats: RFC 3339 with 'T' or 't' and a zone, a single space
# and no zone, or a date alone; the year has exactly four digits.
_DATE = r"(\d{4})-(\d{1,2})-(\d{1,2})"
_CLOCK = r"(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?"
_TIMESTAMP = re.compile(rf"{_DATE}(?:[Tt]{_CLOCK}(Z|[-+]\d{{2}}:\d{{2}})| {_CLOCK})?")


def _timestamp(text: str) -> str | None:
    match = _TIMESTAMP.fullmatch(text)
    if not match:
        return None
    year, month, day, *rest = match.groups()
    hour, minute, second, fraction, zone = rest[:5] if rest[0] is not None else (*rest[5:], None)
    try:
        tz = datetime.UTC
        if zone and zone != "Z":
            sign = -1 if zone[0] == "-" else 1
            hours, mins = zone[1:].split(":")
            tz = datetime.timezone(sign * datetime.timedelta(hours=int(hours), minutes=int(mins)))
        value = datetime.datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=tz,
        )
    except ValueError:
        return None
    return _go_time(value, zone is not None)


def _plain(text: str) -> Any:
    """yaml.v3 resolve("", text) for an untagged plain scalar."""
    if text in _BOOL:
        return _BOOL[text]
    if text in _NULL:
        return None
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    if text[:1] == ".":
        try:
            number = float(text) if re.fullmatch(r"\.[0-9]+([eE][-+]?[0-9]+)?", text) else math.inf
        except ValueError:
            return text
        return number if math.isfinite(number) else text
    if text[:1] in "+-0123456789":
        stamp = _timestamp(text)
        if stamp is not None:
            return stamp
        plain = text.replace("_", "")
        number = _int(plain)
        if number is not None:
            return number
        if _YAML_FLOAT.match(plain) and math.isfinite(float(plain)):
            return float(plain)  # Go's ParseFloat fails on overflow, and the text stays a string
    return text


class _Decoder:
    """The node graph decoded as yaml.v3 decodes into `any`, with its limits, then Pulumi's checks."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.decode_count = 0
        self.alias_count = 0
        self.alias_depth = 0
        self.seen: set[int] = set()
        self.expanding: set[int] = set()

    def fail(self, node: Node, problem: str) -> StackFileError:
        return StackFileError(self.path, problem, node.start_mark.line + 1)

    def decode(self, node: Node) -> Any:
        # yaml.v3 counts every decode, and those inside an alias expansion, and refuses a document
        # whose expansions dominate it (decode.go, allowedAliasRatio).
        self.decode_count += 1
        if self.alias_depth:
            self.alias_count += 1
        if (
            self.alias_count > 100
            and self.decode_count > 1000
            and self.alias_count / self.decode_count > _ratio(self.decode_count)
        ):
            raise self.fail(node, "excessive aliasing: the aliases expand to far more than the file holds")
        if self.alias_count > CONFIG_HANDOVER_MAX:
            # Within yaml.v3's budget a stack file can still expand to millions of nodes, seconds of work here.
            # Each expanded node adds at least a byte to the config the CLI would hand the program, which holds
            # at most CONFIG_HANDOVER_MAX bytes, so the stack is refused before the rest is expanded. (The CLI
            # would not expand an alias under a top-level key it ignores; nobody writes one of this size.)
            raise self.fail(
                node,
                f"the aliases expand to more than the {CONFIG_HANDOVER_MAX:,} bytes of config the Pulumi CLI can "
                "hand a program (one environment variable)",
            )
        if id(node) in self.seen:  # PyYAML shares an aliased node: this is an alias
            if id(node) in self.expanding:
                raise self.fail(node, "an anchor's value contains an alias of itself")
            self.alias_depth += 1
            try:
                return self._decode(node)
            finally:
                self.alias_depth -= 1
        self.seen.add(id(node))
        return self._decode(node)

    def _decode(self, node: Node) -> Any:
        self.expanding.add(id(node))
        try:
            if isinstance(node, ScalarNode):
                return self._scalar(node)
            if isinstance(node, SequenceNode):
                return [self.decode(item) for item in node.value]
            assert isinstance(node, MappingNode), node  # the composer makes only these three kinds
            return self._mapping(node)
        finally:
            self.expanding.discard(id(node))

    def _scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        if tag in ("?", "!"):
            return _plain(node.value) if node.style is None else node.value
        short = _short(tag)
        if short == "!!str":
            return node.value
        if short == "!!binary":
            try:
                data = base64.b64decode("".join(node.value.split()), validate=True)
            except (binascii.Error, ValueError):
                raise self.fail(node, "a !!binary value is not valid base64") from None
            return data.decode("utf-8", errors="replace")  # Go's encoding/json writes U+FFFD for bad UTF-8
        if short not in ("!!bool", "!!int", "!!float", "!!null", "!!timestamp"):
            return node.value  # yaml.v3 keeps the text of a scalar with a tag it does not know
        value = _plain(node.value)
        expected = {"!!bool": bool, "!!int": int, "!!float": (int, float), "!!null": type(None), "!!timestamp": str}
        if not isinstance(value, expected[short]) or (short == "!!int" and isinstance(value, bool)):
            raise self.fail(node, f"a value tagged {short} is not one")
        return float(value) if short == "!!float" and isinstance(value, int | float) else value

    def _mapping(self, node: MappingNode) -> dict[str, Any]:
        first_line: dict[tuple[str, Any], int] = {}
        for key, _ in node.value:
            identity = (type(key).__name__, key.value if isinstance(key, ScalarNode) else "")
            if identity in first_line:  # `<<` too: yaml.v3 compares kind and text only (decode.go, mapping)
                raise self.fail(key, f"a mapping key is defined twice (first at line {first_line[identity]})")
            first_line.setdefault(identity, key.start_mark.line + 1)
        result: dict[str, Any] = {}
        merges = []
        for key_node, value_node in node.value:
            if _is_merge(key_node):
                merges.append(value_node)
                continue
            key = self.decode(key_node)
            if not isinstance(key, str) or (isinstance(key_node, ScalarNode) and _is_typed(key_node)):
                raise self.fail(key_node, "a mapping key is not a string; Pulumi accepts only string keys")
            result[key] = self.decode(value_node)
        for merge in merges:
            sources = merge.value if isinstance(merge, SequenceNode) else [merge]
            for source in sources:
                if not isinstance(source, MappingNode):
                    raise self.fail(merge, "a merge key (<<) needs a mapping or a list of mappings")
                for key, value in self.decode(source).items():
                    result.setdefault(key, value)
        return result


def _is_merge(node: Node) -> bool:
    """yaml.v3's isMerge (decode.go): `<<` plain and untagged (the parser tags it !!merge), or tagged !!merge."""
    if not isinstance(node, ScalarNode) or node.value != "<<":
        return False
    return (node.style is None and node.tag in ("?", "!")) or _short(node.tag) == "!!merge"


def _is_typed(node: ScalarNode) -> bool:
    """Whether yaml.v3 gives this key a tag other than !!str (an int, a bool, a null, a custom tag)."""
    if node.tag in ("?", "!"):
        if node.style is not None:
            return False  # quoted: a string
        return _timestamp(node.value) is not None or not isinstance(_plain(node.value), str)
    return _short(node.tag) != "!!str"


def _ratio(decode_count: int) -> float:
    if decode_count <= _ALIAS_RANGE_LOW:
        return 0.99
    if decode_count >= _ALIAS_RANGE_HIGH:
        return 0.10
    return 0.99 - 0.89 * (decode_count - _ALIAS_RANGE_LOW) / (_ALIAS_RANGE_HIGH - _ALIAS_RANGE_LOW)


def _problem(text: str | None) -> str:
    """A parser's complaint without any quoted fragment of the file (it may be part of a password)."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"|#x[0-9a-fA-F]+", "", text or "invalid YAML")
    return re.sub(r"\s+", " ", text).strip(" ,:") or "invalid YAML"


STACK_FILE_MAX = 256 * 1024
"""The largest project or stack file read, checked before it is parsed (our choice). The CLI hands a program its
whole config as one environment variable (PULUMI_CONFIG, see CONFIG_HANDOVER_MAX), at most 128 KiB; a file twice
that is comments or aliases nobody reviews. The YAML reader is pure Python: 512 KiB of the densest YAML (`[x,x,
...]`) took 9 s on the 2-core machine, so a pull request's stack file could stall the plan job; 256 KiB stays
under 5 s."""

CONFIG_HANDOVER_MAX = 32 * 4096 - len("PULUMI_CONFIG=") - 1
"""The most bytes of config the CLI can hand a Python program. pulumi-language-python starts the program
with the config as JSON in one environment variable, `PULUMI_CONFIG=<json>` (sdk/python/cmd/
pulumi-language-python/main.go, pulumiConfigVar), and Linux's execve refuses any one environment string
over MAX_ARG_STRLEN, 32 pages of 4 KiB with its NUL (include/uapi/linux/binfmts.h): the program would
not start ("argument list too long")."""


def _text(path: Path) -> str:
    size = path.stat().st_size
    if size > STACK_FILE_MAX:
        raise StackFileError(
            path,
            f"is {size:,} bytes; at most {STACK_FILE_MAX:,} are read: the Pulumi CLI can hand a program at most "
            f"{CONFIG_HANDOVER_MAX:,} bytes of config (one environment variable), so keep large values out of it",
        )
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # the CLI strips a UTF-8 BOM (loaders.go, readFileStripUTF8BOM)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise StackFileError(path, "is not valid UTF-16") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise StackFileError(path, "is not valid UTF-8", data[: error.start].count(b"\n") + 1) from None


def load(path: Path) -> Any:
    """The file's first document as the CLI decodes it; StackFileError when the CLI would not."""
    text = _text(path)
    try:
        composer = _Composer(text)
        documents = []
        while composer.check_node():
            node = composer.get_node()
            if documents and not (isinstance(node, ScalarNode) and node.value == "" and node.tag == "?"):
                raise StackFileError(
                    path,
                    "a second YAML document starts here; the Pulumi CLI reads only the first and silently "
                    "ignores the rest, so keep one document",
                    node.start_mark.line + 1 if node is not None and node.start_mark else None,
                )
            documents.append(node)
        return _Decoder(path).decode(documents[0]) if documents else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise StackFileError(
            path, f"invalid YAML: {_problem(error.problem)}", mark.line + 1 if mark else None
        ) from None
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        raise StackFileError(path, "invalid YAML: a control character YAML does not allow", line) from None
    except yaml.YAMLError:
        raise StackFileError(path, "invalid YAML") from None
    except RecursionError:
        raise StackFileError(path, "nested too deeply") from None


def as_mapping(path: Path, document: Any, what: str) -> dict[str, Any]:
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise StackFileError(path, f"the top level is not a mapping; {what} is a mapping of settings")
    return document


def _go_float(value: float) -> str:
    """A float64 as Go's encoding/json writes it: the shortest digits, in 'f' form, 'e' below 1e-6 and from 1e21."""
    if value != 0 and (abs(value) < 1e-6 or abs(value) >= 1e21):
        mantissa, exponent = f"{value!r}".split("e") if "e" in repr(value) else f"{value:e}".split("e")
        return f"{mantissa}e{'-' if int(exponent) < 0 else '+'}{abs(int(exponent))}"
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _json(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float(value)
    if value is None:
        return "null"
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, list):
        return "[" + ",".join(_json(v) for v in value) + "]"
    return "{" + ",".join(f"{_json_string(k)}:{_json(v)}" for k, v in sorted(value.items())) + "}"


def _json_string(text: str) -> str:
    # Go's encoding/json escapes U+2028 and U+2029 even without HTML escaping (encode.go, appendString).
    return json.dumps(text, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def go_json(value: Any) -> str:
    """A decoded value as the JSON text Go's encoding/json writes for it (keys sorted), as the CLI hands it over."""
    return _json(value)


def _check_numbers(path: Path, key: str, value: Any) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise StackFileError(path, f"config {key} holds .nan or .inf, which Pulumi cannot pass to a program (JSON)")
    for item in value.values() if isinstance(value, dict) else value if isinstance(value, list) else ():
        _check_numbers(path, key, item)


def secure_value(value: Any) -> Secure | None:
    """`{secure: "<ciphertext>"}`, exactly (object.go, isSecureValue)."""
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("secure"), str):
        return Secure(value["secure"])
    return None


def config_text(value: Any, placeholder: Callable[[str], str]) -> tuple[str, bool]:
    """(what PULUMI_CONFIG holds for a decoded stack value, whether it holds a secret).

    Secure values become `placeholder(path)` (the path inside the value, "" for the value itself).
    """
    found = False

    def plain(item: Any, where: str) -> Any:
        nonlocal found
        if secure_value(item) is not None:
            found = True
            return placeholder(where)
        if isinstance(item, dict):
            return {k: plain(v, f"{where}.{k}" if where else k) for k, v in item.items()}
        if isinstance(item, list):
            return [plain(v, f"{where}[{i}]") for i, v in enumerate(item)]
        return item

    converted = plain(value, "")
    if value is None:
        return "", False  # a top-level null reaches the program as "" (loaders.go, checkForEmptyConfig)
    if isinstance(converted, str):
        return converted, found
    return _json(converted), found


def config_key(path: Path, key: Any, project: str, line: int | None = None) -> str:
    """A stack file's config key as the CLI names it (loaders.go and config/key.go, ParseKey)."""
    if ":" not in key:
        return f"{project}:{key}"
    if key.count(":") == 1 or (key.count(":") == 2 and key.split(":")[1] == "config"):
        namespace, *_, name = key.split(":")
        return f"{namespace}:{name}"
    raise StackFileError(path, "a config key has more than one ':'; keys are NAMESPACE:NAME", line)


_STACK_STRINGS = ("secretsprovider", "encryptedkey", "encryptionsalt")
"""The stack file's string fields (pulumi/pulumi sdk/go/common/workspace/project.go, ProjectStack)."""


def stack_values(path: Path, project: str) -> dict[str, Any]:
    """The `config:` of a stack file, keys as the CLI names them, values decoded (not yet as text)."""
    document = as_mapping(path, load(path), "a stack file")
    for key in _STACK_STRINGS:
        if isinstance(document.get(key), (dict, list)):
            raise StackFileError(
                path,
                f"`{key}:` is a {'mapping' if isinstance(document[key], dict) else 'list'}; the Pulumi CLI reads "
                "it as a string (workspace.ProjectStack) and refuses the file",
            )
    config = document.get("config")
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise StackFileError(path, "`config:` is not a mapping of keys to values")
    values: dict[str, Any] = {}
    spelt: dict[str, str] = {}
    for key, value in config.items():
        full = config_key(path, key, project)
        if full in spelt:
            raise StackFileError(path, _given_twice(full, spelt[full], key))
        spelt[full] = key
        _check_numbers(path, full, value)
        values[full] = value
    return values


_KEY_SHOWN = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,40}(:[A-Za-z][A-Za-z0-9.\[\]-]{0,60}){0,2}")


def _given_twice(full: str, first: str, second: str) -> str:
    """Two spellings of one key (`protectData`, `gitpod-registry:protectData`, `gitpod-registry:config:protectData`).

    The CLI decodes `config:` into map[string]Value and then re-keys it by ParseKey while ranging over that
    Go map (sdk/go/common/resource/config/map.go, Map.UnmarshalYAML): which spelling survives depends on
    Go's randomised map order, so `pulumi up` may apply either value while a plan shows one.
    """
    # Shown only when both spellings look like config keys. This module must not import the program's
    # `components` (the upgrade check runs it beside an earlier release's), so it has its own narrow rule.
    if not all(_KEY_SHOWN.fullmatch(spelling) for spelling in (first, second)):
        return (
            "one config key is given in two spellings (not shown: they may hold a credential); the Pulumi CLI "
            "keeps one of the two at random (it reads `config:` into a Go map), "
            "so give each key once"
        )
    return (
        f"config key {full} is given twice, as `{first}` and as `{second}`; the Pulumi CLI keeps one of the "
        "two at random (it reads `config:` into a Go map), so give each key once"
    )
