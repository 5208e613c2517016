"""The Flask app behind ``g15diag gui``, with the page's security rules.

Every request must carry the per-run token (``?token=`` or the ``X-G15-Token`` header) and a
``Host`` of ``127.0.0.1:PORT``/``localhost:PORT`` (a DNS-rebinding page on another name is
refused); actions that do something are POST only, and a POST from another origin is refused.
The only other way in is the one-use ``/?launch=`` address the browser was started with.
Reads go through :mod:`g15diag.app.api`, exactly as the CLI's.
"""

from __future__ import annotations

import dataclasses
import functools
import hmac
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, abort, jsonify, redirect, render_template, request

from g15diag import errors
from g15diag.app.adapter import AdapterOptions
from g15diag.app.export.record import Record
from g15diag.gui.worker import Busy, Worker, describe
from g15diag.lang import LANGS, page_words
from g15diag.protocol import identifiers

if TYPE_CHECKING:
    from werkzeug.wrappers import Response as WerkzeugResponse

    from g15diag.gui.lifetime import Launch, Lifetime

TOKEN_HEADER = "X-G15-Token"
SIMULATOR = "sim://"
BLE_SECONDS = 5.0  # how long "Search Bluetooth LE" listens


def create_app(
    *,
    token: str,
    worker: Worker,
    options: AdapterOptions | None = None,
    on_quit: Callable[[], None] = lambda: None,
    lifetime: Lifetime | None = None,
    launch: Launch | None = None,
) -> Flask:
    """The app; ``app.config["ALLOWED_HOSTS"]`` must be set once the port is known."""
    default_port = options.port if options else None
    app = Flask(__name__)
    app.config.update(ALLOWED_HOSTS=frozenset(), JSON_SORT_KEYS=False)

    @app.before_request
    def guard() -> WerkzeugResponse | None:
        if request.host not in app.config["ALLOWED_HOSTS"]:
            abort(403, "This page answers only at 127.0.0.1 (Host header refused).")
        code = request.args.get("launch")
        if code is not None and request.path == "/" and request.method == "GET":
            if launch is None or not launch.use(code):
                abort(403, "This start address was used already: open the address g15diag "
                      "gui printed.")  # fmt: skip
            return redirect(f"/?token={token}", 303)  # the one-use code is spent
        given = request.args.get("token") or request.headers.get(TOKEN_HEADER) or ""
        if not hmac.compare_digest(given.encode(), token.encode()):
            abort(403, "A valid token is required: open the address g15diag gui printed.")
        origin = request.headers.get("Origin")
        if request.method == "POST" and origin and origin != f"http://{request.host}":
            abort(403, "Requests from other sites are refused.")
        if lifetime is not None:
            lifetime.seen()
        return None

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
        )
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @app.errorhandler(errors.G15DiagError)
    def refused(exc: errors.G15DiagError) -> tuple[Response, int]:
        return jsonify(error=describe(exc)), 409 if isinstance(exc, Busy) else 400

    @app.get("/")
    def index() -> str:
        lang = request.args.get("lang") or request.accept_languages.best_match(LANGS, default="en")
        lang = lang if lang in LANGS else "en"
        adapters = _adapters(default_port)
        likely = [a["port"] for a in adapters if a["kind"] in ("usb-serial", "bluetooth")]
        config = {
            "token": token,
            "lang": lang,
            "words": {code: page_words(code) for code in LANGS},
            "adapters": adapters,
            # --port, else the first USB/Bluetooth adapter found, else the simulator
            "port": default_port or (likely[0] if likely else SIMULATOR),
            "wide_minutes": wide_minutes(),
        }
        return render_template("index.html", w=page_words(lang), lang=lang, config=config)

    @app.post("/api/read")
    def read() -> tuple[Response, int]:
        chosen = for_port(options, _port())
        worker.start("read", functools.partial(_read, chosen, wide=_wide()))
        return jsonify(state="running"), 202

    @app.post("/api/doctor")
    def doctor() -> tuple[Response, int]:
        chosen = for_port(options, _port())
        worker.start("doctor", functools.partial(_doctor, chosen))
        return jsonify(state="running"), 202

    @app.post("/api/report")
    def report() -> tuple[Response, int]:
        chosen = for_port(options, _port())
        worker.start("report", functools.partial(_report, chosen))
        return jsonify(state="running"), 202

    @app.get("/report.zip")
    def report_zip() -> Response:
        data = worker.last_result("report", _job_id())
        if not isinstance(data, bytes):
            abort(404, "No field report was made yet.")
        return _download(data, "application/zip", "g15diag-field-report.zip")

    @app.post("/api/ble-search")
    def ble_search() -> tuple[Response, int]:
        worker.start("ble", _ble_search)
        return jsonify(state="running"), 202

    @app.get("/api/status")
    def status() -> Response:
        job = worker.snapshot()
        result = job.result
        if job.kind == "read" and result is not None:
            result = view(result)
        if job.kind == "report" and result is not None:
            result = {"bytes": len(result)}  # the file itself: /report.zip?id=
        return jsonify(
            kind=job.kind,
            state=job.state,
            id=job.id,
            progress=job.progress[-1:],
            result=result,
            error=job.error,
        )

    @app.get("/font/mono.ttf")
    def mono_font() -> Response:
        """DejaVu Sans Mono, shipped for the sheet: 0/O, 1/I/l, 5/S, 8/B differ in it."""
        from importlib import resources

        font = resources.files("g15diag.app.export").joinpath("fonts", "DejaVuSansMono.ttf")
        return Response(font.read_bytes(), mimetype="font/ttf")

    @app.get("/sheet.html")
    def sheet_html() -> Response:
        return Response(_sheet("html"), mimetype="text/html")

    @app.get("/sheet.pdf")
    def sheet_pdf() -> Response:
        return _download(_sheet("pdf"), "application/pdf", "dealer-sheet.pdf")

    @app.get("/session.json")
    def session_json() -> Response:
        import json

        text = json.dumps(_session().to_dict(), ensure_ascii=False, indent=2) + "\n"
        return _download(text.encode("utf-8"), "application/json", "g15diag-session.json")

    @app.post("/api/quit")
    def quit_() -> Response:
        response = jsonify(state="stopping")
        response.call_on_close(on_quit)  # stop once this answer has been sent
        return response

    @app.post("/api/alive")
    def alive() -> Response:
        if lifetime is not None:
            lifetime.alive(_page_id())
        return jsonify(state="alive")

    @app.post("/api/closing")
    def closing() -> Response:
        if lifetime is not None:  # this tab went away; another tab or a reload keeps it up
            lifetime.closing(_page_id())
        return jsonify(state="closing")

    def _session() -> Record:
        record = worker.last_result("read", _job_id())
        if not isinstance(record, Record):
            abort(404, "Nothing was read yet: press Read serial first.")
        return record

    def _sheet(fmt: str) -> Any:
        from g15diag.app.export import render

        lang = request.args.get("lang", "en")
        if lang not in LANGS:
            abort(400, "Unknown language.")
        return render(_session(), fmt, lang=lang)

    return app


