"""The one catalogue (g15diag/lang): page and sheet words, errors and advice by kind."""

from __future__ import annotations

import re
from typing import Any

import pytest

from g15diag import errors
from g15diag.lang import INTERNAL, catalogue, error_kind, page_words
from g15diag.transport import elm_commands

#: words that stay as they are in Russian text (names, standards, commands of the adapter)
LATIN_OK = {
    "OBD",
    "CAN",
    "ELM327",
    "STN",
    "OBDLink",
    "SX",
    "EX",
    "MX",
    "vLinker",
    "FS",
    "PIC18F25K80",
    "Logan",
    "Sandero",
    "Duster",
    "Renault",
    "G15",
    "VIN",
    "USB",
    "Bluetooth",
    "brltty",
    "H",
    "L",
    "v1",
    "v2",
    "B",
    "g15diag",
    "Wi",
    "Fi",
    "socket",
    "dev",
    "rfcomm0",
    "zip",
    "PDF",
    "KWP",
    "I",
    "O",
    "Q",
    "hex",
    "STS",
    "UDS",
    "ECU",
    "ATRV",
    "ATI",
    "Nissan",
    "Almera",
    "I/O/Q",
    "kbit",
    "LE",
    "iPhone",
    "DATA",
    "ERROR",
    "x",
    "V",
    "km",
    "B0",
    "F18C",
    "v1.5",
    "v2.1",
}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() if k != "action" for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _keys(value: Any, prefix: str = "") -> set[str]:
    if isinstance(value, dict):
        return {k for key, v in value.items() for k in _keys(v, f"{prefix}.{key}")} | {prefix}
    if isinstance(value, list):
        return {k for n, v in enumerate(value) for k in _keys(v, f"{prefix}[{n}]")}
    return {prefix}


def test_both_languages_carry_the_same_keys() -> None:
    assert _keys(catalogue("en")) - {".sessions", ".guidance"} == {
        k for k in _keys(catalogue("ru")) if not k.startswith((".sessions", ".guidance"))
    }


def test_common_words_are_not_repeated_in_page_or_sheet() -> None:
    data = catalogue("en")
    assert not set(data["words"]) & set(data["sheet"])
    assert not set(data["words"]) & set(data["page"])


def _error_classes() -> list[type[errors.G15DiagError]]:
    found: list[type[errors.G15DiagError]] = []
    todo: list[type[errors.G15DiagError]] = [errors.G15DiagError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo += cls.__subclasses__()
    return found


def test_every_error_class_has_a_page_sentence() -> None:
    import g15diag.gui.worker
    import g15diag.vehicles.profiles  # noqa: F401  (ProfileError)

    for cls in _error_classes():
        if cls is errors.G15DiagError:
            continue
        assert error_kind(cls.__new__(cls)) != INTERNAL, cls
    assert error_kind(ValueError()) == INTERNAL
    assert error_kind(errors.PendingTimeout("x")) == "PendingTimeout"
    assert error_kind(errors.PortError("x")) == "PortError"


def test_every_advice_kind_the_checks_use_is_translated() -> None:
    from pathlib import Path

    import g15diag.app

    root = Path(g15diag.app.__file__).parent
    source = (root / "doctor.py").read_text() + (root / "host_checks.py").read_text()
    kinds = set(re.findall(r'kind="([a-z_]+)"', source))
    kinds |= {c.advice for c in elm_commands.CAPABILITIES if c.advice}  # e.g. wide_filter
    kinds |= set(re.findall(r'kind = "([a-z_]+)"', source))
    assert kinds >= {"lacks_commands", "clone", "low_battery", "port_busy", "wide_filter"}
    for lang in ("en", "ru"):
        assert kinds <= set(page_words(lang)["doctor_advice"]), kinds - set(
            page_words(lang)["doctor_advice"]
        )


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_page_names_no_command_to_type(lang: str) -> None:
    words = page_words(lang)
    for text in _strings({k: v for k, v in words.items() if k != "lookalikes"}):
        command = re.search(
            r"g15diag (doctor|discover|help|read-serial|scan|identify|export)", text
        )
        assert not command and "`" not in text and "--" not in text, text


def test_the_russian_page_has_no_english_sentence() -> None:
    words = page_words("ru")
    for text in _strings({k: v for k, v in words.items() if k != "lookalikes"}):
        # placeholders, hex IDs and example ports are not words
        plain = re.sub(r"\b[0-9A-F]{3}\b|\{\w+\}|[a-z]+://\S+|/dev/\S+", "", text)
        found = re.findall(r"[A-Za-z][A-Za-z0-9]*(?:\.[0-9]+)?", plain)
        latin = [w for w in found if w not in LATIN_OK]
        assert not latin, (latin, text)
