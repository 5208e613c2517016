"""The dealer sheet's content, once, in one language: every printable format lays it out.

:func:`build` turns a :class:`~g15diag.app.export.record.Record` into a :class:`Sheet`
(banners, sections of label/value rows, the serial cell by cell, the fill-in fields); the
text, HTML and PDF renderers only arrange it, so the three carry the same content.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

from g15diag.app.export.i18n import Words, words
from g15diag.app.export.record import Record, RecordItem
from g15diag.app.hints import WHEN_ANSWERED
from g15diag.protocol import identifiers
from g15diag.protocol.visible import bounded, visible

FILL_IN = ("owner", "plate", "sts", "mileage", "phone", "garage", "stamp")
DEALER_FILL = ("request_date", "dealer_code")  # written by hand: the tool never sees a code
#: the longest value one row of the sheet shows (a unit may send 4,095 bytes); the rest is
#: cut with a note saying how much
FIELD_MAX = 400
#: the serial's characters drawn one per cell; a longer serial is cut with a note
CELLS_MAX = 64


def checksum(text: str) -> str:
    """Four hex digits of CRC-32 over the serial text (UTF-8), to catch retyping errors."""
    return f"{zlib.crc32(text.encode('utf-8')):08X}"[:4]


@dataclass(frozen=True)
class Row:
    """One label/value line; the value is shown visibly (``\\x1b``, ``U+202E``); :func:`build`
    bounds it."""

    label: str
    value: str
    warn: bool = False
    mono: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", visible(self.value))


@dataclass(frozen=True)
class Section:
    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Cell:
    """One serial character: its 1-based position and, if it is a look-alike, its name."""

    char: str
    position: int
    lookalike: str


@dataclass(frozen=True)
class Sheet:
    lang: str
    page: str
    banners: tuple[str, ...]
    title: str
    subtitle: str
    serial_title: str
    serial: str | None
    cells: tuple[Cell, ...]
    sections: tuple[Section, ...]  # the serial section's rows are sections[1]
    fill_title: str
    fill_in: tuple[str, ...]
    proof: str
    advice: str
    disclaimer: str
    cells_note: str = ""  # says how many serial characters (beyond CELLS_MAX) are not drawn
    dealer_fill: tuple[str, ...] = ()  # request date, the dealer's code: blank lines
    card_title: str = ""  # the owner's cut-off card (serial and VIN), when a serial was read
    card: tuple[Row, ...] = ()
    footer_title: str = ""  # where it was read, session, adapter, program: small, at the end
    footer: tuple[Row, ...] = ()

    @property
    def footer_text(self) -> str:
        """The technical footer as one line of values (they say what they are)."""
        return "; ".join(r.value for r in self.footer)


def local_time(
    when: dt.datetime, tz: dt.tzinfo | None = None, fmt: str = "%Y-%m-%d %H:%M:%S"
) -> str:
    """``2026-01-02 05:04:05 EET (UTC+02:00)``: local date and time (``fmt``) with the zone;
    a zone without a name of its own is said once (``UTC``, ``UTC+03:00``)."""
    local = when.astimezone(tz)
    offset = local.strftime("%z")
    zone = f"UTC{offset[:3]}:{offset[3:]}" if offset and offset != "+0000" else "UTC"
    name = local.tzname() or ""
    if not name or name.startswith(("UTC", "GMT", "+", "-")):
        return f"{local.strftime(fmt)} {zone}"
    return f"{local.strftime(fmt)} {name} ({zone})"


def volts_text(volts: float, w: Words) -> str:
    """``12.6 V`` / ``12,6 В``."""
    return w["volts"].format(v=f"{volts:.1f}".replace(".", w["decimal"]))


def legend(serial: str, w: Words) -> str:
    """Only the look-alike characters present, each with the positions it is at."""
    where: dict[str, list[int]] = {}
    for pos, char, _ in identifiers.spell_lookalikes(serial):
        where.setdefault(char, []).append(pos)
    parts = []
    for char, positions in where.items():
        label = w["position"] if len(positions) == 1 else w["positions"]
        # no-break spaces keep "0 = digit zero" together when a line wraps
        at = ", ".join(map(str, positions))
        parts.append(f"{char}\u00a0=\u00a0{w.lookalikes[char]} ({label}\u00a0{at})")
    return "; ".join(parts) if parts else w["legend_none"]


def build(record: Record, lang: str = "en", *, tz: dt.tzinfo | None = None) -> Sheet:
    """The sheet for ``record`` in ``lang``, times in ``tz`` (default: this computer's)."""
    w = words(lang)
    banners = tuple(
        w[key] for key, on in (("simulated", record.simulated), ("redacted", record.redacted)) if on
    )
    serial = record.serial
    cells = tuple(
        Cell(visible(ch), pos, w.lookalikes.get(ch, "") if ch in identifiers.LOOKALIKES else "")
        for pos, ch in enumerate((serial or "")[:CELLS_MAX], 1)
    )
    read = serial is not None  # without a serial: a troubleshooting record, not a request
    card = (
        Row(w["section_serial"], _bounded(serial or "", w), mono=True),
        Row("VIN", record.vin or "—", mono=True),
    )
    owner = read and not record.redacted
    return Sheet(
        lang=lang,
        page=w["page"],
        banners=banners,
        title=w["title"] if read else w["title_trouble"],
        subtitle=w["subtitle"] if read else w["subtitle_trouble"],
        serial_title=w["section_serial"],
        serial=None if serial is None else _bounded(serial, w),
        cells=cells,
        sections=tuple(
            _fit(section, w)
            for section in (
                _reading(record, w, tz),
                Section(w["section_serial"], _serial_rows(record, w)),
                Section(w["section_vin"], _vin_rows(record, w)),
                Section(w["section_unit"], _unit_rows(record, w)),
            )
        ),
        fill_title=w["section_fill"],
        fill_in=tuple(w[key] for key in FILL_IN),
        proof=w["proof"] if read else "",
        advice=w["advice"],
        disclaimer=w["disclaimer"],
        cells_note=_cells_note(len(serial or "") - CELLS_MAX, w),
        dealer_fill=tuple(w[key] for key in DEALER_FILL) if read else (),
        card_title=w["card"] if owner else "",
        card=card if owner else (),
        footer_title=w["footer"],
        footer=_fit(Section("", _footer(record, w)), w).rows,
    )


def _footer(record: Record, w: Words) -> tuple[Row, ...]:
    """What the dealer does not need and a technician may: where and how it was read."""
    rows = []
    if record.serial is not None:  # the source note names the CAN IDs
        rate = "?" if record.bitrate is None else str(record.bitrate // 1000)
        note = w["source_note"].format(
            ident=record.serial_identifier, addr=record.unit_address, rate=rate
        )
        rows.append(Row(w["source"], note))
    else:
        rows.append(Row(w["address"], f"CAN {record.unit_address}, {record.unit_name}"))
    session = record.serial_session or record.session
    if session is not None:  # once: every value without a session mark was read in it
        rows.append(Row(w["session"], f"{w['session']}: {w.session(session)}"))
    port = f" ({record.adapter_port})" if record.adapter_port else ""
    rows.append(Row(w["adapter"], record.adapter_identity + port))
    rows.append(Row(w["tool"], f"g15diag {record.tool_version}"))
    return tuple(rows)


def _bounded(text: str, w: Words) -> str:
    return bounded(text, FIELD_MAX, w["cut_shown"], w["thousands"])


def _fit(section: Section, w: Words) -> Section:
    """Every value of ``section`` at most :data:`FIELD_MAX` characters, a cut one saying so."""
    rows = tuple(Row(r.label, _bounded(r.value, w), r.warn, r.mono) for r in section.rows)
    return Section(section.title, rows)


def _cells_note(cut: int, w: Words) -> str:
    return "" if cut <= 0 else w["cut_drawn"].format(n=f"{cut:,}".replace(",", w["thousands"]))


def _reading(record: Record, w: Words, tz: dt.tzinfo | None) -> Section:
    volts = record.battery_voltage
    return Section(
        w["section_read"],
        (
            Row(w["read_at"], local_time(record.read_at, tz, w["date_format"])),
            Row(w["voltage"], w["voltage_none"] if volts is None else volts_text(volts, w)),
            Row(w["vehicle"], record.vehicle),
        ),
    )


def _serial_rows(record: Record, w: Words) -> tuple[Row, ...]:
    serial = record.serial
    if serial is None:
        answered = any(i.ok and i.ecu != "engine" for i in record.items)
        first = Row("", w["serial_none"] if answered else w["nothing_answered"], warn=True)
        fit = [s for n, s in enumerate(w.guidance) if not answered or n in WHEN_ANSWERED]
        steps = (Row(f"{n}. {title}", text) for n, (title, text) in enumerate(fit, 1))
        return (first, *steps)
    rows = [Row("", f"{serial} ({len(serial)} {w['serial_length']})", mono=True)]
    if record.serial_hex:
        rows.append(Row(w["raw"], _spaced(record.serial_hex), mono=True))
    if record.serial_padding_hex:
        rows.append(Row(w["padding"], _spaced(record.serial_padding_hex), mono=True))
    # the legend and the checksum line show serial characters: a face where 0/O, 1/I/l differ;
    # a masked serial has none to name ("none" would read as a word about the real serial)
    if record.redacted:
        rows.append(Row(w["legend"], w["legend_masked"]))
    else:
        rows.append(Row(w["legend"], legend(serial, w), mono=True))
    if not record.redacted:
        note = w["checksum_note"].format(serial=serial)
        rows.append(Row(w["checksum"], f"{checksum(serial)}, {note}", mono=True))
    rows.append(Row(w["reads"], str(record.serial_reads)))
    return tuple(rows)  # where and in which session: the technical footer


def _vin_rows(record: Record, w: Words) -> tuple[Row, ...]:
    if not record.vin:
        return (Row("", w["vin_none"]),)
    where = w["vin_engine"] if record.vin_source == "engine" else w["vin_head_unit"]
    rows = [Row("VIN", record.vin, mono=True), Row("", where)]
    if record.vin_errors:
        rows.append(Row(w["vin_bad"], "; ".join(record.vin_errors), warn=True))
    elif not record.redacted:
        rows.append(Row("", w["vin_ok"]))
    rows += [Row(w["warning"], text, warn=True) for text in record.vin_warnings]
    if record.vin_mismatch:
        other = record.vin_head_unit or ""
        rows.append(Row(w["warning"], w["mismatch"].format(other=other), warn=True))
    return tuple(rows)


def _mark(item: RecordItem, record: Record, w: Words) -> str:
    """``0xF195``, or ``0xF195, extended (10 03) session`` when read outside the unit's."""
    if item.session is None or item.session is record.session:
        return item.key
    return w["item_session"].format(key=item.key, session=w.session(item.session))


def _items(items: tuple[RecordItem, ...], record: Record, w: Words) -> str:
    return "; ".join(f"{i.text} ({_mark(i, record, w)})" for i in items)


def _unit_rows(record: Record, w: Words) -> tuple[Row, ...]:
    part = record.part_number
    rows = [
        Row(
            w["part"],
            f"{part.text} ({_mark(part, record, w)})" if part else w["part_none"],
            mono=bool(part),
        )
    ]
    for key, found in (
        ("supplier", record.suppliers),
        ("hardware", record.hardware),
        ("software", record.software),
    ):
        rows.append(Row(w[key], _items(found, record, w) if found else w[f"{key}_none"]))
    if record.block is not None:
        block = record.block
        mark = "" if _mark(block, record, w) == block.key else f" ({_mark(block, record, w)})"
        rows.append(Row(w["block"], (block.text or "") + mark))
    return tuple(rows)  # the session, address, adapter and program: the technical footer


def _spaced(hex_text: str) -> str:
    return " ".join(hex_text[i : i + 2] for i in range(0, len(hex_text), 2))
