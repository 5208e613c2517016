"""Issue 17 item 4: the CAN vocabulary, the ELM327 command set, response codes and
identifiers are each described once, and every other module imports them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from g15diag.app import doctor
from g15diag.protocol import can
from g15diag.transport import elm_commands
from g15diag.transport.elm327 import Elm327Transport

SRC = Path(__file__).resolve().parent.parent / "src" / "g15diag"
VOCABULARY = {"Target", "Traffic", "TrafficLog", "FrameListener", "can_id_text", "Frame", "Line"}


def sources() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def imports_from(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == module
        for alias in node.names
    }


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(SRC)))
def test_the_can_vocabulary_comes_from_protocol_can(path: Path) -> None:
    if path.relative_to(SRC).as_posix() in ("transport/base.py", "protocol/can.py"):
        return
    for module in ("g15diag.transport.base", "g15diag.protocol.elm", "g15diag.transport"):
        assert not imports_from(path, module) & VOCABULARY, (path, module)


# one-line shapes of the things issue 17 found restated: CAN-ID text and the bit-rate table
RESTATED = {
    "CAN-ID text": re.compile(r":0?3X\}.{0,12}(<=|>) ?0x7FF|0x7FF else f"),
    "bit-rate table": re.compile(r"\{\s*6: 500_000|\(False, 500_000\): 6"),
    "diagnostic-ID range": re.compile(r"\(0x18DA, 0x18DB\)"),
    "sheet formats": re.compile(r'\("text", "json", "csv"'),
    "default profile": re.compile(r'DEFAULT_PROFILE = "'),
}
#: the one module that holds each
HOME = {"sheet formats": "app/export/__init__.py", "default profile": "vehicles/profiles.py"}


@pytest.mark.parametrize("what", list(RESTATED))
def test_nothing_restates_what_protocol_can_holds(what: str) -> None:
    found = [
        f"{path.relative_to(SRC)}:{n}"
        for path in sources()
        if path.relative_to(SRC).as_posix() != HOME.get(what, "protocol/can.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if RESTATED[what].search(line)
    ]
    assert found == [], f"{what} restated outside {HOME.get(what, 'protocol/can.py')}: {found}"


def test_identifiers_are_named_in_protocol_only() -> None:
    literal = re.compile(r"\b0x(F18C|F190|F187)\b", re.IGNORECASE)
    found = [
        f"{path.relative_to(SRC)}:{n}"
        for path in sources()
        if not path.relative_to(SRC).as_posix().startswith(("protocol/", "sim/"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if literal.search(line.split("#")[0]) and '"' not in line and "'" not in line
    ]
    assert found == []


def test_bit_rate_table() -> None:
    assert dict(can.PROTOCOL_BITRATES) == {6: 500_000, 7: 500_000, 8: 250_000, 9: 250_000}
    assert [can.protocol_for(x, r) for x in (False, True) for r in can.BITRATES] == [6, 8, 7, 9]
    assert can.protocol_for(False, 125_000) is None
    assert can.id_text(0x18DAF110, spaced=True) == "18 DA F1 10"
    assert can.can_id_text(0x767) == "0x767"


@pytest.mark.parametrize("command", elm_commands.COMMANDS, ids=lambda c: c.template)
def test_every_command_line_fits_its_own_shape(command: elm_commands.ElmCommand) -> None:
    """The table drives the transport's lines and the allowlist: they cannot drift apart."""
    values = {
        "{:X}": (6,),
        "{:03X}": (0x747,),
        "{:06X}": (0xDA10F1,),
        "{:02X}": (0x18,),
        "{:08X}": (0x18DAF110,),
    }
    field = re.search(r"\{[^}]*\}", command.template)
    line = command.line(*values[field.group(0)]) if field else command.line()
    assert re.fullmatch(command.shape, line), (line, command.shape)
    elm_commands.check_command(line)


def test_doctor_tests_the_table_s_capabilities() -> None:
    assert (
        tuple((c.check, c.probe, c.required) for c in elm_commands.CAPABILITIES)
        == doctor.CAPABILITIES
    )
    assert [c for c, _, _ in doctor.CAPABILITIES] == [
        "ATH1", "ATS0", "ATSP6/8", "ATSH", "ATCRA", "ATCRA7XX", "ATFC SH", "ATFC SD", "ATFC SM",
        "ATST",
    ]  # fmt: skip


def test_every_at_line_the_transport_sends_is_in_the_table() -> None:
    from g15diag.protocol.can import Target

    sent: list[str] = []
    for protocol, target in ((6, Target(0x712, 0x732)), (7, Target(0x18DA60F1, 0x18DAF160))):
        with Elm327Transport("sim://", protocol=protocol) as elm:
            elm.set_target(target)
            elm.adapter_identity()
        sent += elm.commands_sent
    assert "ATCP18" in sent and "ATSHDA60F1" in sent
    shapes = [re.compile(c.shape) for c in elm_commands.COMMANDS]
    for line in sent:
        if line.startswith("AT"):
            assert any(s.fullmatch(line) for s in shapes), line


def test_one_translation_catalogue_serves_page_and_sheet() -> None:
    """Issue 17 item 4: one file per language; the words both faces say are said once, and
    both languages have the same keys in every table."""
    from g15diag.app.export.i18n import words
    from g15diag.gui.app import page_words
    from g15diag.lang import LANGS, catalogue

    lang_dir = SRC / "lang"
    assert sorted(p.name for p in lang_dir.glob("*.toml")) == [f"{lang}.toml" for lang in LANGS]
    assert not list(SRC.rglob("*/lang/*.toml"))  # no second catalogue anywhere
    en, ru = catalogue("en"), catalogue("ru")
    for table in ("words", "page", "sheet", "lookalikes"):
        assert set(en[table]) == set(ru[table]), table
    for lang in LANGS:
        shared = catalogue(lang)["words"]
        assert not set(shared) & set(catalogue(lang)["page"]) & set(catalogue(lang)["sheet"])
        for key, text in shared.items():
            assert page_words(lang)[key] == words(lang)[key] == text


def test_one_name_per_class() -> None:
    """Issue 17 item 4: no two classes of the tool share a name (pyserial's URL handlers must
    be called ``Serial``; private classes are each module's own)."""
    names: dict[str, list[str]] = {}
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                names.setdefault(node.name, []).append(str(path.relative_to(SRC)))
    twice = {name: where for name, where in names.items() if len(where) > 1}
    assert twice == {"Serial": ["sim/protocol_sim.py", "transport/ble/protocol_ble.py"]}
