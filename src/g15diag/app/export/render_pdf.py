"""The dealer sheet as a one-page A4 PDF, with the DejaVu fonts shipped in the package.

fpdf2 (pure Python, LGPL-3.0, actively maintained) embeds a subset of each TrueType font, so
Cyrillic prints on any computer; see docs/architecture.md for the choice.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import TYPE_CHECKING

from g15diag.app.export.sheet import Section, Sheet
from g15diag.errors import OutputError

if TYPE_CHECKING:
    from fpdf import FPDF

MARGIN = 14.0
LABEL_W = 60.0
RED = (200, 0, 0)


#: type scales tried in turn until the sheet fits one page (a long serial, long warnings)
SCALES = (1.0, 0.9, 0.8, 0.7)


def render(sheet: Sheet, *, created: dt.datetime | None = None) -> bytes:
    """The PDF bytes of ``sheet``: one A4 page, the type made smaller if that is what it
    takes (OutputError if even the smallest does not fit)."""
    for k in SCALES:
        pdf = _page(sheet, created, k)
        if pdf.page == 1 and pdf.get_y() <= pdf.h - 10:
            return bytes(pdf.output())
    raise OutputError("The dealer sheet does not fit on one A4 page; nothing was written.")


def _page(sheet: Sheet, created: dt.datetime | None, k: float) -> FPDF:
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
    _body(pdf, sheet, k)
    return pdf


def _body(pdf: FPDF, sheet: Sheet, k: float) -> None:
    width = pdf.w - 2 * MARGIN
    for banner in sheet.banners:
        pdf.set_font("DejaVu", "B", 9 * k)
        pdf.set_text_color(*RED)
        pdf.set_draw_color(*RED)
        pdf.multi_cell(
            width, 5 * k, banner, border=1, align="L", new_x="LMARGIN", new_y="NEXT", padding=1
        )
        pdf.set_text_color(0)
        pdf.set_draw_color(0)
        pdf.ln(1.5 * k)
    pdf.set_font("DejaVu", "B", 15 * k)
    pdf.multi_cell(width, 7 * k, sheet.title, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8.5 * k)
    pdf.multi_cell(width, 4 * k, sheet.subtitle, align="L", new_x="LMARGIN", new_y="NEXT")
    reading, serial, vin, unit = sheet.sections
    _section(pdf, reading, k)
    _heading(pdf, sheet.serial_title, k)
    _cells(pdf, sheet, k)
    _rows(pdf, serial, k)
    _section(pdf, vin, k)
    _section(pdf, unit, k)
    _heading(pdf, sheet.fill_title, k)
    pdf.set_font("DejaVu", "", 8.5 * k)
    for label in sheet.dealer_fill:  # request date and the dealer's code: blank lines
        pdf.ln(4.2 * k)
        pdf.cell(62, 4 * k, label)
        y = pdf.get_y() + 4 * k
        pdf.line(MARGIN + 62, y, MARGIN + width, y)
        pdf.ln(4 * k)
    for index, label in enumerate(sheet.fill_in):
        last = index == len(sheet.fill_in) - 1
        pdf.ln((14 if last else 4.2) * k)
        pdf.cell(62, 4 * k, label)
        y = pdf.get_y() + 4 * k
        pdf.line(MARGIN + 62, y, MARGIN + width, y)
        pdf.ln(4 * k)
    pdf.ln(2 * k)
    pdf.set_font("DejaVu", "B", 8.5 * k)
    if sheet.proof:
        pdf.multi_cell(width, 4 * k, sheet.proof, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 7.5 * k)
    pdf.ln(1 * k)
    pdf.multi_cell(width, 3.5 * k, sheet.advice, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1 * k)
    pdf.multi_cell(width, 3.5 * k, sheet.disclaimer, align="L", new_x="LMARGIN", new_y="NEXT")
    _card(pdf, sheet, k)
    if sheet.footer:
        pdf.ln(1.5 * k)
        pdf.set_font("DejaVu", "", 6.5 * k)
        pdf.set_text_color(70)
        text = f"{sheet.footer_title}: {sheet.footer_text}"
        pdf.multi_cell(width, 3 * k, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)


def _card(pdf: FPDF, sheet: Sheet, k: float) -> None:
    """The owner's cut-off card: a dashed box with the serial and the VIN."""
    if not sheet.card:
        return
    pdf.ln(2 * k)
    x, y, w = MARGIN, pdf.get_y(), 120.0
    pdf.set_xy(x + 2, y + 1.2 * k)
    pdf.set_font("DejaVu", "", 7 * k)
    pdf.multi_cell(w - 4, 3.2 * k, sheet.card_title, align="L", new_x="LMARGIN", new_y="NEXT")
    for row in sheet.card:
        pdf.set_x(x + 2)
        pdf.set_font("DejaVu", "", 7 * k)
        pdf.cell(pdf.get_string_width(row.label + ": ") + 1, 5 * k, row.label + ":")
        pdf.set_font("DejaVuMono", "", 11 * k)
        pdf.cell(0, 5 * k, row.value, new_x="LMARGIN", new_y="NEXT")
    bottom = pdf.get_y() + 1 * k
    pdf.set_dash_pattern(dash=1.2, gap=0.8)
    pdf.rect(x, y, w, bottom - y)
    pdf.set_dash_pattern()
    pdf.set_y(bottom)