def _download(data: bytes, mimetype: str, name: str) -> Response:
    return Response(
        data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _page_id() -> str:
    """The id a page picked for itself (its heartbeats and its unload carry it)."""
    page = request.args.get("page", "")
    return page[:64] if page.isascii() and page.isprintable() else ""


def _port() -> str:
    body = request.get_json(silent=True) or {}
    port = body.get("port") if isinstance(body, dict) else None
    if not isinstance(port, str) or not port.strip():
        raise errors.UsageError("Choose an adapter first.")
    return port.strip()


def _wide() -> bool:
    body = request.get_json(silent=True) or {}
    return isinstance(body, dict) and body.get("wide") is True


def _job_id() -> int | None:
    """The ``id`` a print/save link names (the read on screen); None when it names none."""
    text = request.args.get("id", "")
    return int(text) if text.isdigit() else None


def wide_minutes() -> int:
    """About how many minutes "Search all addresses" takes (the hint's estimate)."""
    from g15diag.app.wide import wide_minutes as minutes

    return minutes()


def for_port(options: AdapterOptions | None, port: str) -> AdapterOptions:
    """The command line's adapter options with the port the page chose (validated again)."""
    if options is None:
        return AdapterOptions(port=port)
    # every adapter setting carries over (a new field too); the page reads through an ELM327
    # port, so a native CAN interface given on the command line does not
    return dataclasses.replace(options, port=port, interface=None, channel=None, bitrate=None)


def _read(
    options: AdapterOptions, progress: Callable[[dict[str, Any]], None], *, wide: bool = False
) -> Record:
    """The read, through the CLI's own API; each search step becomes a progress entry."""
    from g15diag.app import api
    from g15diag.app.search import SearchProgress

    def step(p: SearchProgress) -> None:
        progress(
            {
                "address": p.label,
                "rate": p.bitrate // 1000,
                "rung": p.rung,
                "attempt": p.attempt,
                "attempts": p.attempts,
            }
        )

    return api.session(options=options, progress=step, wide=wide)


def _report(options: AdapterOptions, progress: Callable[[dict[str, Any]], None]) -> bytes:
    """The field report (doctor, discover widened, its trace; values masked), in memory."""
    from g15diag.app.field_report import field_report

    return field_report(options, lambda p: progress({"address": f"{p.request_id:03X}"}))


def _doctor(options: AdapterOptions, progress: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """The self-test, through the API; the page gets the report's one JSON form (it says
    the advice in its own words from ``advice_kinds``)."""
    from g15diag.app import api

    return api.doctor(options=options).to_dict()


def _ble_search(progress: Callable[[dict[str, Any]], None]) -> list[dict[str, str]]:
    """``adapters --ble`` for the page: the BLE OBD adapters heard, as adapter-list entries."""
    from g15diag.app import api

    found = api.ble_adapters(BLE_SECONDS, on_tick=lambda s: progress({"seconds": int(s)}))
    return [
        {
            "port": a.port,
            "label": f"{a.port} — {a.name or a.address} ({a.rssi} dBm)",
            "kind": "bluetooth-le",
        }
        for a in found
    ]


def _adapters(default_port: str | None) -> list[dict[str, str]]:
    """The `adapters` list (opens nothing), then the simulator."""
    from g15diag.app import api

    found: list[dict[str, str]] = []
    try:
        ports = api.adapters()
    except (errors.G15DiagError, OSError):
        ports = []
    for info in ports:
        label = " — ".join(x for x in (info.port, info.description, info.warning or "") if x)
        found.append({"port": info.port, "label": label, "kind": info.kind})
    if default_port and default_port not in {a["port"] for a in found} | {SIMULATOR}:
        found.insert(0, {"port": default_port, "label": default_port, "kind": "given"})
    found.append({"port": SIMULATOR, "label": "", "kind": "simulator"})
    return found


def view(record: Record) -> dict[str, Any]:
    """What the page shows of a read: the identification record every face renders (every
    non-printable character spelled out, ``U+202E`` never reverses the serial on screen)."""
    from g15diag.protocol.visible import visible

    serial = record.serial
    shown = None if serial is None else visible(serial)
    part = record.part_number.text if record.part_number else None
    return {
        "simulated": record.simulated,
        "serial": shown,
        "cells": [
            {"char": visible(ch), "position": i, "lookalike": ch in identifiers.LOOKALIKES}
            for i, ch in enumerate(serial or "", 1)
        ],
        "vin": None if record.vin is None else visible(record.vin),
        "vin_mismatch": record.vin_mismatch,
        "vin_head_unit": None if record.vin_head_unit is None else visible(record.vin_head_unit),
        "part_number": None if part is None else visible(part),
        "reads": record.serial_reads,
        "identifier": record.serial_identifier,
        "address": record.unit_address,
        "rate": None if record.bitrate is None else record.bitrate // 1000,
        "voltage": record.battery_voltage,
        "port": record.adapter_port,
        "read_at": record.read_at.isoformat(),
    }
