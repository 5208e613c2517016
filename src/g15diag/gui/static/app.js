// g15diag gui: plain JavaScript, no build step. Every request carries the per-run token.
// Every sentence shown comes from the catalogue (config.words, g15diag/lang/<lang>.toml).
"use strict";
(function () {
  const config = JSON.parse(document.getElementById("config").textContent);
  const $ = (id) => document.getElementById(id);
  let lang = config.lang;
  let stopped = false;
  const w = (key) => config.words[lang][key];
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (m, k) => (k in values ? values[k] : m));
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

  let lastResult = null;  // the read on screen: {id, data}
  let lastError = null;  // {error, port}
  let lastDoctor = null;
  let lastReport = null;  // the job id of a finished field report
  let running = "";

  // A language switch changes words only: the adapter choice and a typed port stay.
  function setLang(code) {
    lang = code;
    document.documentElement.lang = code;
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = w(el.dataset.t); });
    document.querySelectorAll(".lang").forEach((el) => {
      el.setAttribute("aria-pressed", String(el.dataset.lang === code));
    });
    fillAdapters();
    if (lastResult) showResult(lastResult.id, lastResult.data);
    if (lastError) showError(lastError.error, lastError.port);
    if (lastDoctor) showDoctor(lastDoctor);
    links();
  }

  let filled = false;
  function fillAdapters(wanted) {
    const select = $("adapter");
    const chosen = wanted || (filled ? select.value : config.port);  // "" is "Other port"
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
    filled = true;
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

  function actionButton(action) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "action";
    button.dataset.action = action;
    button.textContent = w(action === "doctor" ? "doctor" : action);
    button.disabled = running !== "";
    return button;
  }

  function showError(error, chosenPort) {
    lastError = error ? { error: error, port: chosenPort } : null;
    $("error").hidden = !error;
    $("error-steps").hidden = true;
    if (!error) return;
    const text = w("errors")[error.kind] || w("errors").internal;
    $("error-message").textContent = fill(text.message, { port: chosenPort || "" });
    $("error-hint").textContent = text.hint;
    $("error-hint-line").hidden = !text.hint;
    if (!error.nothing_answered) return;
    const list = $("error-steps");
    list.textContent = "";
    for (const step of w("steps")) {
      if (step.action === "wide" && error.wide_done) continue;  // just taken
      const li = document.createElement("li");
      li.textContent = step.action === "wide" ? step.text.replace(/\.$/, "") + " (" +
        fill(w("wide_note"), { minutes: config.wide_minutes }) + ")." : step.text;
      if (step.action) li.appendChild(actionButton(step.action));
      list.appendChild(li);
    }
    list.hidden = false;
  }

  function clearResult() {
    lastResult = null;
    $("result").hidden = true;
    $("serial").textContent = "";
    $("legend").textContent = "";
    $("serial-text").textContent = "";
  }

  function localTime(iso) {
    const when = new Date(iso);
    return isNaN(when) ? iso : when.toLocaleString(lang === "ru" ? "ru-RU" : "en-GB");
  }

  function showResult(id, r) {
    lastResult = { id: id, data: r };
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
    const read = r.serial !== null;
    $("serial-text").textContent = read ? r.serial + " (" + r.serial.length + ")" : w("not_read");
    $("serial-text").classList.toggle("mono", read);
    $("no-serial").hidden = read;
    $("facts").hidden = !read;  // reads and source belong to a serial
    $("reads").textContent = read && r.reads ? String(r.reads) : w("not_read");
    $("source").textContent = read ? fill(w("source_note"), {
      ident: r.identifier, addr: r.address, rate: r.rate === null ? w("unknown") : String(r.rate),
    }) : w("not_read");
    $("vin").textContent = r.vin || w("vin_none");
    $("mismatch").hidden = !r.vin_mismatch;
    $("mismatch").textContent = fill(w("mismatch"), { other: r.vin_head_unit || "" });
    $("part").textContent = r.part_number || w("part_none");
    $("voltage").textContent = r.voltage === null ? w("voltage_none") :
      r.voltage.toFixed(1).replace(".", lang === "ru" ? "," : ".") + (lang === "ru" ? " В" : " V");
    $("voltage-low").hidden = r.voltage === null || r.voltage >= 12;
    $("read-meta").textContent = fill(w("read_meta"), {
      port: r.port || w("unknown"), time: localTime(r.read_at),
    });
    // no serial: nothing to print for a dealer (the session file stays for troubleshooting)
    $("print").hidden = !read;
    $("pdf").hidden = !read;
    links();
  }

  function links() {
    const id = lastResult ? String(lastResult.id) : "0";
    $("pdf").href = url("/sheet.pdf", { lang: lang, id: id });
    $("session").href = url("/session.json", { id: id });
    if (lastReport !== null) $("report-file").href = url("/report.zip", { id: lastReport });
  }

  function busy(kind) {
    running = kind;
    document.querySelectorAll("#read, #doctor, button.action").forEach((b) => {
      b.disabled = kind !== "";
    });
    $("progress").hidden = kind === "";
  }

  function progressText(job) {
    const last = job.progress[job.progress.length - 1];
    if (job.kind === "doctor") return w("doctor_running");
    if (job.kind === "ble") return w("ble_searching");
    if (job.kind === "report") return w("report_running");
    if (!last) return w("reading");
    const values = {
      address: last.address, rate: last.rate, rung: last.rung, attempt: last.attempt,
      attempts: last.attempts,
    };
    return fill(w(job.wide ? "wide_running" : "searching"), values);
  }

  async function poll(chosenPort, wide) {
    const response = await fetch(url("/api/status"));
    const job = await response.json();
    job.wide = wide;
    if (job.state === "running") {
      $("progress-text").textContent = progressText(job);
      setTimeout(() => poll(chosenPort, wide), 250);
      return;
    }
    busy("");
    if (job.state === "failed") { showError(job.error, chosenPort); return; }
    if (job.state !== "done") return;
    if (job.kind === "read") showResult(job.id, job.result);
    if (job.kind === "doctor") showDoctor(job.result);
    if (job.kind === "report") { lastReport = job.id; $("report-ready").hidden = false; links(); }
    if (job.kind === "ble") bleFound(job.result);
  }

  function addLine(box, label, value) {
    const p = document.createElement("p");
    const b = document.createElement("b");
    b.textContent = label + ": ";
    p.append(b, document.createTextNode(value));
    box.appendChild(p);
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
    const identity = report.identity.STI || report.identity.ATI;
    addLine(box, w("check_identity"), identity || w("unknown"));
    addLine(box, w("check_voltage"), report.voltage === null ? w("voltage_none") :
      report.voltage.toFixed(1).replace(".", lang === "ru" ? "," : ".") + (lang === "ru" ? " В" : " V"));
    addLine(box, w("check_lacks"), report.lacking.length ? report.lacking.join(", ") :
      w("check_lacks_none"));
    for (const [kind, params] of report.advice_kinds) {
      const p = document.createElement("p");
      const error = kind.startsWith("error.") ? w("errors")[kind.slice(6)] : null;
      p.textContent = error ? error.hint || fill(error.message, { port: port() }) :
        fill(w("doctor_advice")[kind] || w("doctor_advice").other, params);
      box.appendChild(p);
    }
  }

  async function start(path, body) {
    const chosenPort = port();
    showError(null);
    if (!chosenPort && path !== "/api/ble-search") {
      $("error").hidden = false;
      $("error-message").textContent = w("choose_adapter");
      $("error-hint-line").hidden = true;
      return;
    }
    if (path === "/api/read") clearResult();  // the old car's result goes before the new read
    if (path === "/api/report") { $("report-ready").hidden = true; lastReport = null; }
    const response = await post(path, Object.assign({ port: chosenPort }, body || {}));
    const answer = await response.json();
    if (response.status !== 202) { showError(answer.error, chosenPort); return; }
    busy(path);
    poll(chosenPort, Boolean(body && body.wide));
  }

  const actions = {
    doctor: () => start("/api/doctor"),
    wide: () => start("/api/read", { wide: true }),
    report: () => start("/api/report"),
  };

  function stop() {
    stopped = true;
    document.querySelector("main").querySelectorAll("section, button, .progress, .error")
      .forEach((el) => { el.hidden = true; });
    $("stopped").hidden = false;
  }

  $("read").addEventListener("click", () => start("/api/read"));
  $("doctor").addEventListener("click", actions.doctor);
  document.addEventListener("click", (event) => {
    const target = event.target;
    if (target instanceof HTMLButtonElement && target.classList.contains("action")) {
      actions[target.dataset.action]();
    }
  });
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
    if (!lastResult) return;
    const sheet = window.open(url("/sheet.html", { lang: lang, id: lastResult.id }), "_blank");
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
