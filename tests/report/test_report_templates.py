"""Report templates: a library's own copies override the shipped ones; errors name file and line."""

from __future__ import annotations

import pytest

from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput
from kbase.report import build_annual
from kbase.report.markup import md_escape, md_link, safe_url


def test_library_template_overrides_wording_and_order(sqlite_demo: Catalogue) -> None:
    folder = sqlite_demo.library.templates_dir
    (folder / "annual").mkdir(parents=True, exist_ok=True)
    (folder / "annual" / "team.md.j2").write_text(
        "## Our people\n\n{% for g in team %}{% for p in g.people %}* {{ p.name }}\n{% endfor %}{% endfor %}\n",
        encoding="utf-8")
    md, _ = build_annual(sqlite_demo, 2021, "md", sections=["team"])
    assert "## Our people" in md and "* Filip Reyniers" in md
    assert "### Administration" not in md
    (folder / "annual.md.j2").write_text(
        "# Jaarverslag {{ year }}\n{% for s in sections|reverse %}{% include 'annual/' ~ s ~ '.md.j2' %}\n{% endfor %}",
        encoding="utf-8")
    md, _ = build_annual(sqlite_demo, 2021, "md", sections=["assignments", "team"])
    assert md.startswith("# Jaarverslag 2021")
    assert md.index("## Our people") < md.index("## Assignments")


def test_template_syntax_error_names_file_and_line(sqlite_demo: Catalogue) -> None:
    folder = sqlite_demo.library.templates_dir / "annual"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "team.md.j2").write_text("## Team\n\n{% for p in team %}\n- {{ p.name }\n{% endfor %}\n",
                                       encoding="utf-8")
    with pytest.raises(InvalidInput) as err:
        build_annual(sqlite_demo, 2021, "md", sections=["team"])
    assert str(folder / "team.md.j2") in str(err.value) and "line 4" in str(err.value)


def test_template_runtime_error_names_file_and_line(sqlite_demo: Catalogue) -> None:
    folder = sqlite_demo.library.templates_dir / "annual"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "maps.md.j2").write_text("## Maps\n\n{{ year }}\n{{ no_such_value.title }}\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as err:
        build_annual(sqlite_demo, 2021, "html", sections=["maps"])
    message = str(err.value)
    assert "maps.md.j2" in message and "line 4" in message and "no_such_value" in message


def test_markdown_escaping_and_links() -> None:
    assert md_escape("A <script> & *b* [c](d) #e") == "A &lt;script> & \\*b\\* \\[c\\](d) \\#e"
    assert md_escape("- not a list") == "\\- not a list"
    assert md_escape("1. not a list") == "1\\. not a list"
    assert md_escape("&amp; stays literal") == "&amp;amp; stays literal"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("https://x.org/a b(c)") == "https://x.org/a%20b%28c%29"
    assert md_link("javascript:alert(1)", "label") == "label"
    assert md_link("https://x.org/", "A [b]") == "[A \\[b\\]](https://x.org/)"


def test_templates_cannot_reach_into_python(sqlite_demo: Catalogue) -> None:
    folder = sqlite_demo.library.templates_dir / "annual"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "team.md.j2").write_text("{{ team.__class__.__mro__[1].__subclasses__() }}\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="team.md.j2, line 1"):
        build_annual(sqlite_demo, 2021, "md", sections=["team"])
