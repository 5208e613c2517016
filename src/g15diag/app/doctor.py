"""``doctor``: the adapter self-test, before any head-unit traffic. Python API; prints nothing.

It asks the adapter who it is (``ATI``, ``AT@1``, STN ``STI``/``STDI``), its supply voltage
(``ATRV``), and tries each command the read path needs, one at a time, so a clone that
answers ``?`` is named precisely. Then one identification read the tool is allowed to send,
``22 F1 90`` to the engine ECU (7E0/7E8), proves two things a clone can get wrong: the
3-byte request arrives whole (the answer must echo ``F1 90``), and a multi-frame answer (a
VIN is 17 bytes) comes back complete. On Linux it checks the port's permission, whether
another process has it open, and whether ``brltty`` is installed.

Only volatile adapter settings are touched (the same commands a read sends); nothing that
changes stored settings (``ATPP``, ``ATBRD``...) is on the transport's command list.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from g15diag import errors
from g15diag.app import privacy, voltage
from g15diag.app.checks import MISSING, OK, WARNING, Check, DoctorReport
from g15diag.app.host_checks import linux_checks
from g15diag.app.link import Link, Run
from g15diag.protocol import elm, uds
from g15diag.transport import elm_commands

if TYPE_CHECKING:
    from g15diag.app.adapter import AdapterOptions
    from g15diag.transport.elm327 import Elm327Transport
LOW_VOLTAGE = voltage.LOW_VOLTAGE
ENGINE_REQUEST, ENGINE_RESPONSE = elm_commands.ENGINE_REQUEST, elm_commands.ENGINE_RESPONSE
VIN_REQUEST = uds.read_data_by_identifier(uds.VIN)  # requests are built in protocol/
SINGLE_FRAME_MAX = 7  # a longer answer is multi-frame (ISO 15765-2, classic CAN)
#: "ELM327" versions ELM Electronics never released: clone labels (FORScan t=1575; ELMduino #69)
CLONE_VERSIONS = re.compile(r"\bv(1\.5|2\.[1-9])\b", re.IGNORECASE)

CLONE_ADVICE = (
    "This adapter cannot read the head-unit serial. Use an STN-based adapter (OBDLink "
    "SX/EX/MX+), a vLinker FS, or a PIC18F25K80 clone that passes `g15diag doctor` "
    "(`g15diag help adapters`)."
)

#: the CLI's advice for a command one feature needs (the page's words: lang [advice])
FEATURE_ADVICE = {
    "wide_filter": "{command} is not supported: reads at known addresses work, but `--wide` "
    "needs this filter to hear every answer ID 700-7FF. Search known IDs with `--range` or "
    "`--address`, or use an adapter with a genuine ELM327 v1.3+ or STN chip.",
}


# --- the adapter ------------------------------------------------------------------------

#: (check name, command, required): the adapter commands doctor tests, described once in
#: transport/elm_commands.py (the same table the lowest write allows lines from)
CAPABILITIES: tuple[tuple[str, str, bool], ...] = tuple(
    (c.check, c.probe, c.required) for c in elm_commands.CAPABILITIES
)
_WHAT = {c.check: c.what for c in elm_commands.CAPABILITIES}
#: check name -> its own advice kind when missing (the catalogue's [advice] words it)
_ADVICE = {c.check: c.advice for c in elm_commands.CAPABILITIES if c.advice}


def run_doctor(
    options: AdapterOptions,
    *,
    run: Run | None = None,
    system_checks: bool = True,
) -> DoctorReport:
    """Self-test the ELM327 adapter ``options`` name; never raises for anything the adapter
    does (a UsageError for options that name no ELM327: native CAN, replay). ``run`` as for
    every adapter operation (its traffic and masking; a trace is refused)."""
    if run is not None and run.trace is not None:  # refused before anything is opened
        raise errors.UsageError(
            "doctor does not record a trace (it tests adapter commands, it reads no unit): "
            "give --trace to read-serial, identify or scan."
        )
    with Link(options, run, open_adapter=False) as link:
        return _doctor(link, options.protocol, system_checks)


def _doctor(link: Link, protocol: int, system_checks: bool) -> DoctorReport:
    from g15diag.transport.elm327 import Elm327Transport

    transport = link.transport
    if not isinstance(transport, Elm327Transport):
        raise errors.UsageError(
            "doctor tests ELM327-compatible adapters (--port); a native CAN interface or a "
            "replay: trace has no adapter commands to test."
        )
    port = transport.url
    report = DoctorReport(port=port, simulated=transport.info.simulated)
    if system_checks:
        report.checks += linux_checks(port)
    try:
        transport.open_port()
    except errors.G15DiagError as exc:
        report.checks.append(_fault("port", exc, link.unredacted))
        return report
    report.baud = transport.info.details.get("baud", "")
    try:
        _test_adapter(transport, report, protocol, link.unredacted)
    except errors.G15DiagError as exc:
        report.checks.append(_fault("adapter link", exc, link.unredacted))
    return report


def _fault(name: str, exc: errors.G15DiagError, unredacted: bool) -> Check:
    from g15diag.lang import error_kind

    text = privacy.present(exc, unredacted=unredacted)
    kind = f"error.{error_kind(exc)}"
    return Check(name, MISSING, text, advice=exc.shown_hint or "", kind=kind)


def _ask(transport: Elm327Transport, command: str) -> list[str] | None:
    """The informative lines of an AT/ST answer, or None when the adapter answered '?'."""
    try:
        return elm.check_ok(command, transport.command(command))
    except errors.AdapterUnsupported:
        return None


def _test_adapter(
    transport: Elm327Transport, report: DoctorReport, protocol: int, unredacted: bool
) -> None:
    _ask(transport, "ATD")
    _ask(transport, "ATE0")
    for key in ("ATI", "AT@1", "STI", "STDI"):
        lines = _ask(transport, key)
        if lines:
            report.identity[key] = " ".join(lines)
    report.checks.append(_identity_check(report.identity))
    report.checks.append(_voltage_check(transport, report))
    ok: dict[str, bool] = {}
    for name, template, _ in CAPABILITIES:
        ok[name] = _ask(transport, template.format(protocol=protocol)) is not None
    lacking = [name for name, _, required in CAPABILITIES if required and not ok[name]]
    for name, template, required in CAPABILITIES:
        command = template.format(protocol=protocol)
        detail = f"{command}: {_WHAT[name]}" + ("" if ok[name] else " — answered '?'")
        kind, params = "", {"command": command, "commands": ", ".join(lacking)}
        if ok[name]:
            advice = ""
        elif required:  # one advice line naming every missing command
            advice = f"The adapter lacks {', '.join(lacking)}. {CLONE_ADVICE}"
            kind = "lacks_commands"
        elif name in _ADVICE:  # a command one feature needs (ATCRA7XX: --wide)
            kind = _ADVICE[name]
            advice = FEATURE_ADVICE[kind].format(**params)
        else:
            advice = f"{command} is not supported: reads still work, a little slower."
            kind = "optional_command"
        status = OK if ok[name] else MISSING
        report.checks.append(Check(name, status, detail, required, advice, kind, params))
    if not (ok["ATH1"] and ok["ATSP6/8"] and ok["ATSH"]):
        report.checks.append(
            Check(
                "3-byte request",
                MISSING,
                "not tested: the adapter lacks a command the test needs",
                advice=CLONE_ADVICE,
                kind="clone",
            )
        )
        return
    report.checks += _request_test(transport, unredacted)


def _identity_check(identity: dict[str, str]) -> Check:
    ati = identity.get("ATI", "")
    if not ati:
        return Check("identity", WARNING, "no answer to ATI", required=False)
    if "STI" in identity:
        return Check("identity", OK, f"STN chip: {identity['STI']}", required=False)
    if CLONE_VERSIONS.search(ati):
        return Check(
            "identity",
            WARNING,
            f"{ati!r} is a version ELM Electronics never released: a clone",
            required=False,
            advice="Clone labels say little: trust the command checks below, not the label.",
            kind="clone_label",
        )
    return Check("identity", OK, ati, required=False)


def _voltage_check(transport: Elm327Transport, report: DoctorReport) -> Check:
    lines = _ask(transport, "ATRV")
    text = " ".join(lines or [])
    report.voltage_text = text
    volts = elm.parse_voltage(text)
    if volts is None:
        return Check("voltage", WARNING, "ATRV: no voltage reported", required=False)
    report.voltage = volts
    if volts < LOW_VOLTAGE:
        return Check(
            "voltage",
            WARNING,
            f"{volts:.1f} V at the OBD socket (under {LOW_VOLTAGE:g} V)",
            required=False,
            advice="The battery is low: connect a battery charger before reading (a low "
            "supply resets adapters and units mid-read).",
            kind="low_battery",
        )
    return Check("voltage", OK, f"{volts:.1f} V at the OBD socket", required=False)


def _request_test(transport: Elm327Transport, unredacted: bool) -> list[Check]:
    """Send ``22 F1 90`` to the engine ECU; judge the answer (3-byte request, multi-frame)."""
    name_req, name_mf, name_bus = "3-byte request", "multi-frame answer", "CAN bus"
    command = elm.data_command(VIN_REQUEST, 1)
    try:
        text = transport.command(command)
        if any(line.strip() == "?" for line in elm.clean_lines(text, command)):
            command = elm.data_command(VIN_REQUEST)  # no response-count digit (old clone)
            text = transport.command(command)
        reply = elm.parse_reply(text, command)
        pdus = reply.pdus(ENGINE_RESPONSE)
    except (errors.CanBusError, errors.BusInitError) as exc:
        return [_fault(name_bus, exc, unredacted)]
    except errors.IsoTpError as exc:
        return [
            Check(name_bus, OK, "the engine ECU answered"),
            Check(
                name_mf,
                MISSING,
                f"a multi-frame answer arrived broken: "
                f"{privacy.present(exc, unredacted=unredacted)}",
                advice=CLONE_ADVICE,
                kind="clone",
            ),
        ]
    except errors.AdapterTimeout as exc:
        if exc.received and exc.received.isascii():
            sent = privacy.quote(exc.received[:40], VIN_REQUEST, unredacted=unredacted)
            return [
                Check(name_bus, OK, "the engine ECU answered"),
                Check(
                    name_mf,
                    MISSING,
                    f"the adapter froze after the first frame of a multi-frame answer "
                    f"(it sent {sent}, then nothing)",
                    advice="Unplug the adapter to reset it. " + CLONE_ADVICE,
                    kind="clone_freeze",
                ),
            ]
        raise
    if not pdus:
        return [
            Check(
                name_bus,
                WARNING,
                f"no answer from the engine ECU at 0x{ENGINE_REQUEST:03X} to 22 F1 90",
                required=False,
                advice="Switch the ignition on and run doctor again to complete the request test.",
                kind="ignition",
            ),
            Check(name_req, WARNING, "not tested (nothing answered)", required=False),
        ]
    checks = [Check(name_bus, OK, "the engine ECU answered 22 F1 90")]
    answer = pdus[0]
    try:
        classified = uds.classify(VIN_REQUEST, answer)
    except errors.MalformedResponse:
        checks.append(_truncated(f"the answer {answer[:3].hex(' ').upper()} does not echo F1 90"))
        return checks
    if isinstance(classified, uds.Negative):
        if classified.nrc == uds.INCORRECT_MESSAGE_LENGTH:
            checks.append(_truncated("the ECU called the request the wrong length (NRC 0x13)"))
        else:
            checks.append(
                Check(
                    name_req,
                    WARNING,
                    f"not proven: the ECU refused 22 F1 90 with NRC 0x{classified.nrc:02X}",
                    required=False,
                )
            )
        return checks
    checks.append(Check(name_req, OK, "22 F1 90 arrived whole (the answer echoes F1 90)"))
    if len(answer) > SINGLE_FRAME_MAX:
        checks.append(Check(name_mf, OK, f"{len(answer)}-byte answer arrived complete"))
    return checks


def _truncated(why: str) -> Check:
    return Check(
        "3-byte request",
        MISSING,
        f"the adapter cut 22 F1 90 short: {why}",
        advice="The adapter keeps only 2 bytes of a request ('v1.5'/'v2.1' clone); it "
        "cannot read identifiers. " + CLONE_ADVICE,
        kind="truncated",
    )
