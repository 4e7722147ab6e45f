// The job page: stages, progress bars, summaries and the error, live (server-sent events).
"use strict";
(function () {
  const S = window.Studio;
  const box = document.getElementById("job");
  const id = box.dataset.job;

  function update(job) {
    const status = document.getElementById("job-status");
    status.className = "badge job-" + job.status;
    status.textContent = S.t("status." + job.status);
    document.getElementById("job-waiting").textContent = job.waiting || "";
    const error = document.getElementById("job-error");
    error.hidden = !job.error;
    error.textContent = job.error || "";
    for (const stage of job.stages) {
      const item = box.querySelector('[data-stage="' + CSS.escape(stage.name) + '"]');
      if (!item) continue;
      item.className = "stage stage-" + stage.status;
      item.querySelector(".stage-status").textContent = S.t("stagestatus." + stage.status);
      item.querySelector(".stage-seconds").textContent = stage.seconds == null ? "" : stage.seconds.toFixed(1) + " s";
      item.querySelector(".stage-label").textContent = stage.label || "";
      item.querySelector(".stage-summary").textContent = stage.summary || "";
      const bar = item.querySelector("progress");
      bar.hidden = stage.progress === null || stage.progress === undefined;
      if (!bar.hidden) bar.value = stage.progress;
    }
    document.getElementById("job-log").textContent = (job.log || []).join("\n");
    const link = document.getElementById("job-episode");
    if (job.slug) { link.hidden = false; link.href = "/episodes/" + encodeURIComponent(job.slug) + "/edit"; }
    document.getElementById("job-retry").hidden = !job.can_retry;
    box.dataset.status = job.status;
  }

  document.getElementById("job-retry").addEventListener("click", async () => {
    const result = await S.api("POST", "/api/jobs/" + encodeURIComponent(id) + "/retry");
    if (result.ok) window.location.assign("/jobs/" + encodeURIComponent(result.data.job.id));
    else document.getElementById("job-error").textContent = result.data.detail;
  });
  S.watchJob(id, update);
  S.ready();
})();
