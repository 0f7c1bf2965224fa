"""Generated stack files for the stack-file reader's property tests, and for comparing it with yaml.v3.

Each file is a `config:` of keys `p:base`, `p:other` (anchored mappings) and `p:k0`... whose mappings mix
the things the CLI's parser decides: merge keys (`<<`, `!!merge <<`, `! <<`, quoted `"<<"`), two of them in
one mapping, keys that differ by quoting alone, non-string keys, and scalars of every YAML 1.2 type
yaml.v3 resolves (resolve.go), tagged and untagged.
"""

from __future__ import annotations

from hypothesis import strategies as st

KEYS = ["a", "b", "A", "'a'", '"a"', "!!str a", "1", '"1"', "true", "~", "c d"]
MERGE_KEYS = ["<<", "!!merge <<", "! <<", '"<<"', "'<<'", "!!str <<"]
MERGE_VALUES = ["*base", "*other", "[*base, *other]", "[*other, *base]", "x", "[x]", "{e: 5}", "~"]
SCALARS = [
    "x",
    "yes",
    "no",
    "on",
    "Off",
    "true",
    "False",
    "TRUE",
    "tRUE",
    "~",
    "null",
    "NULL",
    "",
    "''",
    "0x1F",
    "0o17",
    "017",
    "09",
    "1_000",
    "-0",
    "+1",
    "1e3",
    "1E+3",
    ".5",
    "3.",
    "-.5e-2",
    ".inf",
    "-.Inf",
    ".nan",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551616",
    "0b101",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10",
    "2001-12-14T21:59:43Z",
    "'quoted'",
    '"dq \\u00e9"',
    "!!str 1",
    "!!int 7",
    "!!int x",
    "!!float 1",
    "!!bool true",
    "!!null ''",
    "!!binary aGVsbG8=",
    "!custom v",
    "*base",
    "[1, two]",
    "{f: g}",
]


def _entry(key: str, value: str) -> str:
    return f"    {key}: {value}"


entries = st.one_of(
    st.tuples(st.sampled_from(KEYS), st.sampled_from(SCALARS)).map(lambda kv: _entry(*kv)),
    st.tuples(st.sampled_from(MERGE_KEYS), st.sampled_from(MERGE_VALUES)).map(lambda kv: _entry(*kv)),
)

stack_files = st.lists(st.lists(entries, min_size=1, max_size=5), min_size=1, max_size=3).map(
    lambda mappings: (
        "config:\n  p:base: &base\n    a: 1\n    b: two\n  p:other: &other\n    b: 3\n    c: four\n"
        + "".join(f"  p:k{i}:\n" + "\n".join(lines) + "\n" for i, lines in enumerate(mappings))
    )
)
"""The text of a generated Pulumi.<stack>.yaml (project `p`)."""

MERGES = ["<<", "!!merge <<", "! <<"]
"""The spellings of a merge key yaml.v3 takes (decode.go, isMerge: `<<` untagged or `!`, or tagged !!merge)."""
_ANCHORS = "base: &base {backend: s3, keyGeneration: 2}\nother: &other {keyGeneration: 5, bucket: b}\nconfig:\n"


def _two_merges(parts: tuple[list[tuple[str, str]], list[str], object]) -> str:
    merges, plain, order = parts
    lines = [f"{key}: {value}" for key, value in merges] + plain
    order.shuffle(lines)  # type: ignore[attr-defined]
    return _ANCHORS + "  workspaceImages:\n" + "".join(f"    {line}\n" for line in lines)


two_merge_files = st.tuples(
    st.lists(
        st.tuples(st.sampled_from(MERGES), st.sampled_from(["*base", "*other", "[*base, *other]"])),
        min_size=2,
        max_size=4,
    ),
    st.lists(st.sampled_from(["a: 1", "bucket: x", "z: yes"]), unique=True, max_size=3),
    st.randoms(use_true_random=False),
).map(_two_merges)
"""Stack files with two or more merge keys in one mapping, in any spelling and order: yaml.v3 refuses them."""


def _one_merge(parts: tuple[str, str]) -> tuple[str, dict]:
    merge, source = parts
    text = _ANCHORS + f"  workspaceImages:\n    {merge}: {source}\n    bucket: mine\n"
    first = 2 if source.startswith(("*base", "[*base")) else 5  # the first source wins, the mapping over both
    return text, {"backend": "s3", "keyGeneration": first, "bucket": "mine"}


one_merge_files = st.tuples(
    st.sampled_from(MERGES), st.sampled_from(["*base", "[*base, *other]", "[*other, *base]"])
).map(_one_merge)
"""(stack file with one merge key in a spelling yaml.v3 takes, the workspaceImages object it yields)."""
