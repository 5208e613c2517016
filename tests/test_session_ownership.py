"""Issue 18: the session rule's state is the transport's own. Through the API a caller could
call ``transport.sessions.note_refusal(...)`` and then ``send(b"\\x10\\x03")`` put 10 03 on the
wire with no refusal before it; now only what the transport itself received feeds the rule."""

from __future__ import annotations

import pytest

from g15diag import errors
from g15diag.app.adapter import AdapterOptions, make_transport
from g15diag.transport.base import Target

HU = Target(0x747, 0x767)


def test_no_caller_can_grant_a_session() -> None:
    with make_transport(AdapterOptions(port="sim://")) as transport:
        transport.set_target(HU)
        assert not hasattr(transport, "sessions")
        assert not any("note_refusal" in name for name in dir(transport))
        with pytest.raises(AttributeError):
            transport.session_permitted = True  # type: ignore[misc]
        with pytest.raises(errors.ReadOnlyViolation):
            transport.send(b"\x10\x03")
        log = transport._port.stream.adapter.commands  # type: ignore[union-attr]
        assert not any(line.startswith("1003") for line in log)


def test_a_refusal_the_transport_received_permits_and_the_exit_follows() -> None:
    with make_transport(AdapterOptions(port="sim://")) as transport:
        transport.set_target(HU)
        transport.send(b"\x22\xfe\xfe")
        assert transport.session_permitted is False  # sent, not yet answered
        assert transport.receive(1.0) == b"\x7f\x22\x31"
        assert transport.session_permitted is True
        transport.send(b"\x10\x03")
        assert transport.receive(1.0) is not None
        assert transport.session_active is not None
        log = transport._port.stream.adapter.commands  # type: ignore[union-attr]
    assert [line[:4] for line in log if line.startswith("10")] == ["1003", "1001"]
