"""Diagnostic sessions, sans I/O: the four volatile session requests and the rule for them.

Field tools identify Renault-group and Nissan units only inside a diagnostic session:
ddt4all sends ``10 03`` (UDS) or ``10 C0`` (Renault KWP-on-CAN) first, openpilot ``10 81``
(KWP standard session) before Nissan's ``21 83`` (research: g15_field_evidence.md,
renault_nissan_addressing.md section 1.3 and 2.1). A session is volatile: it changes no lock
state and the unit falls back by itself after S3 (about 5 s).

:class:`SessionRule` is the stateful half of the read-only rule (the stateless half, exactly
four two-byte requests, is in :mod:`g15diag.protocol.guard`): a session may be entered only
after the unit at the current address refused a read in its default session, only one at a
time, and whoever enters one must leave it (``10 01``, or ``10 81`` after a KWP session).
"""

from __future__ import annotations

import collections
import enum

from g15diag.errors import ReadOnlyViolation

SESSION_CONTROL = 0x10
UDS_DEFAULT = bytes([SESSION_CONTROL, 0x01])
UDS_EXTENDED = bytes([SESSION_CONTROL, 0x03])
KWP_STANDARD = bytes([SESSION_CONTROL, 0x81])
KWP_AFTER_SALES = bytes([SESSION_CONTROL, 0xC0])

#: Every session request the tool may ever send: two bytes each, nothing else.
SESSION_REQUESTS = frozenset({UDS_DEFAULT, UDS_EXTENDED, KWP_STANDARD, KWP_AFTER_SALES})

#: A refusal in the default session that may mean "not in this session" (issue 11):
#: serviceNotSupportedInActiveSession (0x7F, UDS), KWP's 0x80 (same meaning),
#: conditionsNotCorrect (0x22), serviceNotSupported (0x11), subFunctionNotSupported /
#: KWP invalidFormat (0x12), requestOutOfRange (0x31).
ENTRY_NRCS = frozenset({0x7F, 0x80, 0x22, 0x11, 0x12, 0x31})


class Session(enum.Enum):
    """The session a value was read in. ``value`` is the stable JSON spelling."""

    DEFAULT = "default"
    UDS_EXTENDED = "uds_extended"
    KWP_AFTER_SALES = "kwp_after_sales"
    KWP_STANDARD = "kwp_standard"

    @property
    def request(self) -> bytes | None:
        """The request that enters this session (None: the default session is never asked)."""
        return _ENTER.get(self)

    @property
    def exit_request(self) -> bytes | None:
        """The request that returns the unit to its default session afterwards."""
        if self is Session.DEFAULT:
            return None
        return UDS_DEFAULT if self is Session.UDS_EXTENDED else KWP_STANDARD

    @property
    def label(self) -> str:
        """For people: ``extended (10 03)`` (the one English naming of the sessions)."""
        return self.label_in(self.word)

    @property
    def word(self) -> str:
        """The session's English name alone: ``extended``."""
        return _WORDS[self]

    def label_in(self, word: str) -> str:
        """``word`` followed by the request that enters the session: ``расширенный (10 03)``."""
        request = self.request
        return word if request is None else f"{word} ({request[0]:02X} {request[1]:02X})"

    @classmethod
    def from_text(cls, text: str) -> Session:
        """``default``, ``10 03``, ``10C0``, ``10 81`` or a JSON value -> Session."""
        squashed = text.replace(" ", "").upper()
        for session in cls:
            request = session.request
            if text == session.value or (request is not None and squashed == request.hex().upper()):
                return session
        raise ValueError(f"not a session: {text!r} (default, 10 03, 10 C0 or 10 81)")


_ENTER = {
    Session.UDS_EXTENDED: UDS_EXTENDED,
    Session.KWP_AFTER_SALES: KWP_AFTER_SALES,
    Session.KWP_STANDARD: KWP_STANDARD,
}
#: English words; translations (the dealer sheet) key theirs by ``Session.value``.
_WORDS = {
    Session.DEFAULT: "default",
    Session.UDS_EXTENDED: "extended",
    Session.KWP_AFTER_SALES: "Renault after-sales",
    Session.KWP_STANDARD: "KWP standard",
}