def _heading(pdf: FPDF, title: str, k: float) -> None:
    pdf.ln(2 * k)
    pdf.set_font("DejaVu", "B", 9.5 * k)
    pdf.cell(0, 5 * k, title, new_x="LMARGIN", new_y="NEXT")
    y = pdf.get_y()
    pdf.set_line_width(0.3)
    pdf.line(MARGIN, y, pdf.w - MARGIN, y)
    pdf.ln(0.8 * k)


def _section(pdf: FPDF, section: Section, k: float) -> None:
    _heading(pdf, section.title, k)
    _rows(pdf, section, k)


def _rows(pdf: FPDF, section: Section, k: float) -> None:
    value_w = pdf.w - 2 * MARGIN - LABEL_W
    for row in section.rows:
        y = pdf.get_y()
        pdf.set_font("DejaVu", "", 8.5 * k)
        pdf.set_text_color(60)
        pdf.multi_cell(LABEL_W - 2, 3.9 * k, row.label, align="L", new_x="LMARGIN", new_y="NEXT")
        label_end = pdf.get_y()
        pdf.set_xy(MARGIN + LABEL_W, y)
        pdf.set_text_color(*(RED if row.warn else (0, 0, 0)))
        if row.mono:
            pdf.set_font("DejaVuMono", "", 8.5 * k)
        else:
            pdf.set_font("DejaVu", "B" if row.warn else "", 8.5 * k)
        pdf.multi_cell(value_w, 3.9 * k, row.value, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)
        pdf.set_y(max(pdf.get_y(), label_end, y + 3.9 * k))


def _cells(pdf: FPDF, sheet: Sheet, k: float) -> None:
    """The serial large and spaced: one box per character, its position under it."""
    if not sheet.cells:
        return
    size, gap = 9.4 * k, 1.2 * k
    per_line = int((pdf.w - 2 * MARGIN + gap) // (size + gap))
    pdf.ln(1 * k)
    for start in range(0, len(sheet.cells), per_line):
        y = pdf.get_y()
        for i, cell in enumerate(sheet.cells[start : start + per_line]):
            x = MARGIN + i * (size + gap)
            if cell.lookalike:
                pdf.set_fill_color(235)
                pdf.set_dash_pattern(dash=0.8, gap=0.6)
            pdf.rect(x, y, size, 12 * k, style="DF" if cell.lookalike else "D")
            pdf.set_dash_pattern()
            pdf.set_xy(x, y + 0.6 * k)
            pdf.set_font("DejaVuMono", "", 19 * k)
            pdf.cell(size, 8 * k, cell.char, align="C")
            pdf.set_xy(x, y + 8.6 * k)
            pdf.set_font("DejaVu", "", 6 * k)
            pdf.cell(size, 3 * k, str(cell.position), align="C")
        pdf.set_xy(MARGIN, y + 13.2 * k)
    if sheet.cells_note:  # a serial longer than the cells: how many characters are not drawn
        pdf.set_font("DejaVu", "", 8.5 * k)
        width = pdf.w - 2 * MARGIN
        pdf.multi_cell(width, 3.9 * k, sheet.cells_note, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.8 * k)
