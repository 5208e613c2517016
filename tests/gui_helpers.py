"""Start ``g15diag gui --no-browser`` as a real subprocess and talk HTTP to it."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from g15diag.sim.clock import ENV as SIM_TIME


@dataclass
class Gui:
    proc: subprocess.Popen[str]
    url: str
    port: int
    token: str

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = "",
        host: str | None = None,
        body: object = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes, dict[str, str]]:
        """One raw HTTP request (the token as ?token=, unless ``token`` is None)."""
        token = self.token if token == "" else token
        if token is not None:
            path += ("&" if "?" in path else "?") + f"token={token}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        all_headers = {"Host": host or f"127.0.0.1:{self.port}", **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=all_headers)
        response = conn.getresponse()
        out = response.status, response.read(), dict(response.getheaders())
        conn.close()
        return out

    def stop(self) -> tuple[int, str, str]:
        """Terminate the server (if it still runs) and collect its output."""
        if self.proc.poll() is None:
            self.proc.terminate()
        return self.wait()

    def wait(self) -> tuple[int, str, str]:
        """Wait for the server to stop by itself; its status and output."""
        out, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, out, err


def start_gui(*args: str, wall_clock: bool = False) -> Gui:
    """The page's server; its ``sim://`` ports on simulated time (a silence costs nothing)
    unless ``wall_clock`` (a read that must still be running when the test acts). Ports of
    the test's own pty/TCP simulators keep the wall clock either way."""
    env = dict(os.environ)
    env.pop("G15DIAG_DEBUG", None)
    if not wall_clock:
        env[SIM_TIME] = "simulated"
    proc = subprocess.Popen(
        [sys.executable, "-m", "g15diag", "gui", "--no-browser", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()  # the first line of stdout is the address
    assert url.startswith("http://127.0.0.1:"), (url, proc.stderr.read() if proc.stderr else "")
    parts = urlsplit(url)
    token = parse_qs(parts.query)["token"][0]
    return Gui(proc, url, parts.port or 0, token)