_BY_REQUEST = {request: session for session, request in _ENTER.items()}


class SessionRule:
    """Which session request may go out next, for one address at a time (no I/O).

    Every transport owns one and runs :meth:`check_send` on each request in its final
    ``send`` (after the stateless guard), so the rule holds at the lowest write whoever
    sends; the client feeds it what the unit answered (:meth:`note_refusal`).
    """

    def __init__(self) -> None:
        self.permitted = False
        self.active: Session | None = None  # entered (or possibly entered) and not yet left
        #: session requests check_send admitted that have not reached the wire yet
        self.unwritten: collections.Counter[bytes] = collections.Counter()

    def check_wire(self, pdu: bytes, *, consume: bool = False) -> None:
        """The lowest write's re-check: a session request reaches the wire only as one that
        :meth:`check_send` admitted and that was not written yet (``consume``: this write
        is the one); anything else of 0x10 (written without ``send``) is refused."""
        if pdu[:1] != bytes([SESSION_CONTROL]):
            return
        if self.unwritten[bytes(pdu)] <= 0:
            raise ReadOnlyViolation(
                f"Refused {pdu.hex(' ').upper()} at the lowest write: a session request goes "
                "out only through send(), after the unit refused a read in its default "
                "session. Nothing was sent."
            )
        if consume:
            self.written(pdu)

    def written(self, pdu: bytes) -> None:
        """``pdu`` (admitted by :meth:`check_send`) has been written: it is used up."""
        if self.unwritten[bytes(pdu)] > 0:
            self.unwritten[bytes(pdu)] -= 1

    def note_refusal(self, nrc: int | None, request: bytes) -> None:
        """A default-session read was refused with ``nrc`` (None: silence)."""
        if self.active is not None:
            return
        silent_block = nrc is None and request == bytes([0x21, 0x80])
        if silent_block or (nrc is not None and nrc in ENTRY_NRCS):
            self.permitted = True

    def check_send(self, pdu: bytes) -> None:
        """Admit ``pdu`` by the rule (anything but 0x10 passes); raise ReadOnlyViolation."""
        if pdu[:1] != bytes([SESSION_CONTROL]):
            return
        if self.active is None:
            session = _BY_REQUEST.get(bytes(pdu))
            if session is None:
                raise ReadOnlyViolation(
                    f"Refused {pdu.hex(' ').upper()}: a return to the default session is sent "
                    "only to leave a session the tool entered. Nothing was sent."
                )
            self.enter(session)
        elif bytes(pdu) == self.active.exit_request:
            self.leave()
        else:
            raise ReadOnlyViolation(
                f"Refused {pdu.hex(' ').upper()}: the unit is in the {self.active.label} "
                "session, which is left first. Nothing was sent."
            )
        self.unwritten[bytes(pdu)] += 1

    def enter(self, session: Session) -> bytes:
        """The request entering ``session``; refused unless a default read was refused."""
        request = session.request
        if request is None:
            raise ReadOnlyViolation("The default session is never requested; leave instead.")
        if self.active is not None:
            raise ReadOnlyViolation(
                f"Refused {request.hex(' ').upper()}: the unit is still in the "
                f"{self.active.label} session. Nothing was sent."
            )
        if not self.permitted:
            raise ReadOnlyViolation(
                f"Refused {request.hex(' ').upper()}: a session is entered only after the unit "
                "refused a read in its default session. Nothing was sent."
            )
        self.active = session
        return request

    def not_entered(self) -> None:
        """The unit refused the session request: there is nothing to leave."""
        self.active = None

    def leave(self) -> bytes | None:
        """The request returning to the default session, or None when none is active."""
        session, self.active = self.active, None
        return session.exit_request if session is not None else None

    def new_address(self) -> None:
        """The next requests go to another unit: nothing may be left open, permission resets."""
        if self.active is not None:
            raise ReadOnlyViolation(
                f"Refused to change address while the unit is in the {self.active.label} "
                "session: leave it first."
            )
        self.permitted = False
