"""The Markdown plan diff quotes what anyone who opens a pull request controls; none of it may become Markdown.

Config keys, values, certificate names, error messages and stack names reach the PR comment. GitHub renders
it as GFM: `[a](https://x)` and `![a](x)` are links and images, `https://x`, `www.x` and `a@x.example` are
autolinks, `@user` is a mention, `|` ends a table cell, a backtick ends a code span, `<...>` is HTML.
The oracle below reads the Markdown source, since the autolinker and mentions work on it: every piece of a
planted string must sit inside a <code> element, with no character that GFM reads as syntax left literal.
"""

from __future__ import annotations

import functools
import json
import re

import cmarkgfm
from cmarkgfm.cmark import Options
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import AWS, run
from offline.changes import Change
from offline.diff import ResourceChange, StackDiff, diff_stack
from offline.engine import evaluate
from offline.render import EMPTY_COMMENT, render_diff_markdown, render_markdown
from offline.snapshot import snapshot

MARK = "QZXJ"
"""Starts every planted string, so the oracle can find where each one landed."""
HOSTILE = [
    "[Click to approve](https://evil.example/approve) @octocat",
    "![x](https://evil.example/x.png)",
    "<img src=x onerror=alert(1)>",
    "www.evil.example",
    "mail@evil.example",
    "@octocat",
    "https://evil.example",
    "`code` ``x``",
    "a | b | c",
    "**bold** _it_ ~~s~~",
    "\\[x\\](y)",
    "&lt;b&gt; &#64;octocat",
    "line\nbreak\r\n> quote",
    "\u202e\u200b\ufeff",
    "<!-- x -->",
    "</code>[x](y)",
    "# heading",
]
ALLOWED_TAGS = {"code", "/code", "details", "/details", "summary", "/summary", "i", "/i"}
SYNTAX = set("<>\"'`*_~[]()!|\\@:")

planted = st.builds(
    lambda pieces, tail: MARK + "".join(pieces) + tail,
    st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=3),
    st.text(max_size=8),
)


def assert_inert(markdown: str) -> None:
    """No planted text outside <code>, none of GFM's syntax literal inside it, tables and tags intact; and
    GitHub's own renderer (cmark-gfm with its extensions: autolinks, tables, HTML passed through as GitHub
    passes the comment's <details> and <code>) makes no link and no image of it."""
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    assert "<a " not in html and "<img" not in html, f"a live link or image: {html}"
    spans = [(m.start(), m.end()) for m in re.finditer(r"<code>.*?</code>", markdown, re.DOTALL)]
    for found in re.finditer(MARK, markdown):
        assert any(start < found.start() < end for start, end in spans), f"planted text outside <code>: {markdown}"
    for start, end in spans:
        inner = markdown[start + len("<code>") : end - len("</code>")]
        assert "\n" not in inner and "\r" not in inner, inner
        literal = re.sub(r"&#[0-9]+;", "", inner).replace(EMPTY_COMMENT, "")
        assert not SYNTAX & set(literal), f"GFM syntax left literal in {inner!r}"
        assert not re.search(r"(?i)www\.", literal), inner
    for tag in re.findall(r"<(/?[A-Za-z][A-Za-z0-9]*)", markdown):
        assert tag in ALLOWED_TAGS, f"<{tag}> in {markdown}"
    header = None
    for line in markdown.splitlines():
        if line.startswith("|"):
            cells = line.count("|")
            header = header or cells
            assert cells == header, f"a table row with a cell too many: {line}"
        else:
            header = None


def _resource(name: str, type_: str = "kubernetes:core/v1:Secret", **kwargs) -> ResourceChange:
    return ResourceChange(
        urn=f"urn:pulumi:dev::gitpod-registry::{type_}::{name}", type=type_, name=name, protect=False, **kwargs
    )


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(planted, min_size=9, max_size=9), st.booleans())
def test_whatever_a_pull_request_plants_in_a_diff_is_inert(texts, detailed):
    key, before, after, name, type_, reason, error, stack, path = texts
    changes = [Change(key, before, after), Change(path, {"k": after}, [before])]
    diff = StackDiff(
        stack,
        head_error=error,
        base_error=error if detailed else None,
        added=[_resource(name, type_)],
        removed=[_resource(name)],
        replaced=[
            _resource(
                name,
                type_,
                old_urn=f"urn:pulumi:dev::gitpod-registry::{type_}::{before}",
                reason=reason,
                changes=changes,
                forcing=[key] if detailed else [],
            )
        ],
        renamed=[_resource(name, old_urn=f"urn:pulumi:dev::p::{type_}::{name}", reason=reason, changes=changes)],
        changed=[_resource(name, changes=changes * 4)],
        outputs=changes,
    )
    assert_inert(render_diff_markdown([diff]))
    assert_inert(render_diff_markdown([diff], limit=100_000 if detailed else 3_000).rsplit("\n\n_Cut", 1)[0])


@functools.cache
def _dev_plan() -> str:
    return json.dumps(snapshot(run("dev", AWS)))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(planted)
def test_a_plan_s_markdown_quotes_names_and_inputs_inertly(text):
    plan = json.loads(_dev_plan())  # one evaluation; each example plants its text in a fresh copy
    plan["stack"] = text
    first = next(iter(plan["resources"].values()))
    first["inputs"][text] = text
    first["name"] = text
    assert_inert(render_markdown(plan).split("Gitpod installer config:")[0])


def test_an_unknown_key_named_like_a_link_reaches_the_comment_inert():
    hostile = f"{MARK}[Click to approve](https://evil.example/approve) @octocat"
    head = evaluate("dev", {**AWS, f"gitpod-registry:{hostile}": "x"}, use_stack_file=False)
    assert head.error is not None
    markdown = render_diff_markdown([diff_stack("dev", snapshot(run("dev", AWS)), snapshot(head))])
    assert_inert(markdown)
    assert "](https" not in markdown and "@octocat" not in markdown


def test_the_installer_config_fence_cannot_be_closed_from_inside():
    plan = snapshot(run("dev", AWS))
    plan["outputs"]["installerConfigYaml"] = "a: 1\n```\n[x](https://evil.example)\n````\n"
    markdown = render_markdown(plan)
    body = markdown.split("Gitpod installer config:\n\n", 1)[1]
    fence = re.match(r"`+", body).group()
    assert len(fence) == 5 and body.rstrip("\n").endswith("\n" + fence), body
