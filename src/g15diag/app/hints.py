"""What to tell a technician when no head unit answers: the one text every face shows.

The CLI's hint (``errors.NoAnswer``) and the dealer sheet import these steps, in this order
(issue 11, item 6); the local page shows the same steps as buttons (``[[steps]]`` in
:mod:`g15diag.lang`). The first step widens the search to every 11-bit address (issue 19):
the G15's diagnostic address is unknown. Nothing here is verified on a G15: the
multimedia-CAN pins come from its Renault B0 siblings (research: g15_field_evidence.md
section 2), the pre-code display from a Renault Twingo manual (section 1).
"""

from __future__ import annotations


def _wide_minutes() -> int:
    from g15diag.app.wide import wide_minutes

    return wide_minutes()


#: (short title, one sentence) in the order a technician should try them.
NOTHING_ANSWERED_STEPS: tuple[tuple[str, str], ...] = (
    (
        "Every address",
        "The unit may answer at an address no profile lists: run the same command again "
        f"with `--wide` (every request ID 700-7FF at 500 and 250 kbit/s; at most about "
        f"{_wide_minutes()} min).",
    ),
    (
        "Ignition and adapter",
        "Switch the ignition on and run `g15diag doctor` to check the adapter.",
    ),
    (
        "Multimedia CAN",
        "The radio may sit on the multimedia CAN at OBD pins 13 (H) / 12 (L), as on the "
        "Logan 2 / Sandero 2 / Duster; an ELM327 on pins 6/14 needs a crossover cable "
        "(pin mapping in `g15diag help adapters`; unverified for the G15).",
    ),
    (
        "Without OBD",
        "Read the label on the unit or the document card; some Renault-group radios show "
        "their pre-code when buttons 1+6 are held for 2 s (unverified for the G15).",
    ),
    (
        "Help the project",
        "Run `g15diag discover --report report.zip` and send the file, so this car can be "
        "learned (`g15diag help field-guide`).",
    ),
)


def nothing_answered_hint(steps: tuple[tuple[str, str], ...] = NOTHING_ANSWERED_STEPS) -> str:
    """The steps as one hint paragraph (numbered, in order)."""
    return " ".join(f"({n}) {text}" for n, (_title, text) in enumerate(steps, 1))


NOTHING_ANSWERED_HINT = nothing_answered_hint()
#: the steps that still fit when the unit answered but gave no serial (by position: the
#: translations follow the same order): the non-OBD routes and the field report
WHEN_ANSWERED = (3, 4)
#: after a --wide search found nothing: the same steps without the one just taken
WIDE_DONE_HINT = nothing_answered_hint(NOTHING_ANSWERED_STEPS[1:])
