"""One Markdown source, four outputs: Markdown, HTML, PDF (PyMuPDF Story) and DOCX (python-docx)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from kbase.errors import InvalidInput
from kbase.i18n import N_
from kbase.report.charts import ChartSlot
from kbase.report.render import html_page, markdown_to_html_body, render_template, stylesheet
from kbase.text import clean_line, clean_text

FORMATS = ("md", "html", "pdf", "docx")


def convert(template: str, ctx: dict[str, Any], fmt: str, library_templates: Path | None) -> str | bytes:
    if fmt not in FORMATS:
        raise InvalidInput(N_("unknown report format {fmt} (one of: {formats})").format(
            fmt=repr(fmt), formats=', '.join(FORMATS)))
    # paged formats make their own contents page (with page numbers or a Word field)
    paged = fmt in ("pdf", "docx")
    with_contents = "contents" in ctx.get("sections", ())
    if paged and with_contents:
        ctx = dict(ctx, sections=[s for s in ctx["sections"] if s != "contents"])
    # the catalogue's text is cleaned where it enters; a report cleans again, as a last line of
    # defence for text that got in around the catalogue API: every format is made from this
    # Markdown and title, and XML (DOCX) refuses a NUL or a control character outright
    slot = ChartSlot(ctx.get("chart_data") or {}, fmt)  # kbase.report.charts: charts.NAME in the templates
    ctx = dict(ctx, charts=slot.markers())
    md = clean_text(render_template(template, ctx, library_templates))
    if fmt == "md":
        return md
    title = clean_line(str(ctx.get("title") or "Report"))
    lang = ctx.get("lang") or "en"
    if fmt == "html":
        return slot.embed(html_page(md, title, library_templates, lang))
    body = slot.embed(markdown_to_html_body(md))
    subtitle = clean_line(str(ctx.get("institute") or ""))
    identity = ctx.get("identity") or {}
    # the annual report has a cover and starts each of its parts on a new page; a sheet or a list just flows
    annual = template == "annual.md.j2"
    titles = ctx.get("section_titles") or {}
    breaks = [titles[s] for s in ctx.get("part_starts", ()) if s in titles]
    if fmt == "pdf":
        from kbase.report.pdf import html_to_pdf

        return html_to_pdf(body, stylesheet(), title, subtitle, with_contents=with_contents,
                           sections_on_new_pages=annual, identity=identity, new_page_titles=breaks, lang=lang,
                           deep_titles=[titles["programmes"]] if "programmes" in titles else [], charts=slot)
    from kbase.report.docx_out import html_to_docx

    return html_to_docx(body, title, subtitle, with_contents=with_contents, identity=identity,
                        new_page_titles=breaks, lang=lang, cover=annual)


def write_file(target: Path, data: bytes) -> None:
    """Write next to the target, then rename: a failed run never leaves half a file. The file gets
    the permissions any new file would (the umask's), not mkstemp's owner-only 0600, so a report
    saved in a shared folder is readable by the group."""
    target = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=".kbase-", dir=target.parent if str(target.parent) else ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
