"""The dealer sheet as one self-contained HTML page with print CSS for one A4 page."""

from __future__ import annotations

import functools

import jinja2
from markupsafe import Markup

from g15diag.app.export.mono_font import font_face
from g15diag.app.export.sheet import Section, Sheet


@functools.cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("g15diag.app.export", "templates"),
        autoescape=True,  # serials and labels from a --from file are text, never markup
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(section=_section, rows=_rows)
    return env


def render(sheet: Sheet) -> str:
    """The sheet as HTML (UTF-8, no external resources: the mono face is embedded)."""
    mono = "".join(c.char for c in sheet.cells) + "".join(
        row.value for section in sheet.sections for row in section.rows if row.mono
    )
    face = Markup(font_face(mono))  # base64 and fixed text only
    return _env().get_template("sheet.html").render(sheet=sheet, font_face=face)


def _section(section: Section) -> Markup:
    return Markup("<h2>{}</h2>\n").format(section.title) + _rows(section)


def _rows(section: Section) -> Markup:
    out = Markup('<table class="rows">\n')
    for row in section.rows:
        classes = " ".join(n for n, on in (("warn", row.warn), ("mono", row.mono)) if on)
        out += Markup('<tr><th>{}</th><td class="{}">{}</td></tr>\n').format(
            row.label, classes, row.value
        )
    return out + Markup("</table>\n")
