"""The house style every paged format shares: the identity as the layouts need it, colours, CSS."""

from __future__ import annotations

from typing import Any, Callable

from kbase.report.identity import DEFAULT_ACCENT, DEFAULT_COLOUR, host
from kbase.text import clean_line

FONT = "Liberation Sans"  # metric-compatible with Arial: the DOCX looks the same in Word and LibreOffice


def rgb(colour: str) -> tuple[float, float, float]:
    """'#12395b' → (0.07, 0.22, 0.36)."""
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def house_css(colour: str, accent: str) -> str:
    """The headings in the institute's colours (added after resources/styles/report.css)."""
    return (f"\nh1, h2, strong {{ color: {colour}; }} h2 {{ border-bottom-color: {accent}; }}"
            f" h3, a {{ color: {accent}; }}\n")


class Identity:
    """The identity's fields, cleaned for one line each, with what a cover and a back page show."""

    def __init__(self, fields: dict[str, Any], fallback_name: str = "", t: Callable[..., str] | None = None,
                 lang: str = "en"):
        def line(key: str) -> str:
            return clean_line(str(fields.get(key) or "")).strip()

        self.name = line("name") or clean_line(fallback_name)
        self.short = line("short_name") or self.name
        self.tagline = (line("tagline_fr") if lang == "fr" else "") or line("tagline")
        self.email = line("email")
        self.website = line("website")
        self.site = host(self.website)
        self.caption = line("cover_caption")
        self.colour = fields.get("colour") or DEFAULT_COLOUR
        self.accent = fields.get("accent") or DEFAULT_ACCENT
        self.logo = fields.get("logo")
        self.cover = fields.get("cover")
        self.address_lines = [clean_line(x).strip() for x in str(fields.get("address") or "").splitlines()
                              if x.strip()]
        self.cover_label = (t or (lambda text, **_: text))("Cover picture")
