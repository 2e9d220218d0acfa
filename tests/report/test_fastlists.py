"""The fast path for simple lists and paragraphs gives the HTML Python-Markdown gives (kbase/report/fastlists.py)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbase.report.fastlists import convert_lists
from kbase.report.markup import md_escape, md_link
from kbase.report.render import markdown_to_html_body

# letters, digits, spaces and every character that means something to Markdown or HTML
ALPHABET = "ab éZ09.-+*_#>[](){}<>&;!|`\\\"'\t=:/%?\n"
text = st.text(alphabet=ALPHABET, min_size=0, max_size=30)
url = st.sampled_from(["https://example.org/p/1", "https://example.org/a_b*c?x=1&y=2#top", "http://x.io/(a)",
                       "https://e.org/&amp;", "javascript:alert(1)", "https://e.org/a b"])


@st.composite
def item(draw: st.DrawFn) -> str:
    """A list item as the report templates write one (escaped catalogue text), or raw Markdown-ish text."""
    if draw(st.booleans()):
        parts = [md_escape(draw(text)), f"*{md_escape(draw(text))}*", str(md_link(draw(url), draw(text)))]
        return "- " + ". ".join(p for p in parts if p.strip())
    return "- " + draw(text).replace("\n", " ")


@st.composite
def document(draw: st.DrawFn) -> str:
    blocks = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["list", "list", "para", "para", "heading", "other-list", "indented"]))
        if kind == "list":
            blocks.append("\n".join(draw(st.lists(item(), min_size=1, max_size=4))))
        elif kind == "para" and draw(st.booleans()):
            blocks.append(draw(text) or "x")
        elif kind == "para":  # as the templates write them: a strong label, escaped text, a link
            lines = [f"**{md_escape(draw(text)) or 'Label'}:** {md_escape(draw(text), line_start=False)} "
                     f"{md_link(draw(url), draw(text))}".strip() for _ in range(draw(st.integers(1, 3)))]
            blocks.append("\n".join(lines))
        elif kind == "heading":
            blocks.append("## " + (md_escape(draw(text)) or "H"))
        elif kind == "other-list":
            blocks.append(draw(st.sampled_from(["* star", "+ plus", "1. one", "- a\n  continued"])))
        else:
            blocks.append("    code " + draw(text).replace("\n", " "))
    joiner = draw(st.sampled_from(["\n\n", "\n", "\n\n\n", "\n \n"]))
    return joiner.join(blocks)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document())
def test_the_fast_path_gives_python_markdowns_html(md: str) -> None:
    assert markdown_to_html_body(md) == markdown_to_html_body(md, fast_lists=False)


def test_a_citation_list_is_taken_by_the_fast_path_and_reads_right() -> None:
    md = ("Intro\n\n- Ngongo, A. *Cobalt & \\*stars\\* &lt;b&gt;*. IPIS, 2021. "
          "[example.org/p?a=1&b=2](https://example.org/p?a=1&b=2)\n- Second\n\nafter")
    seen: list[str] = []

    def spy(source: str) -> str:
        seen.append(source)
        return markdown_to_html_body(source, fast_lists=False)

    html = convert_lists(md, spy)
    assert "- Ngongo" not in seen[0]  # the list did not reach Python-Markdown
    assert html == markdown_to_html_body(md, fast_lists=False)
    assert '<em>Cobalt &amp; *stars* &lt;b&gt;</em>' in html
    assert '<a href="https://example.org/p?a=1&amp;b=2">' in html


def test_a_list_next_to_another_list_is_left_to_python_markdown() -> None:
    md = "- a\n\n- b\n\n* c"
    seen: list[str] = []
    convert_lists(md, lambda s: seen.append(s) or "")  # type: ignore[func-returns-value]
    assert seen == [md]


def test_every_backslash_escape_and_entity_reads_as_python_markdown_reads_it() -> None:
    md = "- Esc \\> \\# \\{ \\} \\! \\- \\+ \\. \\\\ \\` \\_ \\[ \\] \\* &amp; &#38; &x &lt; & done *e \\> m*\n- b"
    seen: list[str] = []

    def spy(source: str) -> str:
        seen.append(source)
        return markdown_to_html_body(source, fast_lists=False)

    assert convert_lists(md, spy) == markdown_to_html_body(md, fast_lists=False)
    assert "Esc" not in seen[0]
