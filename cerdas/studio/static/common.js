// Shared by every studio page: messages, the CSRF token, the JSON API, watching a job live.
"use strict";
(function () {
  const messages = JSON.parse(document.getElementById("pesan").textContent || "{}");
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

  function t(key, values) {
    let text = messages[key] || key;
    for (const [name, value] of Object.entries(values || {})) text = text.replace("{" + name + "}", String(value));
    return text;
  }

  async function api(method, url, body) {
    const headers = { "X-CSRF-Token": csrf(), Accept: "application/json" };
    const init = { method, headers, credentials: "same-origin" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, init);
    } catch (err) {
      return { ok: false, status: 0, data: { detail: String(err) } };
    }
    let data = {};
    try { data = await response.json(); } catch (err) { data = { detail: response.statusText }; }
    return { ok: response.ok, status: response.status, data };
  }

  // Calls onUpdate(job) each time the job changes, until it is done, failed or interrupted.
  function watchJob(id, onUpdate) {
    const source = new EventSource("/api/jobs/" + encodeURIComponent(id) + "/events");
    source.onmessage = (event) => {
      const job = JSON.parse(event.data);
      onUpdate(job);
      if (["done", "failed", "interrupted"].includes(job.status)) source.close();
    };
    source.onerror = () => {
      source.close();
      // the stream ended (or the studio restarted): ask once more for the final state
      api("GET", "/api/jobs/" + encodeURIComponent(id)).then((r) => { if (r.ok) onUpdate(r.data); });
    };
    return source;
  }

  // A small job line under an editor: progress bar, link, final message in the status region.
  function showJob(box, status, job) {
    box.hidden = false;
    const bar = box.querySelector("progress");
    const link = box.querySelector("a");
    link.href = "/jobs/" + encodeURIComponent(job.id);
    link.textContent = t("job") + ": " + job.title;
    const stages = job.stages || [];
    const finished = stages.filter((s) => s.status !== "pending" && s.status !== "running").length;
    bar.value = stages.length ? finished / stages.length : 0;
    if (job.status === "done") { bar.value = 1; status.textContent = t("done"); }
    if (job.status === "failed" || job.status === "interrupted") status.textContent = t("failed", { e: job.error });
  }

  function clock(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const two = (n) => String(n).padStart(2, "0");
    return two(Math.floor(s / 3600)) + ":" + two(Math.floor(s / 60) % 60) + ":" + two(s % 60);
  }

  function parseClock(text) {
    const parts = String(text).trim().split(":").map(Number);
    if (!parts.length || parts.some((n) => !Number.isFinite(n) || n < 0)) return null;
    return parts.reduce((total, n) => total * 60 + n, 0);
  }

  // The page can be used: tests and benchmarks wait for data-ready (data-ready-ms: since navigation began).
  function ready() {
    document.body.dataset.readyMs = String(Math.round(performance.now()));
    document.body.dataset.ready = "1";
  }

  window.Studio = { t, api, csrf, watchJob, showJob, clock, parseClock, ready };
  // pages without a script of their own are ready now; the others say so once they have drawn
  if (!document.querySelector("script[data-page]")) ready();
})();
