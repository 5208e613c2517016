// g15diag gui: plain JavaScript, no build step. Every request carries the per-run token.
"use strict";
(function () {
  const config = JSON.parse(document.getElementById("config").textContent);
  const $ = (id) => document.getElementById(id);
  let lang = config.lang;
  let stopped = false;
  const w = (key) => config.words[lang][key];
  const url = (path, extra) => {
    const query = new URLSearchParams(Object.assign({ token: config.token }, extra || {}));
    return path + "?" + query.toString();
  };

  function post(path, body) {
    return fetch(url(path), {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-G15-Token": config.token },
      body: JSON.stringify(body || {}),
    });
  }

  function setLang(code) {
    lang = code;
    document.documentElement.lang = code;
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = w(el.dataset.t); });
    document.querySelectorAll(".lang").forEach((el) => {
      el.setAttribute("aria-pressed", String(el.dataset.lang === code));
    });
    fillAdapters();
    if (lastResult) showResult(lastResult);
    if (lastError) showError(lastError);
    if (lastDoctor) showDoctor(lastDoctor);
    links();
  }

  function fillAdapters(wanted) {
    const select = $("adapter");
    const chosen = wanted || select.value || config.port;
    select.textContent = "";
    for (const a of config.adapters) {
      const option = document.createElement("option");
      option.value = a.port;
      option.textContent = a.kind === "simulator" ? w("simulator") : a.label;
      select.appendChild(option);
    }
    const ble = document.createElement("option");
    ble.value = BLE_SEARCH;
    ble.textContent = w("ble_search");
    select.appendChild(ble);
    const other = document.createElement("option");
    other.value = "";
    other.textContent = w("other_port");
    select.appendChild(other);
    select.value = chosen;
    if (select.value !== chosen) { select.value = ""; $("other").value = chosen; }
    $("other").hidden = select.value !== "";
  }

  function port() {
    return $("adapter").value || $("other").value.trim();
  }

  // "Search Bluetooth LE" in the adapter list: listen a few seconds, then list what was heard.
  const BLE_SEARCH = "ble-search";
  let beforeSearch = config.port;

  function bleFound(entries) {
    const known = new Set(config.adapters.map((a) => a.port));
    const fresh = entries.filter((a) => !known.has(a.port));
    const at = config.adapters.findIndex((a) => a.kind === "simulator");
    config.adapters.splice(at < 0 ? config.adapters.length : at, 0, ...fresh);
    fillAdapters(entries.length ? entries[0].port : beforeSearch);
    beforeSearch = port();
    $("ble-none").hidden = entries.length > 0;
  }

  function showError(error) {
    lastError = error;
    $("error").hidden = !error;
    if (!error) return;
    $("error-message").textContent = error.message;
    $("error-hint").textContent = error.nothing_answered ? w("guidance").join(" ") :
      (error.hint || "—");
  }

  let lastResult = null;
  let lastError = null;
  let lastDoctor = null;

  function showResult(r) {
    lastResult = r;
    $("result").hidden = false;
    $("simulated").hidden = !r.simulated;
    const serial = $("serial");
    serial.textContent = "";
    const legend = $("legend");
    legend.textContent = "";
    const seen = {};
    for (const c of r.cells) {
      const cell = document.createElement("div");
      cell.className = "cell" + (c.lookalike ? " look" : "");
      const ch = document.createElement("span");
      ch.className = "ch";
      ch.textContent = c.char;
      const pos = document.createElement("span");
      pos.className = "pos";
      pos.textContent = String(c.position);
      cell.append(ch, pos);
      if (c.lookalike) cell.title = w("lookalikes")[c.char];
      serial.appendChild(cell);
      if (c.lookalike) (seen[c.char] = seen[c.char] || []).push(c.position);
    }
    for (const [ch, positions] of Object.entries(seen)) {
      const li = document.createElement("li");
      li.textContent = ch + " = " + w("lookalikes")[ch] + " (" +
        w(positions.length === 1 ? "position" : "positions") + " " + positions.join(", ") + ")";
      legend.appendChild(li);
    }
    $("serial-text").textContent = r.serial === null ? w("serial_none") :
      r.serial + " (" + r.serial.length + ")";
    $("reads").textContent = r.reads === null ? "—" : String(r.reads);
    $("source").textContent = w("source_note").replace("{ident}", r.identifier)
      .replace("{addr}", r.address).replace("{rate}", r.rate === null ? "?" : String(r.rate));
    $("vin").textContent = r.vin || w("vin_none");
    $("mismatch").hidden = !r.vin_mismatch;
    $("mismatch").textContent = w("mismatch").replace("{other}", r.vin_head_unit || "");
    $("part").textContent = r.part_number || w("part_none");
    $("voltage").textContent = r.voltage === null ? w("voltage_none") :
      r.voltage.toFixed(1).replace(".", lang === "ru" ? "," : ".") + (lang === "ru" ? " В" : " V");
    $("voltage-low").hidden = r.voltage === null || r.voltage >= 12;
  }

  function links() {
    $("pdf").href = url("/sheet.pdf", { lang: lang });
    $("session").href = url("/session.json");
  }

  function busy(on) {
    $("read").disabled = on;
    $("doctor").disabled = on;
    $("progress").hidden = !on;
  }

  async function poll() {
    const response = await fetch(url("/api/status"));
    const job = await response.json();
    if (job.state === "running") {
      const last = job.progress[job.progress.length - 1];
      $("progress-text").textContent = job.kind === "ble" ? w("ble_searching") :
        job.kind === "doctor" ? w("doctor_running") :
        (last ? w("searching").replace("{address}", last.address).replace("{rate}", last.rate)
          .replace("{rung}", last.rung).replace("{attempt}", last.attempt)
          .replace("{attempts}", last.attempts) : w("reading"));
      setTimeout(poll, 250);
      return;
    }
    busy(false);
    showError(job.error);
    if (job.state !== "done") return;
    if (job.kind === "read") showResult(job.result);
    if (job.kind === "doctor") showDoctor(job.result);
    if (job.kind === "ble") bleFound(job.result);
  }

  function showDoctor(report) {
    lastDoctor = report;
    const box = $("doctor-result");
    box.hidden = false;
    box.textContent = "";
    const verdict = document.createElement("p");
    verdict.className = "verdict" + (report.usable ? "" : " warn");
    const verdicts = { "usable": "verdict_usable", "usable with limits": "verdict_limited",
      "not usable": "verdict_not_usable" };
    verdict.textContent = w("verdict") + ": " + w(verdicts[report.verdict] || "verdict_not_usable");
    box.appendChild(verdict);
    for (const line of report.advice) {
      const p = document.createElement("p");
      p.textContent = line;
      box.appendChild(p);
    }
  }

  async function start(path) {
    showError(null);
    const response = await post(path, { port: port() });
    const body = await response.json();
    if (response.status !== 202) { showError(body.error); return; }
    busy(true);
    poll();
  }

  function stop() {
    stopped = true;
    document.querySelector("main").querySelectorAll("section, button, .progress, .error")
      .forEach((el) => { el.hidden = true; });
    $("stopped").hidden = false;
  }

  $("read").addEventListener("click", () => start("/api/read"));
  $("doctor").addEventListener("click", () => start("/api/doctor"));
  $("adapter").addEventListener("change", () => {
    $("ble-none").hidden = true;
    if ($("adapter").value === BLE_SEARCH) {
      $("adapter").value = beforeSearch;
      start("/api/ble-search");
      return;
    }
    beforeSearch = $("adapter").value;
    $("other").hidden = $("adapter").value !== "";
  });
  $("print").addEventListener("click", () => {
    const sheet = window.open(url("/sheet.html", { lang: lang }), "_blank");
    if (sheet) sheet.addEventListener("load", () => sheet.print());
  });
  $("quit").addEventListener("click", () => {
    stop();  // the server may exit before its answer arrives: do not wait for it
    post("/api/quit").catch(() => {});
  });
  document.querySelectorAll(".lang").forEach((el) => {
    el.addEventListener("click", () => setLang(el.dataset.lang));
  });
  // Each open page sends a heartbeat; the server stops when none has been seen for a while.
  // Closing this tab only says this page is gone (a reload or another tab keeps it running).
  const pageId = Math.random().toString(36).slice(2) + Date.now().toString(36);
  const beat = () => {
    if (stopped) return;
    fetch(url("/api/alive", { page: pageId }), {
      method: "POST", headers: { "X-G15-Token": config.token },
    }).catch(() => {});
  };
  beat();
  setInterval(beat, 5000);
  window.addEventListener("pagehide", () => {
    if (!stopped) {
      navigator.sendBeacon(url("/api/closing", { page: pageId }), new Blob([], { type: "text/plain" }));
    }
  });
  setLang(lang);
})();
