"""An independent ELM327 behind the Bluetooth LE model: the third-party ELM327-emulator
(PyPI ``ELM327-emulator``, Ircama) on a pseudo-terminal as the far end of the GATT UART, so
the BLE path is not only tested against the project's own simulator.

Skipped where the emulator is not installed (it is an optional test dependency,
``pip install .[emulator]``: CC-BY-NC-SA-4.0, so not in the ``test`` extra) or where there
are no pseudo-terminals (Windows).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator

import pytest

from ble_model import Peripheral, PtyElm, installed

elm = pytest.importorskip("elm", reason="ELM327-emulator is not installed")
if os.name == "nt":
    pytest.skip("ELM327-emulator serves a pseudo-terminal (POSIX only)", allow_module_level=True)

#: a fictional serial the emulator is taught to give (not the project simulator's)
EMULATED_SERIAL = b"EMU1TEST2345678X"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The emulator running on a pty (its path); DID F18C taught to the unit at 747. One
    per module."""
    from elm.obd_message import ELM_FOOTER, PA

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    emu = elm.Elm(batch_mode=True)
    emu.ObdMessage["default"]["G15_SERIAL_FOR_TEST"] = {
        "Request": "^22F18C" + ELM_FOOTER,
        "Descr": "fictional head-unit serial (g15diag test)",
        "Header": "747",
        "Response": PA(EMULATED_SERIAL.hex(" ").upper()),
    }
    emu.set_sorted_obd_msg()
    # its own logging set-up would write elm.log and disable every other logger: give it a
    # configuration that does neither
    quiet = tmp_path_factory.mktemp("elm-emulator") / "logging.yaml"
    quiet.write_text("version: 1\ndisable_existing_loggers: false\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ELM_LOG_CFG", str(quiet))
        patch.chdir(quiet.parent)
        with emu:
            deadline = time.monotonic() + 5
            while emu.slave_name is None and time.monotonic() < deadline:
                time.sleep(0.01)
            assert emu.slave_name, "the emulator did not start"
            yield emu.slave_name
            # its reader blocks on the pty: told it stops, the emulator closes the pty (the
            # read ends) instead of waiting a second to join the reader
            emu.threadState = emu.THREAD.STOPPED
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


CASES = {
    "vgate-by-name": ("IOS-Vlink", "D0:12:34:56:78:9A", "vgate", "ble://IOS-Vlink"),
    "vgate-by-address": ("IOS-Vlink", "D0:12:34:56:78:9A", "vgate", "ble://D0:12:34:56:78:9A"),
    "fff0": ("OBDII", "11:22:33:44:55:66", "fff0", "ble://OBDII"),
    "ffe0": ("OBDBLE", "22:33:44:55:66:77", "ffe0", "ble://OBDBLE"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_read_serial_from_an_independent_elm327_over_ble(case: str, emulator: str, run_cli) -> None:
    name, address, layout, port = CASES[case]
    device = Peripheral(name, address, layout=layout, far_end=lambda: PtyElm(emulator))
    with installed(device):
        # the emulator answers a unit at 747 from 74F (its own convention)
        code, out, _ = run_cli("read-serial", "--port", port, "--address", "747:74F",
                               "--timeout", "1")  # fmt: skip
    assert code == 0, out
    assert f"Head-unit serial number: {EMULATED_SERIAL.decode()}\n" in out
    assert f"  adapter      elm327 on {port}\n" in out  # no ATI for a serial (issue 20)
    assert "SIMULATED" not in out  # the emulator does not carry the simulator's mark
    assert device.writes and all(len(chunk) <= 20 for chunk, _ in device.writes)


def test_doctor_with_an_independent_elm327_over_ble(emulator: str, run_cli) -> None:
    device = Peripheral("OBDII", "11:22:33:44:55:66", layout="fff0",
                        far_end=lambda: PtyElm(emulator))  # fmt: skip
    with installed(device):
        code, out, _ = run_cli("doctor", "--port", "ble://OBDII", "--timeout", "1")
    assert out.startswith("Adapter self-test on ble://OBDII\n")
    assert "  ATI                ELM327 v1.5\n" in out
    assert "  ATCRA              ok " in out and "  ATFC SM            ok " in out
    assert code == 0  # usable (with limits: the emulator's engine ECU does not know 22 F1 90)
