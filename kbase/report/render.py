"""Templates to Markdown (Jinja2), Markdown to HTML; template errors name the file and line."""

from __future__ import annotations

import re
import traceback
from pathlib import Path
from typing import Any

import jinja2
import markdown
from jinja2.sandbox import SandboxedEnvironment
from markdown.extensions.toc import TocExtension
from markupsafe import Markup

from kbase.errors import InvalidInput
from kbase.i18n import N_
from kbase.report.fastlists import convert_lists
from kbase.report.i18n import join_names
from kbase.report.markup import finalize, heading_slug, md_escape, md_link, md_short_link
from kbase.resources import resource

# no attribute lists: the Markdown stays CommonMark/Pandoc; headings get the ids GitHub and Pandoc
# would give them, so the contents' links work in every reader
MD_EXTENSIONS = ["sane_lists", "tables"]
# inline syntax the report templates never need; dropping it makes conversion about a third faster.
# Raw HTML is among it: templates are Markdown, and catalogue text can never smuggle markup in.
UNUSED_INLINE = ("backtick", "reference", "image_reference", "short_reference", "short_image_ref",
                 "automail", "not_strong", "em_strong2", "html", "entity")


def template_dirs(library_templates: Path | None) -> list[Path]:
    """The library's own templates first, so an institute can override any file."""
    dirs = [resource("templates")]
    if library_templates is not None and library_templates.is_dir():
        dirs.insert(0, library_templates)
    return dirs


def environment(library_templates: Path | None = None) -> jinja2.Environment:
    # sandboxed: a template copied from elsewhere can change wording, never reach into Python
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(library_templates)]),
        finalize=finalize, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True, autoescape=False,
    )
    env.filters["paragraphs"] = lambda text: Markup(md_escape(text, inline=False))
    env.filters["link"] = md_link
    env.filters["short_link"] = md_short_link
    env.filters["names"] = jinja2.pass_context(
        lambda ctx, names: join_names(ctx.get("lang") or "en", [str(n) for n in names]))
    env.filters["md"] = lambda text: Markup(md_escape(text))
    env.filters["slug"] = heading_slug
    env.filters["upper_first"] = lambda text: str(text or "")[:1].upper() + str(text or "")[1:]
    env.tests["search"] = lambda value, pattern: re.search(pattern, str(value or "")) is not None
    return env


def _where(exc: BaseException) -> tuple[str | None, int | None]:
    """The template file and line an error happened in (Jinja2 rewrites tracebacks to point there)."""
    filename = getattr(exc, "filename", None)
    lineno = getattr(exc, "lineno", None)
    if filename and lineno:
        return filename, lineno
    found: tuple[str | None, int | None] = (None, None)
    for frame, line in traceback.walk_tb(exc.__traceback__):
        name = frame.f_code.co_filename
        if name.endswith((".j2", ".jinja", ".md", ".html")):
            found = (name, line)
    return found


def render_template(name: str, context: dict[str, Any], library_templates: Path | None = None,
                    env: jinja2.Environment | None = None) -> str:
    """Render one Markdown template; any template error becomes InvalidInput naming file and line."""
    env = env or environment(library_templates)
    try:
        text = env.get_template(name).render(**context)
    except jinja2.TemplateNotFound as exc:
        raise InvalidInput(N_("report template not found: {name} (looked in {folders})").format(
            name=exc.name, folders=', '.join(str(d) for d in template_dirs(library_templates)))) from None
    except jinja2.TemplateError as exc:
        filename, line = _where(exc)
        filename = filename or getattr(exc, "name", None) or name
        message = getattr(exc, "message", None) or str(exc)
        raise InvalidInput(N_("report template {filename}, line {line}: {message}").format(
            filename=filename, line=line or '?', message=message)) from None
    except (TypeError, KeyError, AttributeError, ValueError, ZeroDivisionError) as exc:
        filename, line = _where(exc)
        if filename is None:  # not a template's fault: a bug, shown as such
            raise
        message = getattr(exc, "message", None) or str(exc)
        raise InvalidInput(N_("report template {filename}, line {line}: {message}").format(
            filename=filename, line=line, message=message)) from None
    return tidy_markdown(text)


def tidy_markdown(text: str) -> str:
    """A blank line around every heading and never more than one in a row, so the source reads well."""
    text = re.sub(r"^(#{1,6} .*)$", r"\n\1\n", text, flags=re.MULTILINE)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def markdown_to_html_body(md: str, fast_lists: bool = True) -> str:
    """HTML for the report's Markdown; fast_lists=False leaves every list to Python-Markdown (tests compare)."""
    converter = markdown.Markdown(extensions=[*MD_EXTENSIONS, TocExtension(slugify=heading_slug)],
                                  output_format="html")
    for name in UNUSED_INLINE:
        if name in converter.inlinePatterns:
            converter.inlinePatterns.deregister(name)
    return convert_lists(md, converter.convert) if fast_lists else converter.convert(md)


def stylesheet() -> str:
    return resource("styles", "report.css").read_text(encoding="utf-8")


def html_page(md: str, title: str, library_templates: Path | None = None, lang: str = "en") -> str:
    """A complete, self-contained HTML document (stylesheet inlined) from the Markdown source."""
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(library_templates)]),
        autoescape=True, undefined=jinja2.StrictUndefined,
    )
    try:
        page = env.get_template("page.html.j2")
        return page.render(title=title, css=Markup(stylesheet()), body=Markup(markdown_to_html_body(md)), lang=lang)
    except jinja2.TemplateError as exc:
        filename, line = _where(exc)
        raise InvalidInput(N_("report template {filename}, line {line}: {message}").format(
            filename=filename or 'page.html.j2', line=line, message=exc)) from None
