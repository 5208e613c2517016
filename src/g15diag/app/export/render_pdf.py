"""The dealer sheet as a one-page A4 PDF, with the DejaVu fonts shipped in the package.

fpdf2 (pure Python, LGPL-3.0, actively maintained) embeds a subset of each TrueType font, so
Cyrillic prints on any computer; see docs/architecture.md for the choice.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources

from g15diag.app.export.sheet import Section, Sheet
from g15diag.errors import OutputError

MARGIN = 14.0
LABEL_W = 60.0
RED = (200, 0, 0)


def render(sheet: Sheet, *, created: dt.datetime | None = None) -> bytes:
    """The PDF bytes of ``sheet`` (one A4 page; raises OutputError if it would not fit)."""
    from fpdf import FPDF  # imported here: only `export --format pdf` pays for it

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(MARGIN, 12.0, MARGIN)
    pdf.set_auto_page_break(False)
    fonts = resources.files("g15diag.app.export").joinpath("fonts")
    with resources.as_file(fonts) as folder:
        pdf.add_font("DejaVu", "", str(folder / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(folder / "DejaVuSans-Bold.ttf"))
        pdf.add_font("DejaVuMono", "", str(folder / "DejaVuSansMono.ttf"))
    pdf.set_title(sheet.page)
    pdf.set_lang(sheet.lang)
    pdf.set_creator("g15diag")
    if created is not None:
        pdf.set_creation_date(created)
    pdf.add_page()
    _body(pdf, sheet)
    if pdf.page != 1 or pdf.get_y() > pdf.h - 10:
        raise OutputError("The dealer sheet does not fit on one A4 page; nothing was written.")
    return bytes(pdf.output())


def _body(pdf, sheet: Sheet) -> None:  # type: ignore[no-untyped-def]
    width = pdf.w - 2 * MARGIN
    for banner in sheet.banners:
        pdf.set_font("DejaVu", "B", 9)
        pdf.set_text_color(*RED)
        pdf.set_draw_color(*RED)
        pdf.multi_cell(
            width, 5, banner, border=1, align="L", new_x="LMARGIN", new_y="NEXT", padding=1
        )
        pdf.set_text_color(0)
        pdf.set_draw_color(0)
        pdf.ln(1.5)
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(width, 7, sheet.title, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8.5)
    pdf.multi_cell(width, 4, sheet.subtitle, align="L", new_x="LMARGIN", new_y="NEXT")
    reading, serial, vin, unit = sheet.sections
    _section(pdf, reading)
    _heading(pdf, sheet.serial_title)
    _cells(pdf, sheet)
    _rows(pdf, serial)
    _section(pdf, vin)
    _section(pdf, unit)
    _heading(pdf, sheet.fill_title)
    pdf.set_font("DejaVu", "", 8.5)
    for index, label in enumerate(sheet.fill_in):
        last = index == len(sheet.fill_in) - 1
        pdf.ln(14 if last else 4.2)
        pdf.cell(62, 4, label)
        y = pdf.get_y() + 4
        pdf.line(MARGIN + 62, y, MARGIN + width, y)
        pdf.ln(4)
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 8.5)
    pdf.multi_cell(width, 4, sheet.proof, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 7.5)
    pdf.ln(1)
    pdf.multi_cell(width, 3.5, sheet.advice, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.multi_cell(width, 3.5, sheet.disclaimer, align="L", new_x="LMARGIN", new_y="NEXT")


def _heading(pdf, title: str) -> None:  # type: ignore[no-untyped-def]
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 9.5)
    pdf.cell(0, 5, title, new_x="LMARGIN", new_y="NEXT")
    y = pdf.get_y()
    pdf.set_line_width(0.3)
    pdf.line(MARGIN, y, pdf.w - MARGIN, y)
    pdf.ln(0.8)


def _section(pdf, section: Section) -> None:  # type: ignore[no-untyped-def]
    _heading(pdf, section.title)
    _rows(pdf, section)


def _rows(pdf, section: Section) -> None:  # type: ignore[no-untyped-def]
    value_w = pdf.w - 2 * MARGIN - LABEL_W
    for row in section.rows:
        y = pdf.get_y()
        pdf.set_font("DejaVu", "", 8.5)
        pdf.set_text_color(60)
        pdf.multi_cell(LABEL_W - 2, 3.9, row.label, align="L", new_x="LMARGIN", new_y="NEXT")
        label_end = pdf.get_y()
        pdf.set_xy(MARGIN + LABEL_W, y)
        pdf.set_text_color(*(RED if row.warn else (0, 0, 0)))
        if row.mono:
            pdf.set_font("DejaVuMono", "", 8.5)
        else:
            pdf.set_font("DejaVu", "B" if row.warn else "", 8.5)
        pdf.multi_cell(value_w, 3.9, row.value, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)
        pdf.set_y(max(pdf.get_y(), label_end, y + 3.9))


def _cells(pdf, sheet: Sheet) -> None:  # type: ignore[no-untyped-def]
    """The serial large and spaced: one box per character, its position under it."""
    if not sheet.cells:
        return
    size, gap = 9.4, 1.2
    per_line = int((pdf.w - 2 * MARGIN + gap) // (size + gap))
    pdf.ln(1)
    for start in range(0, len(sheet.cells), per_line):
        y = pdf.get_y()
        for i, cell in enumerate(sheet.cells[start : start + per_line]):
            x = MARGIN + i * (size + gap)
            if cell.lookalike:
                pdf.set_fill_color(235)
                pdf.set_dash_pattern(dash=0.8, gap=0.6)
            pdf.rect(x, y, size, 12, style="DF" if cell.lookalike else "D")
            pdf.set_dash_pattern()
            pdf.set_xy(x, y + 0.6)
            pdf.set_font("DejaVuMono", "", 19)
            pdf.cell(size, 8, cell.char, align="C")
            pdf.set_xy(x, y + 8.6)
            pdf.set_font("DejaVu", "", 6)
            pdf.cell(size, 3, str(cell.position), align="C")
        pdf.set_xy(MARGIN, y + 13.2)
