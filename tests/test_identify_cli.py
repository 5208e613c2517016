"""`identify`, `scan` and `export` end to end over a real pseudo-terminal and loopback TCP."""

from __future__ import annotations

import csv
import io
import json

import pytest

from g15diag.app import export

SERIAL = "SIM0O1Il5S8B2024"
VIN = "SMLTDG15300000001"


def test_identify_json_over_pty(pty_sim, run_cli) -> None:
    server = pty_sim("sim://?refuse=F193&serial_pad=FFFF")
    code, out, err = run_cli("identify", "--port", server.path, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["schema_version"] == 1
    assert data["serial"] == SERIAL and data["serial_hex"].endswith("FFFF")
    assert data["items"]["0xF193"]["status"] == "not_supported"
    assert data["items"]["0xF193"]["nrc"] == "0x31"
    assert data["items"]["0x2180"]["status"] == "skipped"
    assert data["vin"] == VIN and data["vin_source"] == "engine"
    assert data["simulated"] is True  # a real pty, but the simulator names itself in ATI


@pytest.mark.slow
def test_identify_text_over_socket_kwp_and_mismatch(tcp_sim, run_process) -> None:
    server = tcp_sim("sim://?kwp=1&vin_mismatch=1")
    proc = run_process("identify", "--port", server.url)
    assert proc.returncode == 5, proc.stderr  # issue 19: exit 5 whenever the serial was not read
    assert "answered but gave no serial number" in proc.stderr
    out = proc.stdout  # the table is still printed
    assert "KWP (address confidence: low)" in out
    assert "0xF18C      not supported (NRC 0x11 serviceNotSupported)" in out
    assert "0x2180      ok" in out and "0x2181      ok" in out
    assert "hex 53 4D 4C 54 44 47 31 35 58 30 30 30 30 30 30 30 32" in out
    assert "Serial number: not read" in out
    assert "WARNING: the head unit stores another VIN (SMLTDG15X00000002)" in out


def test_identify_sim_url_marks_simulated(run_cli) -> None:
    code, out, _ = run_cli("identify", "--port", "sim://?bitrate=250")
    assert code == 0
    assert out.startswith("SIMULATED:")
    assert "250 kbit/s" in out.splitlines()[1]


def test_identify_with_address_and_bad_profile(pty_sim, run_cli, tmp_path) -> None:
    server = pty_sim("sim://?hu=7A0:7C0")
    code, out, err = run_cli("identify", "--port", server.path, "--address", "7A0:7C0")
    assert code == 0, err
    assert "given with --address at 0x7A0/0x7C0" in out
    bad = tmp_path / "bad.toml"
    bad.write_text('schema = 1\nname = "x"\nvehicle = "y"\n[engine]\nname = "e"\n'
                   'request = "7E0"\nresponse = "7G8"\n', encoding="utf-8")  # fmt: skip
    code, _, err = run_cli("identify", "--port", server.path, "--profile", str(bad))
    assert code == 2
    assert f"Bad profile {bad}, line 7: engine.response = '7G8' is not hexadecimal." in err


@pytest.mark.slow
def test_scan_over_pty_and_nothing_answers(pty_sim, tcp_sim, run_cli, run_process) -> None:
    server = pty_sim("sim://?hu=712:732")
    code, out, err = run_cli("scan", "--port", server.path, "--json")
    assert code == 0, err
    rows = json.loads(out)["rows"]
    assert [(r["request_id"], r["bitrate"], r["outcome"]) for r in rows] == [
        ("0x712", 500_000, "answered"),
        ("0x747", 500_000, "silent"),
        ("0x714", 500_000, "silent"),
        ("0x780", 500_000, "silent"),
        ("0x782", 500_000, "silent"),
        ("0x712", 250_000, "silent (bus error)"),
        ("0x747", 250_000, "silent (bus error)"),
        ("0x714", 250_000, "silent (bus error)"),
    ]
    empty = tcp_sim("sim://?no_hu=1")
    proc = run_process("scan", "--port", empty.url)
    assert proc.returncode == 4
    assert "0 of 8 answered" in proc.stdout
    assert "OBD pins 13 (H) / 12 (L)" in proc.stderr and "`g15diag help adapters`" in proc.stderr


def test_export_all_formats_live_and_from(pty_sim, run_cli, tmp_path) -> None:
    server = pty_sim("sim://?serial_pad=00")
    saved = tmp_path / "id.json"
    code, out, err = run_cli("identify", "--port", server.path, "--json")
    assert code == 0, err
    saved.write_text(out, encoding="utf-8")
    data = json.loads(out)
    for name in ("r.txt", "r.json", "r.csv"):
        code, out, err = run_cli("export", "--port", server.path, "-o", str(tmp_path / name))
        assert code == 0, err
        fmt = export.format_for(name, None)
        assert out == f"Wrote {tmp_path / name} ({fmt}) (SIMULATED data).\n"
        code, _, err = run_cli("export", "--from", str(saved), "-o", str(tmp_path / f"from-{name}"))
        assert code == 0, err
    # from --from, the files are exactly what the renderer makes of the saved object
    for name, fmt in (("r.txt", "text"), ("r.json", "json"), ("r.csv", "csv")):
        written = (tmp_path / f"from-{name}").read_bytes()
        assert written == export.render(data, fmt).encode("utf-8")
    live_rows = list(csv.reader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8"))))
    assert len(live_rows) == 2  # one header row, one row for the read
    row = dict(zip(live_rows[0], live_rows[1], strict=True))
    assert row["headunit_serial"] == SERIAL
    assert row["serial_raw_hex"] == SERIAL.encode().hex().upper() + "00"
    assert row["serial_identifier"] == "0xF18C"
    assert row["battery_voltage"] == "12.6"  # ATRV, read in the same adapter session
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["serial"] == SERIAL
    assert "FOR THE DEALER: RADIO CODE REQUEST" in (tmp_path / "r.txt").read_text("utf-8")


def test_export_to_stdout(run_cli, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("export", "--port", "sim://", "-o", "-", "--lang", "ru")
    assert code == 0, err
    assert out.startswith("*** ДАННЫЕ СИМУЛЯТОРА") and "S  I  M  0  O  1" in out
    assert list(tmp_path.iterdir()) == []  # no file named '-'
    code, out, err = run_cli("export", "--port", "sim://", "-o", "-", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["battery_voltage"] == 12.6


def test_export_csv_appends_one_row_per_read(run_cli, tmp_path) -> None:
    out = tmp_path / "garage.csv"
    assert run_cli("export", "--port", "sim://", "-o", str(out))[0] == 0
    code, _, err = run_cli("export", "--port", "sim://?serial=OTHER123", "-o", str(out),
                           "--append")  # fmt: skip
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r[7] for r in rows] == ["headunit_serial", SERIAL, "OTHER123"]
    alien = tmp_path / "alien.csv"
    alien.write_text("a,b\r\n", encoding="utf-8")
    code, _, err = run_cli("export", "--port", "sim://", "-o", str(alien), "--append")
    assert code == 2 and "not the g15diag export header" in err
    assert alien.read_bytes() == b"a,b\r\n"


def test_checksum_command(run_cli) -> None:
    from g15diag.app.export import checksum

    code, out, _ = run_cli("checksum", SERIAL)
    assert code == 0 and out == checksum(SERIAL) + "\n"
    assert run_cli("checksum", SERIAL.replace("0", "O", 1))[1] != out


def test_export_refuses_to_overwrite_before_reading(pty_sim, run_cli, tmp_path) -> None:
    out = tmp_path / "r.txt"
    out.write_text("keep", encoding="utf-8")
    code, _, err = run_cli("export", "--port", "sim://?no_hu=1", "-o", str(out))
    assert code == 9 and "already exists" in err  # not 4: checked before the car is read
    assert out.read_text(encoding="utf-8") == "keep"
    code, _, err = run_cli("export", "--port", "sim://", "-o", str(out), "--force", "--lang", "ru",
                           "--redact")  # fmt: skip
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert "ДЛЯ ДИЛЕРА: ЗАПРОС КОДА МАГНИТОЛЫ" in text and "****************" in text
    assert "ДАННЫЕ СИМУЛЯТОРА" in text


def test_export_usage_errors(run_cli, tmp_path) -> None:
    code, _, err = run_cli("export", "-o", str(tmp_path / "r.txt"))
    assert code == 2 and "--port" in err
    code, _, err = run_cli("export", "--port", "sim://", "-o", str(tmp_path / "r.docx"))
    assert code == 2 and "--format" in err
    code, _, err = run_cli("export", "--port", "sim://", "-o", str(tmp_path / "r.pdf"),
                           "--format", "html")  # fmt: skip
    assert code == 2
    assert err == (
        f"Error: --format html contradicts the file name {str(tmp_path / 'r.pdf')!r} (a pdf "
        "suffix): name the file r.html or drop --format.\n"
    )
    saved = tmp_path.parent / f"{tmp_path.name}-id.json"
    code, out, _ = run_cli("identify", "--port", "sim://", "--json")
    saved.write_text(out, encoding="utf-8")
    code, _, err = run_cli("export", "--from", str(saved), "--port", "sim://", "-o",
                           str(tmp_path / "r.txt"))  # fmt: skip
    assert code == 2 and "not both" in err
    code, out, _ = run_cli("read-serial", "--port", "sim://", "--json")
    saved.write_text(out, encoding="utf-8")
    code, _, err = run_cli("export", "--from", str(saved), "-o", str(tmp_path / "r.txt"))
    assert code == 2 and "it is `read-serial --json` output" in err
    code, _, err = run_cli("export", "--from", str(saved), "-o", str(tmp_path / "r.txt"),
                           "--append")  # fmt: skip
    assert code == 2 and "--append works with CSV only" in err
    assert not list(tmp_path.iterdir())
