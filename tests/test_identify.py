"""`identify` and `scan` through the API: every item status, KWP fallback, 250 kbit/s,
VIN from the engine and mismatch, padding variants, responsePending both ways."""

from __future__ import annotations

import datetime as dt

import pytest

import g15diag
from g15diag import errors
from g15diag.app.adapter import AdapterOptions, make_transport
from g15diag.app.identify import identify
from g15diag.app.scan import parse_range, range_candidates, scan
from g15diag.transport.base import Target, Transport
from g15diag.vehicles import profiles

SERIAL = b"SIM0O1Il5S8B2024"
VIN = "SMLTDG15300000001"
NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)


def run(url: str, **kw):  # type: ignore[no-untyped-def]
    with make_transport(AdapterOptions(port=url)) as transport:
        return identify(transport, profiles.load(), bitrate=500_000, now=NOW, **kw)


def statuses(result) -> dict[str, tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    return {k: (v["status"], v["nrc"]) for k, v in result.to_dict()["items"].items()}


def test_default_unit_every_item_ok() -> None:
    result = run("sim://")
    data = result.to_dict()
    assert data["schema_version"] == 1 and data["simulated"] is True
    assert data["read_at"] == "2026-01-02T03:04:05+00:00"
    assert {k for k, v in statuses(result).items() if v[0] == "ok"} == {
        "0xF18C", "0xF187", "0xF18A", "0xF191", "0xF192", "0xF193", "0xF194", "0xF195",
        "0xF190", "0xF1A0", "0x0902",
    }  # fmt: skip
    assert statuses(result)["0x2180"] == ("skipped", None)
    assert data["serial"] == SERIAL.decode() and data["serial_hex"] == SERIAL.hex().upper()
    assert data["serial_reads"] == 2
    assert (data["vin"], data["vin_source"], data["vin_mismatch"]) == (VIN, "engine", False)
    assert data["vin_check"] == {"valid": True, "errors": [], "warnings": []}
    assert data["part_number"] == "281150000R-SIM"
    assert data["supplier"] == "Simulated Supplier"
    assert (data["hardware"], data["software"]) == ("HW-SIM-01", "SUPSW-SIM-3")
    assert data["items"]["0xF1A0"]["text"] == "0x0D"
    assert data["items"]["0x0902"]["hex"] == "01" + VIN.encode().hex().upper()
    assert data["head_unit"]["request_id"] == "0x747"


def test_refused_items_report_nrc() -> None:
    result = run("sim://?refuse=F192,F193")
    s = statuses(result)
    assert s["0xF192"] == s["0xF193"] == ("not_supported", "0x31")
    item = result.to_dict()["items"]["0xF192"]
    assert item["nrc_name"] == "requestOutOfRange" and item["text"] is None
    assert s["0xF18C"] == ("ok", None)


def test_refused_serial_is_not_reported() -> None:
    data = run("sim://?refuse=F18C").to_dict()
    assert data["serial"] is None and data["serial_reads"] == 0
    assert data["items"]["0xF18C"]["status"] == "not_supported"


def test_kwp_only_unit_falls_back_to_21_80() -> None:
    result = run("sim://?kwp=1")
    s = statuses(result)
    assert s["0xF18C"] == ("not_supported", "0x11")
    assert s["0xF187"] == ("skipped", None)
    assert s["0x2180"] == s["0x2181"] == ("ok", None)
    data = result.to_dict()
    assert data["head_unit"]["family"] == "kwp"
    assert data["items"]["0x2180"]["fields"] == {
        "part_fragment": "SIM1R",
        "diag_version": "0x0D",
        "supplier": "SIM",
        "hardware_fragment": "HW01R",
        "software_number": "1234",
        "software_version": "0005",
    }
    assert data["vin_head_unit"] == VIN and data["serial"] is None


def test_unit_on_250_kbit_s_found_after_500() -> None:
    result = run("sim://?bitrate=250&hu=714:734")
    assert result.target == Target(0x714, 0x734, 250_000)
    assert [a.outcome for a in result.attempts][-1] == "answered"
    assert len(result.attempts) == 5 + 3  # 5 silent at 500, then 712, 747 silent, 714 answers
    assert result.vin.engine == VIN  # the engine is read back at 500 kbit/s


def test_vin_mismatch_is_reported() -> None:
    result = run("sim://?vin_mismatch=1")
    assert result.vin.mismatch
    assert (result.vin.engine, result.vin.head_unit) == (VIN, "SMLTDG15X00000002")
    assert result.to_dict()["vin_mismatch"] is True


@pytest.mark.parametrize("pad", ["00", "FF", "20", "A3"])
def test_padding_inside_serial_is_kept_and_noted(pad: str) -> None:
    data = run(f"sim://?serial_pad={pad * 3}").to_dict()
    item = data["items"]["0xF18C"]
    assert item["text"] == data["serial"] == SERIAL.decode()
    assert item["hex"] == SERIAL.hex().upper() + pad * 3
    assert item["padding_hex"] == pad * 3 and item["length"] == 19
    assert data["serial_hex"].endswith(pad * 3)


@pytest.mark.parametrize("mode", ["inline", "gaveup"])
def test_response_pending_both_ways(mode: str) -> None:
    data = run(f"sim://?pending={mode}&pending_count=2").to_dict()
    assert data["serial"] == SERIAL.decode()
    assert all(v["status"] in ("ok", "skipped") for v in data["items"].values())


def test_disagreeing_serial_reads_raise() -> None:
    with pytest.raises(errors.ReadsDisagree):
        run("sim://?unstable=1")


def test_no_head_unit() -> None:
    with pytest.raises(errors.NoAnswer) as info:
        run("sim://?no_hu=1")
    hint = info.value.hint or ""
    # issue 11 item 6: doctor, the multimedia CAN and its cable, non-OBD routes, the report
    order = ["g15diag doctor", "pins 13 (H) / 12 (L)", "crossover cable", "g15diag help adapters",
             "label on the unit", "buttons 1+6", "discover --report"]  # fmt: skip
    found = [hint.find(x) for x in order]
    assert -1 not in found and found == sorted(found)
    assert hint.rfind("unverified for the G15") > hint.find("buttons 1+6")


class Scripted(Transport):
    """A transport answering from a table: request hex -> response PDU or None (silence)."""

    def __init__(self, answers: dict[str, bytes | None]) -> None:
        super().__init__()
        self.answers = answers
        self.sent: list[bytes] = []
        self._queue: list[bytes] = []

    def open(self) -> None: ...
    def close(self) -> None: ...
    def set_target(self, target: Target) -> None: ...

    def _send(self, pdu: bytes) -> None:
        self.sent.append(pdu)
        answer = self.answers.get(pdu.hex().upper())
        self._queue = [answer] if answer else []

    def _receive(self, timeout: float) -> bytes | None:
        return self._queue.pop(0) if self._queue else None


def test_no_answer_and_malformed_items() -> None:
    transport = Scripted(
        {
            "22F18C": b"\x62\xf1\x8c" + SERIAL,
            "22F187": b"\x62\xf1\x99XX",  # echoes another DID
            "0902": b"\x49\x02\x01" + VIN.encode(),
        }
    )
    result = identify(transport, profiles.load(), bitrate=500_000, now=NOW)
    s = statuses(result)
    assert s["0xF18C"] == ("ok", None)
    assert s["0xF187"] == ("malformed", None)
    assert s["0xF18A"] == s["0xF1A0"] == ("no_answer", None)
    assert s["0x0902"] == ("ok", None)
    # one request per item; the serial twice; nothing outside the allowlist
    assert transport.sent.count(b"\x22\xf1\x8c") == 2
    assert all(p[0] in (0x22, 0x21, 0x09) for p in transport.sent)


def test_scan_table_and_cheap_silence() -> None:
    with make_transport(AdapterOptions(port="sim://?hu=714:734&bitrate=250")) as transport:
        result = scan(transport, profiles.load())
        sent = list(transport.commands_sent)
    outcomes = [(r.target.label, r.target.bitrate, r.outcome) for r in result.rows]
    assert outcomes[:5] == [(c, 500_000, "silent") for c in (
        "0x712/0x732", "0x747/0x767", "0x714/0x734", "0x780/0x7A0", "0x782/0x7A2")]  # fmt: skip
    assert outcomes[5:] == [
        ("0x712/0x732", 250_000, "silent"),
        ("0x747/0x767", 250_000, "silent"),
        ("0x714/0x734", 250_000, "answered"),
    ]
    # lowered for the scan, then restored (sent with the next request that needs it: none)
    assert "ATST10" in sent and transport.ident_st == 0x19 and "ATST19" not in sent
    assert "ATSP8" in sent
    silent = [r.seconds for r in result.rows if r.outcome == "silent"]
    assert max(silent) < 0.1  # ~64 ms of ATST (the identification default is 100 ms)


def test_scan_refused_and_range() -> None:
    with make_transport(AdapterOptions(port="sim://?kwp=1&hu=7B0:7D0")) as transport:
        prof = profiles.load()
        result = scan(transport, prof, candidates=range_candidates(prof, *parse_range("7AE-7B1")))
    rows = {r.target.label: (r.outcome, r.nrc) for r in result.rows if r.target.bitrate == 500_000}
    assert rows["0x7B0/0x7D0"] == ("refused", 0x11)
    assert rows["0x7AF/0x7CF"] == ("silent", None)
    # --range adds to the profile's candidates (3 at two bit rates, 2 at one): 8 + 4 x 2
    assert len(result.rows) == 16
    assert [r.candidate.name for r in result.rows[:5]] == [c.name for c in prof.head_units]
    with pytest.raises(errors.UsageError):
        parse_range("7FF-700")


def test_profile_edit_alone_adds_a_candidate(tmp_path) -> None:
    text = profiles.SHIPPED if hasattr(profiles, "SHIPPED") else None
    assert text is None
    source = tmp_path / "mine.toml"
    shipped = profiles.resources.files("g15diag") / "vehicles" / "almera-g15.toml"
    source.write_text(
        shipped.read_text(encoding="utf-8")
        + '\n[[head_unit]]\nname = "Field-found unit"\nrequest = "7B3"\nresponse = "7D3"\n'
        'bitrates = [500000]\nconfidence = "verified on my car"\nsource = "my log"\n',
        encoding="utf-8",
    )
    prof = profiles.load(str(source))
    with make_transport(AdapterOptions(port="sim://?hu=7B3:7D3")) as transport:
        result = identify(transport, prof, bitrate=500_000, now=NOW)
        table = scan(transport, prof)
    assert result.unit.name == "Field-found unit" and result.value("serial") == SERIAL.decode()
    assert [r.candidate.name for r in table.responders] == ["Field-found unit"]


@pytest.mark.slow
def test_public_api_is_lazy_and_typed(tmp_path) -> None:
    import subprocess
    import sys

    code = (
        "import sys, g15diag; print(sorted(m for m in sys.modules if m.startswith("
        "('g15diag.', 'can', 'serial', 'udsoncan', 'isotp'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    result = g15diag.identify(port="sim://?serial_pad=FF")
    assert isinstance(result, g15diag.IdentifyResult)
    assert result.value("serial") == SERIAL.decode() and result.simulated
    table = g15diag.scan(port="sim://")
    assert isinstance(table, g15diag.ScanResult)
    path = g15diag.export(result, tmp_path / "r.json")
    assert path.read_text(encoding="utf-8").startswith("{")
