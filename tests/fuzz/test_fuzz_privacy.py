"""Fuzz the log masking: it runs on every -v line and every error report, so it must never
raise, and a serial/VIN answer must never come out readable."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from g15diag.app.privacy import TrafficRedactor, mask_text
from g15diag.protocol import elm, isotp

SENSITIVE = ["22F18C1", "22F1901", "09021", "21801", "21811", "22F18C", "0902"]
direction = st.sampled_from([">", "<"])
line = st.one_of(
    st.text(max_size=60),
    st.sampled_from(SENSITIVE),
    st.binary(max_size=12).map(lambda b: b.hex().upper()),
)


@given(st.lists(st.tuples(direction, line), max_size=20))
def test_redactor_never_raises(lines: list[tuple[str, str]]) -> None:
    redactor = TrafficRedactor()
    for d, text in lines:
        assert isinstance(redactor(d, text), str)


@given(st.text(max_size=120))
def test_mask_text_never_raises(text: str) -> None:
    assert isinstance(mask_text(text), str)


@given(
    st.sampled_from(["22F18C1", "22F1901", "09021", "21801"]),
    st.binary(min_size=5, max_size=40),
    st.one_of(st.none(), st.integers(0, 255)),
    st.booleans(),
)
def test_secret_never_readable_in_traffic(
    command: str, secret: bytes, pad: int | None, spaces: bool
) -> None:
    """Whatever the answer's data, no byte of it after the echo survives in the -v line."""
    request = bytes.fromhex(command[: len(command) // 2 * 2])
    echo = bytes([request[0] + 0x40]) + request[1:]
    frames = [elm.Frame(0x7A8, f) for f in isotp.segment(echo + secret, pad)]
    text = elm.frames_text(frames, spaces).replace("\r", "\\r") + "\\r\\r>"
    redactor = TrafficRedactor()
    redactor(">", command)
    out = redactor("<", text)
    total = sum(len(f.data) for f in frames)
    pci = sum(1 if f.data[0] >> 4 != 1 else 2 for f in frames)
    assert out.count("**") == total - pci - len(echo)  # everything but PCI and echo
