"""The errors an ELM327 port or a silent/odd adapter turns into: one sentence and a hint."""

from __future__ import annotations

from g15diag import errors
from g15diag.protocol.visible import visible
from g15diag.transport.elm_commands import request_of


def no_prompt(
    url: str, timeout: float, seen: bytes, command: str, id_bits: int = 11
) -> errors.AdapterTimeout:
    """The error for a reply that never reached the prompt, by what did arrive (kept raw in
    an :class:`errors.Quote`: a face masks it as ``-v`` does)."""
    text = seen.decode("ascii", "replace").strip()
    request = request_of(command)
    data = request is not None
    shown = errors.Quote(text, request, command, id_bits)
    if not text:
        return errors.AdapterTimeout(
            message=f"The adapter on {url} did not answer within {timeout:g} s."
        )
    if not seen.isascii():
        return errors.AdapterTimeout(
            received=text,
            message=f"The adapter on {url} sent line noise ({len(seen)} unreadable byte(s)) and no "
            f"prompt within {timeout:g} s.",
            hint="The serial speed is probably wrong: try --baud auto. Otherwise check the "
            "cable and connector.",
        )
    if data:
        return errors.AdapterTimeout(
            received=text,
            message=(
                f"The adapter on {url} stopped in the middle of an answer and gave no "
                f"'>' prompt within {timeout:g} s (it sent ",
                shown,
                ").",
            ),
            hint="Cheap clones freeze on multi-frame answers. Unplug the adapter to reset it, "
            "then run `g15diag doctor` (`g15diag help adapters`).",
        )
    return errors.AdapterTimeout(
        received=text,
        message=(
            f"The adapter on {url} answered without its '>' prompt within {timeout:g} s (it sent ",
            shown,
            ").",
        ),
        hint="Without the prompt the tool cannot tell when an answer ends: this is not a "
        "working ELM327-compatible adapter, or the wrong port. Run `g15diag doctor`.",
    )


def check_device(url: str) -> None:
    """A device path that exists must be a serial device: a regular file, a folder or a FIFO
    named as ``--port`` is refused from its ``stat`` (never opened, so never changed)."""
    import os
    import stat

    if "://" in url:
        return
    try:
        mode = os.stat(url).st_mode
    except (OSError, ValueError):  # not there (pyserial says so), or COMn on Windows
        return
    if not stat.S_ISCHR(mode):
        raise errors.UsageError(
            f"Bad port: {visible(url)[:60]} is not a serial device (it is a file or a folder); "
            "name the adapter's port, e.g. /dev/ttyUSB0 or COM3."
        )


def port_error(url: str, exc: BaseException) -> errors.PortError:
    text = str(exc)
    if "Permission denied" in text or isinstance(exc, PermissionError):
        return errors.PortError(
            f"No permission to open {url}.",
            hint="On Linux add yourself to the 'dialout' group (sudo usermod -aG dialout $USER),"
            " then log out and in again.",
        )
    # pyserial says "could not open port X: [Errno 16] Device or resource busy": busy is
    # tested before the generic "could not open port", or a busy port reads as a missing one
    if "busy" in text.lower() or getattr(exc, "errno", None) == 16:
        return errors.PortError(
            f"{url} is busy: another program has it open.",
            hint="Close other diagnostic apps (and on Linux check that brltty is not installed).",
        )
    if (
        "No such file" in text
        or "could not open port" in text
        or isinstance(exc, FileNotFoundError)
    ):
        return errors.PortError(
            f"Cannot open {url}: no such port.",
            hint="Run `g15diag adapters` to list ports; check the cable or Bluetooth pairing.",
        )
    if "Connection refused" in text or "timed out" in text:
        return errors.PortError(
            f"Cannot connect to {url}.",
            hint="Join the adapter's Wi-Fi network first; the usual address is "
            "socket://192.168.0.10:35000.",
        )
    return errors.PortError(f"Cannot open {url}: {text}.")
