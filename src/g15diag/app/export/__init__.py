"""The dealer request: one typed record, one renderer per format, written atomically.

``record`` is the identification record every face renders: made from a read, or parsed
from an ``identify --json`` object once (shape checks, one sentence per fault);
``sheet`` lays out the printable content in one language (words in
``g15diag/lang/*.toml``, the catalogue the page shares);
``render_text``/``render_html``/``render_pdf`` arrange that same sheet; ``render_json`` and
``render_csv`` are the machine formats. Nothing about the owner is asked for or stored: the
sheet leaves blank lines for them. Simulated data is marked as such in every format.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from g15diag.app.export import render_csv, render_json, render_text
from g15diag.app.export.i18n import LANGS, words
from g15diag.app.export.record import Record, load, parse
from g15diag.app.export.redact import mask_serial, mask_vin, redact
from g15diag.app.export.sheet import build, checksum
from g15diag.errors import UsageError

__all__ = [
    "FORMATS",
    "LANGS",
    "Record",
    "check_writable",
    "checksum",
    "format_for",
    "load",
    "load_identify_json",
    "mask_serial",
    "mask_vin",
    "parse",
    "redact",
    "render",
    "session_dict",
    "write",
]

FORMATS = ("text", "json", "csv", "html", "pdf")
SUFFIXES = {
    ".txt": "text",
    ".text": "text",
    ".json": "json",
    ".csv": "csv",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}
STDOUT = "-"


def format_for(path: str | Path, fmt: str | None) -> str:
    """The explicit format, else the one the file suffix names; a contradiction is refused."""
    if fmt is not None and fmt not in FORMATS:
        raise UsageError(f"Unknown format {fmt!r}: use {', '.join(FORMATS)}.")
    if str(path) == STDOUT:
        return fmt or "text"
    found = SUFFIXES.get(Path(path).suffix.lower())
    if fmt and found and fmt != found:
        raise UsageError(
            f"--format {fmt} contradicts the file name {str(path)!r} (a {found} suffix): "
            f"name the file {Path(path).stem}{_suffix(fmt)} or drop --format."
        )
    if fmt:
        return fmt
    if found is None:
        raise UsageError(
            f"Cannot tell the format of {str(path)!r} from its suffix: give --format "
            f"({', '.join(FORMATS)}) or use {', '.join(_suffix(f) for f in FORMATS)}."
        )
    return found


def _suffix(fmt: str) -> str:
    return {"text": ".txt"}.get(fmt, f".{fmt}")


def session_dict(result: object, voltage: float | None) -> dict[str, Any]:
    """The identify object of ``result`` plus the battery voltage read with it."""
    from g15diag.app.identify import IdentifyResult

    assert isinstance(result, IdentifyResult)
    return result.record(voltage, session=True).to_dict()


def load_identify_json(path: str | Path) -> dict[str, Any]:
    """Read and check a saved ``identify --json`` file; its JSON as the record writes it."""
    return load(path).to_dict()


def to_record(data: object, *, redacted: bool = False) -> Record:
    """A :class:`Record` from an IdentifyResult, a Record or an identify dict (checked)."""
    from g15diag.app.identify import IdentifyResult

    if isinstance(data, IdentifyResult):
        data = data.record()
    if isinstance(data, Record):
        return parse(redact(data.to_dict())) if redacted else data
    if not isinstance(data, dict):
        raise UsageError(
            "export needs an identify result or an identify --json object, "
            f"not {type(data).__name__}."
        )
    return parse(redact(data) if redacted else data)


def render(
    data: object,
    fmt: str,
    *,
    lang: str = "en",
    redacted: bool = False,
    tz: dt.tzinfo | None = None,
    header: bool = True,
) -> str | bytes:
    """The content of ``fmt`` for ``data``: str, or bytes for ``pdf``."""
    words(lang)  # an unknown language is refused before anything else
    if fmt not in FORMATS:
        raise UsageError(f"Unknown format {fmt!r}: use {', '.join(FORMATS)}.")
    record = to_record(data, redacted=redacted)
    if fmt == "json":
        return render_json.render(record)
    if fmt == "csv":
        return render_csv.render(record, header=header)
    sheet = build(record, lang, tz=tz)
    if fmt == "text":
        return render_text.render(sheet)
    if fmt == "html":
        from g15diag.app.export import render_html  # Jinja2: only for an HTML sheet

        return render_html.render(sheet)
    from g15diag.app.export import render_pdf

    return render_pdf.render(sheet, created=record.read_at)


def check_writable(path: str | Path, *, force: bool, append: bool = False) -> None:
    """Fail early (before any read of the car) unless ``path`` can be written (or, with
    ``append``, an existing export CSV can take a row)."""
    if str(path) == STDOUT:
        return
    from g15diag.app.export import writer
    from g15diag.system import appending

    if append and appending.check_appendable(path, _csv_header()):
        return
    writer.check_writable(path, force=force)


def _csv_header() -> bytes:
    return render_csv.render_header().encode("utf-8")


def write(
    path: str | Path,
    content: str | bytes,
    *,
    force: bool = False,
    append_csv: str | None = None,
) -> Path | None:
    """Write ``content`` atomically (``-``: standard output).

    ``append_csv`` is the data row to add when ``path`` is an existing CSV file with the
    export's header: it is appended in place under a lock
    (:func:`g15diag.system.appending.append_row`).
    """
    if str(path) == STDOUT:
        out = sys.stdout.buffer
        out.write(content if isinstance(content, bytes) else content.encode("utf-8"))
        out.flush()
        return None
    from g15diag.app.export import writer
    from g15diag.system import appending

    target = Path(path)
    if append_csv is not None and appending.check_appendable(target, _csv_header()):
        return appending.append_row(target, _csv_header(), append_csv.encode("utf-8"))
    return writer.write(target, content, force=force)
