"""The dealer request: a printable sheet (English/Russian), JSON or CSV, written atomically.

Everything renders from the ``identify --json`` object (``IdentifyResult.to_dict()``), so a
live read and ``--from FILE`` give identical files. Nothing about the owner is asked for or
stored. Simulated data is marked as such in every format.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import zlib
from pathlib import Path
from typing import Any

from g15diag import files, identifiers, inputs
from g15diag.errors import UsageError

FORMATS = ("text", "json", "csv")
LANGS = ("en", "ru")
SUFFIXES = {".txt": "text", ".text": "text", ".json": "json", ".csv": "csv"}
EXPORT_VERSION = 1

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "simulated": "*** SIMULATED DATA: from the g15diag simulator, not from a car. "
        "Do not send it to a dealer. ***",
        "redacted": "*** REDACTED COPY for sharing: not usable for a code request. ***",
        "title": "For the dealer: anti-theft code request",
        "vehicle": "Vehicle",
        "vin": "Vehicle identification number (VIN)",
        "vin_engine": "from the engine ECU, OBD mode 09 PID 02",
        "vin_head_unit": "from the head unit",
        "vin_none": "not read",
        "vin_ok": "17 characters, no I/O/Q: ok",
        "vin_bad": "INVALID",
        "warning": "WARNING",
        "mismatch": "the head unit stores a different VIN: {other}. It may come from another car.",
        "serial": "Head-unit serial number (the code is tied to this number)",
        "serial_none": "NOT READ: the unit did not return a serial number identifier. "
        "Do not guess it; read the label on the unit.",
        "text": "text",
        "chars": "characters",
        "raw": "raw hex",
        "padding": "padding",
        "padding_note": "trailing bytes after the text, kept in the raw hex",
        "lookalikes": "look-alikes",
        "checksum": "checksum",
        "checksum_note": "first 4 hex digits of CRC-32 of the text; recompute after retyping",
        "reads": "reads",
        "reads_note": "{n} identical reads of identifier {ident} from {addr} at {rate} kbit/s",
        "part": "Head-unit part number (NOT the serial number)",
        "supplier": "Supplier",
        "hardware": "Hardware",
        "software": "Software",
        "not_read": "not read",
        "read_at": "Read on",
        "tool": "Tool",
        "adapter": "Adapter",
        "unit": "Head unit",
        "disclaimer": "Anti-theft codes are issued only by the manufacturer's dealer. "
        "This tool does not compute them.",
    },
    "ru": {
        "simulated": "*** ДАННЫЕ СИМУЛЯТОРА: получены от симулятора g15diag, а не от "
        "автомобиля. Не отправляйте их дилеру. ***",
        "redacted": "*** КОПИЯ СО СКРЫТЫМИ ДАННЫМИ: для запроса кода не годится. ***",
        "title": "Для дилера: запрос антикражного кода",
        "vehicle": "Автомобиль",
        "vin": "Идентификационный номер автомобиля (VIN)",
        "vin_engine": "из блока управления двигателем, OBD режим 09 PID 02",
        "vin_head_unit": "из головного устройства",
        "vin_none": "не прочитан",
        "vin_ok": "17 символов, без I/O/Q: верно",
        "vin_bad": "НЕВЕРНЫЙ",
        "warning": "ВНИМАНИЕ",
        "mismatch": "в головном устройстве записан другой VIN: {other}. Возможно, оно с "
        "другого автомобиля.",
        "serial": "Серийный номер головного устройства (код привязан к этому номеру)",
        "serial_none": "НЕ ПРОЧИТАН: устройство не выдало идентификатор серийного номера. "
        "Не угадывайте его; посмотрите этикетку на устройстве.",
        "text": "текст",
        "chars": "символов",
        "raw": "байты (hex)",
        "padding": "заполнение",
        "padding_note": "байты после текста, сохранены в байтах (hex)",
        "lookalikes": "похожие символы",
        "checksum": "контрольная сумма",
        "checksum_note": "первые 4 hex-цифры CRC-32 текста; пересчитайте после перепечатки",
        "reads": "чтения",
        "reads_note": "{n} одинаковых чтения идентификатора {ident} с {addr} на {rate} кбит/с",
        "part": "Номер детали головного устройства (НЕ серийный номер)",
        "supplier": "Поставщик",
        "hardware": "Аппаратная часть",
        "software": "Программное обеспечение",
        "not_read": "не прочитано",
        "read_at": "Дата чтения",
        "tool": "Программа",
        "adapter": "Адаптер",
        "unit": "Головное устройство",
        "disclaimer": "Антикражные коды выдаёт только дилер производителя. "
        "Эта программа их не вычисляет.",
    },
}

LOOKALIKES_RU = {
    "0": "ноль",
    "O": "заглавная латинская O",
    "o": "строчная латинская o",
    "1": "единица",
    "I": "заглавная латинская I",
    "l": "строчная латинская L",
    "5": "пять",
    "S": "заглавная латинская S",
    "8": "восемь",
    "B": "заглавная латинская B",
}


def checksum(text: str) -> str:
    """Four hex digits of CRC-32 over the serial text (UTF-8), to catch retyping errors."""
    return f"{zlib.crc32(text.encode('utf-8')):08X}"[:4]


def format_for(path: str | Path, fmt: str | None) -> str:
    """The explicit format, else the one the file suffix names."""
    if fmt:
        return fmt
    found = SUFFIXES.get(Path(path).suffix.lower())
    if found is None:
        raise UsageError(
            f"Cannot tell the format of {str(path)!r} from its suffix: give --format text, "
            "json or csv (or use .txt/.json/.csv)."
        )
    return found


def load_identify_json(path: str | Path) -> dict[str, Any]:
    """Read a saved ``identify --json`` file; UsageError names what is wrong."""
    text = inputs.read_text(path, "the identify file")  # bounded; no FIFO or device
    inputs.check_structure(text, str(path))  # no huge integer or deep nesting reaches json
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path} is not JSON: {exc}.") from exc
    if not isinstance(data, dict) or data.get("schema_version") != 1:
        raise UsageError(
            f"{path} is not a g15diag identify --json file (schema_version 1 expected)."
        )
    for key in ("serial", "vin", "items", "head_unit", "adapter", "simulated", "read_at"):
        if key not in data:
            raise UsageError(f"{path}: the identify file lacks the field {key!r}.")
    _check_shape(path, data)
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # "\ud800" escapes: no file can be written with them
        raise UsageError(f"{path} contains text that is not valid Unicode.") from None
    return data


_TEXT = (str, type(None))
#: field -> accepted JSON types, for the fields the renderers use (a hand-edited file with a
#: list where text belongs is refused here, not met as a TypeError half-way through a render)
_TOP_TYPES: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(
        (
            "serial",
            "serial_hex",
            "serial_identifier",
            "vin",
            "vin_source",
            "vin_engine",
            "vin_head_unit",
            "vehicle",
            "tool_version",
            "read_at",
        ),
        _TEXT,
    ),
    "simulated": (bool,),
    "vin_mismatch": (bool, type(None)),
    "redacted": (bool, type(None)),
    "serial_reads": (int, type(None)),
    "vin_check": (dict, type(None)),
    "head_unit": (dict,),
    "adapter": (dict,),
    "items": (dict,),
}
_ITEM_TYPES: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(
        ("label", "text", "hex", "status", "role", "ecu", "padding_hex", "nrc_name"), _TEXT
    ),
    "fields": (dict, type(None)),
}


def _check_shape(path: str | Path, data: dict[str, Any]) -> None:
    """Refuse an identify file whose fields have the wrong JSON types (UsageError)."""

    def bad(field: str, types: tuple[type, ...]) -> UsageError:
        names = " or ".join("null" if t is type(None) else _JSON_NAMES[t] for t in types)
        return UsageError(f"{path}: the identify file's field {field!r} must be {names}.")

    for key, types in _TOP_TYPES.items():
        if key in data and not isinstance(data[key], types):
            raise bad(key, types)
    check = data.get("vin_check") or {}
    for key in ("errors", "warnings"):
        value = check.get(key, [])
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise bad(f"vin_check.{key}", (list,))
    for table in ("head_unit", "adapter"):
        for key, value in data[table].items():
            if not isinstance(value, (str, int, float, bool, type(None))):
                raise bad(f"{table}.{key}", (str, int, type(None)))
    bitrate = data["head_unit"].get("bitrate")
    if not isinstance(bitrate, (int, type(None))):
        raise bad("head_unit.bitrate", (int, type(None)))
    for name, item in data["items"].items():
        if not isinstance(item, dict) or "label" not in item or "text" not in item:
            raise UsageError(
                f"{path}: the identify file's item {name!r} must be an object with "
                "'label' and 'text'."
            )
        for key, types in _ITEM_TYPES.items():
            if key in item and not isinstance(item[key], types):
                raise bad(f"items.{name}.{key}", types)


_JSON_NAMES = {
    str: "text",
    bool: "true/false",
    int: "a number",
    float: "a number",
    dict: "an object",
    list: "a list",
}


# -- redaction -----------------------------------------------------------------------------


def mask_vin(vin: str | None) -> str | None:
    """Keep the first 11 characters (manufacturer and model), mask the serial part."""
    return None if vin is None else vin[:11] + "*" * max(0, len(vin) - 11)


def mask_serial(serial: str | None) -> str | None:
    """Keep the last 4 characters."""
    return None if serial is None else "*" * max(0, len(serial) - 4) + serial[-4:]


def redact(data: dict[str, Any]) -> dict[str, Any]:
    """A copy with VIN and serial masked and identifying raw bytes removed."""
    out = copy.deepcopy(data)
    out["redacted"] = True
    out["serial"] = mask_serial(out.get("serial"))
    out["serial_hex"] = None
    for key in ("vin", "vin_engine", "vin_head_unit"):
        out[key] = mask_vin(out.get(key))
    out["adapter"] = {**out.get("adapter", {}), "port": None}
    serial = data.get("serial")
    vins = {data.get(key) for key in ("vin", "vin_engine", "vin_head_unit")} - {None, ""}
    for key, item in out.get("items", {}).items():
        # by role, by the serial's identifier, or by value: a hand-edited file that lost an
        # item's role must not leak the serial or the VIN into a copy meant for sharing
        text = item.get("text")
        if (
            item.get("role") == "serial"
            or key == data.get("serial_identifier")
            or (serial and text == serial)
        ):
            item["text"] = mask_serial(item.get("text"))
        elif item.get("role") == "vin" or (text and text in vins):
            item["text"] = mask_vin(item.get("text"))
        elif item.get("fields") is None:
            continue
        item["hex"] = None
        item.pop("padding_hex", None)
    return out


# -- renderers -----------------------------------------------------------------------------


def render(data: dict[str, Any], fmt: str, *, lang: str = "en", redacted: bool = False) -> str:
    """The file content for ``fmt`` (text, json or csv)."""
    if redacted:
        data = redact(data)
    if fmt == "text":
        return render_text(data, lang)
    if fmt == "json":
        return render_json(data)
    if fmt == "csv":
        return render_csv(data)
    raise UsageError(f"Unknown format {fmt!r}: use text, json or csv.")


def _items_with(data: dict[str, Any], role: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (key, item)
        for key, item in data.get("items", {}).items()
        if item.get("role") == role and item.get("status") == "ok" and item.get("ecu") != "engine"
    ]


def _serial_item(data: dict[str, Any]) -> dict[str, Any] | None:
    key = data.get("serial_identifier")
    return data.get("items", {}).get(key) if key else None


def render_text(data: dict[str, Any], lang: str = "en") -> str:
    """The printable sheet."""
    t = TEXT[lang]
    lines: list[str] = []
    if data.get("simulated"):
        lines += [t["simulated"], ""]
    if data.get("redacted"):
        lines += [t["redacted"], ""]
    lines += [t["title"], "=" * len(t["title"]), ""]
    lines.append(f"{t['vehicle']}: {data.get('vehicle', '')}")
    lines.append("")
    lines.append(t["vin"])
    vin = data.get("vin")
    if vin:
        where = t["vin_engine"] if data.get("vin_source") == "engine" else t["vin_head_unit"]
        lines.append(f"    {vin}    ({where})")
        check = data.get("vin_check") or {}
        if check.get("errors"):
            lines.append(f"    {t['vin_bad']}: {'; '.join(check['errors'])}")
        elif not data.get("redacted"):
            lines.append(f"    {t['vin_ok']}")
        for warning in check.get("warnings", []):
            lines.append(f"    {t['warning']}: {warning}")
        if data.get("vin_mismatch"):
            lines.append(
                f"    {t['warning']}: " + t["mismatch"].format(other=data.get("vin_head_unit"))
            )
    else:
        lines.append(f"    {t['vin_none']}")
    lines.append("")
    lines += _serial_lines(data, t, lang)
    lines.append("")
    part = _items_with(data, "part_number")
    lines.append(t["part"])
    lines.append(f"    {part[0][1]['text']}    ({part[0][0]})" if part else f"    {t['not_read']}")
    lines.append("")
    for role in ("supplier", "hardware", "software"):
        found = _items_with(data, role)
        if not found:
            lines.append(f"{t[role]}: {t['not_read']}")
            continue
        lines.append(f"{t[role]}:")
        lines += [f"    {item['text']}    ({key}, {item['label']})" for key, item in found]
    block = data.get("items", {}).get("0x2180")
    if block and block.get("status") == "ok":
        lines.append(f"{block['label']}:")
        lines.append(f"    {block['text']}")
        if block.get("hex"):
            lines.append(f"    {t['raw']}: {_spaced_hex(block['hex'])}")
    lines.append("")
    hu = data.get("head_unit", {})
    adapter = data.get("adapter", {})
    lines.append(f"{t['unit']}: {hu.get('request_id')}/{hu.get('response_id')}, {hu.get('name')}")
    lines.append(f"{t['read_at']}: {data.get('read_at')}")
    lines.append(f"{t['tool']}: g15diag {data.get('tool_version')}")
    port = adapter.get("port")
    lines.append(f"{t['adapter']}: {adapter.get('identity')}" + (f" ({port})" if port else ""))
    lines.append("")
    lines.append(t["disclaimer"])
    return "\n".join(lines) + "\n"


def _spaced_hex(text: str) -> str:
    return " ".join(text[i : i + 2] for i in range(0, len(text), 2))


def _serial_lines(data: dict[str, Any], t: dict[str, str], lang: str) -> list[str]:
    lines = [t["serial"]]
    w = 2 + max(len(t[k]) for k in ("text", "raw", "padding", "lookalikes", "checksum", "reads"))
    serial = data.get("serial")
    if serial is None:
        return [*lines, f"    {t['serial_none']}"]
    item = _serial_item(data) or {}
    lines.append("    " + " ".join(serial))  # monospaced, one character per cell
    lines.append(f"    {t['text']:<{w}}{serial}    ({len(serial)} {t['chars']})")
    if data.get("serial_hex"):
        lines.append(f"    {t['raw']:<{w}}{_spaced_hex(data['serial_hex'])}")
    if item.get("padding_hex"):
        lines.append(
            f"    {t['padding']:<{w}}{_spaced_hex(item['padding_hex'])} ({t['padding_note']})"
        )
    names = LOOKALIKES_RU if lang == "ru" else identifiers.LOOKALIKES
    spelled = ", ".join(
        f"{pos}: {ch} {names[ch]}" for pos, ch, _ in identifiers.spell_lookalikes(serial)
    )
    if spelled:
        lines.append(f"    {t['lookalikes']:<{w}}{spelled}")
    if not data.get("redacted"):
        lines.append(f"    {t['checksum']:<{w}}{checksum(serial)} ({t['checksum_note']})")
    hu = data.get("head_unit", {})
    note = t["reads_note"].format(
        n=data.get("serial_reads"),
        ident=data.get("serial_identifier"),
        addr=f"{hu.get('request_id')}/{hu.get('response_id')}",
        rate=(hu.get("bitrate") or 0) // 1000,
    )
    lines.append(f"    {t['reads']:<{w}}{note}")
    return lines


def render_json(data: dict[str, Any]) -> str:
    """The identify object plus an ``export`` block, pretty-printed."""
    out = dict(data)
    out["export"] = {
        "export_version": EXPORT_VERSION,
        "redacted": bool(data.get("redacted")),
        "serial_checksum": None
        if data.get("redacted") or data.get("serial") is None
        else checksum(data["serial"]),
        "note": TEXT["en"]["disclaimer"],
    }
    return json.dumps(out, ensure_ascii=False, indent=2) + "\n"


CSV_HEADER = ("field", "value", "raw_hex", "identifier", "status")


def render_csv(data: dict[str, Any]) -> str:
    """One row per dealer field, then one row per identification item."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    serial_item = _serial_item(data) or {}
    redacted = bool(data.get("redacted"))
    rows: list[tuple[Any, ...]] = [
        ("simulated", "yes" if data.get("simulated") else "no", "", "", ""),
        ("redacted", "yes" if redacted else "no", "", "", ""),
        ("vin", data.get("vin") or "", "", data.get("vin_source") or "", ""),
        ("vin_mismatch", "yes" if data.get("vin_mismatch") else "no", "", "", ""),
        (
            "headunit_serial",
            data.get("serial") or "",
            data.get("serial_hex") or "",
            data.get("serial_identifier") or "",
            serial_item.get("status", ""),
        ),
        (
            "serial_checksum",
            "" if redacted or data.get("serial") is None else checksum(data["serial"]),
            "",
            "",
            "",
        ),
        ("read_count", data.get("serial_reads", ""), "", "", ""),
    ]
    for role, name in (
        ("part_number", "headunit_part_number"),
        ("supplier", "supplier"),
        ("hardware", "hardware"),
        ("software", "software"),
    ):
        found = _items_with(data, role)
        key, item = found[0] if found else ("", {})
        rows.append(
            (name, item.get("text") or "", item.get("hex") or "", key, item.get("status", ""))
        )
    hu = data.get("head_unit", {})
    adapter = data.get("adapter", {})
    rows += [
        ("source_ecu_address", f"{hu.get('request_id')}/{hu.get('response_id')}", "", "", ""),
        ("bitrate", hu.get("bitrate", ""), "", "", ""),
        ("timestamp", data.get("read_at", ""), "", "", ""),
        ("tool_version", data.get("tool_version", ""), "", "", ""),
        ("adapter_identity", adapter.get("identity", ""), "", "", ""),
    ]
    for key, item in data.get("items", {}).items():
        status = item.get("status") or ""  # null in a hand-edited file
        if item.get("nrc"):
            status += f" {item['nrc']} {item.get('nrc_name') or ''}".rstrip()
        rows.append(
            (
                f"item {item.get('label')}",
                item.get("text") or "",
                item.get("hex") or "",
                key,
                status,
            )
        )
    writer.writerows(rows)
    return buf.getvalue()


# -- atomic write --------------------------------------------------------------------------


def check_writable(path: str | Path, *, force: bool) -> None:
    """Fail early (before any read of the car) when ``path`` exists and ``force`` is off."""
    files.check_new(path, force=force, hint=_HINT)


def write_atomic(path: str | Path, content: str, *, force: bool = False) -> Path:
    """Write ``content`` as a new file (g15diag.files: whole or not at all, never over an
    existing file unless ``force``)."""
    return files.write_new(path, content, force=force, hint=_HINT)


_HINT = "Use --force to replace it, or choose another --output."
