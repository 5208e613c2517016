"""The dealer sheet as plain text: lines of at most 80 characters, UTF-8."""

from __future__ import annotations

import textwrap

from g15diag.app.export.sheet import Section, Sheet

WIDTH = 80
LINES = 66  # one A4 page of plain text at 6 lines per inch
_CELL_WIDTH = 3  # columns per serial cell (wider when a position or a shown character is)


def render(sheet: Sheet) -> str:
    """The sheet as text; every line is at most :data:`WIDTH` characters."""
    lines: list[str] = []
    for banner in sheet.banners:
        lines += [*_wrap(f"*** {banner} ***"), ""]
    title = sheet.title.upper()
    lines += [title, "=" * len(title), *_wrap(sheet.subtitle), ""]
    reading, serial, *rest = sheet.sections
    lines += _section(reading)
    lines += [_heading(sheet.serial_title), *_serial_cells(sheet), *_rows(serial), ""]
    for section in rest:
        lines += _section(section)
    lines.append(_heading(sheet.fill_title))
    if sheet.dealer_fill:  # request date and the dealer's code: one line, two blanks
        first, second = (f"{label} " for label in sheet.dealer_fill)
        room = (WIDTH - 4 - len(first) - len(second) - 2) // 2
        lines.append(f"    {first}{'_' * room}  {second}{'_' * room}")
    for label in sheet.fill_in:  # an underline to write on
        lead = f"    {label} "
        lines += ([""] if label == sheet.fill_in[-1] else []) + [lead + "_" * (WIDTH - len(lead))]
    lines.append("")
    for text in (sheet.proof, sheet.advice, sheet.disclaimer):
        lines += _wrap(text) if text else []
    if sheet.card:  # the owner's cut-off card
        lines += ["- " * 18 + "8<" + " -" * 19, *_wrap(sheet.card_title)]
        lines += _wrap("   ".join(f"{row.label}: {row.value}" for row in sheet.card), "    ")
    if sheet.footer:
        lines += ["", *_wrap(f"{sheet.footer_title}: {sheet.footer_text}")]
    assert all(len(line) <= WIDTH for line in lines)
    return "\n".join(lines) + "\n"


def _heading(title: str) -> str:
    return f"-- {title} " + "-" * max(0, WIDTH - len(title) - 4)


def _wrap(text: str, indent: str = "", more: str = "") -> list[str]:
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=indent,
        subsequent_indent=more or indent,
        break_on_hyphens=False,
    ) or [indent.rstrip()]


def _section(section: Section) -> list[str]:
    return [_heading(section.title), *_rows(section), ""]


def _rows(section: Section) -> list[str]:
    lines: list[str] = []
    for row in section.rows:
        text = f"{row.label}: {row.value}" if row.label else row.value
        if row.warn:
            text = f"!! {text}"
        lines += _wrap(text, "    ", "        ")
    return lines


def _serial_cells(sheet: Sheet) -> list[str]:
    """The serial large and spaced: characters 3 columns apart, positions underneath."""
    lines: list[str] = []
    cells = sheet.cells
    width = max(
        [_CELL_WIDTH, *(len(c.char) + 1 for c in cells), *(len(str(c.position)) + 1 for c in cells)]
    )
    per_line = (WIDTH - 4) // width
    for start in range(0, len(cells), per_line):
        chunk = cells[start : start + per_line]
        lines.append("    " + "".join(f"{c.char:>{width}}" for c in chunk))
        lines.append("    " + "".join(f"{c.position:>{width}}" for c in chunk))
        marks = "".join(f"{'^' if c.lookalike else '':>{width}}" for c in chunk)
        if marks.strip():
            lines.append(("    " + marks).rstrip())
    if sheet.cells_note:
        lines += _wrap(sheet.cells_note, "    ")
    return lines
