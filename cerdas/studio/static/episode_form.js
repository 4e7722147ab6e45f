// New episode: the recording is sent with XMLHttpRequest (it reports upload progress), then the job page opens.
// Edit: the metadata goes as JSON, a new cover as its own upload; then the job page opens.
"use strict";
(function () {
  const S = window.Studio;
  const form = document.getElementById("episode-form");
  const status = document.getElementById("pesan-form");
  const bar = document.getElementById("unggah");
  const submit = form.querySelector('button[type="submit"]');

  const drop = document.getElementById("drop");
  const fileInput = document.getElementById("rekaman");
  if (drop && fileInput) {
    ["dragenter", "dragover"].forEach((type) => drop.addEventListener(type, (event) => {
      event.preventDefault();
      drop.classList.add("over");
    }));
    ["dragleave", "drop"].forEach((type) => drop.addEventListener(type, () => drop.classList.remove("over")));
    drop.addEventListener("drop", (event) => {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) fileInput.files = event.dataTransfer.files;
    });
  }

  function fail(detail) {
    status.textContent = detail;
    status.className = "error";
    submit.disabled = false;
  }

  function upload(url, method, body) {
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.setRequestHeader("X-CSRF-Token", S.csrf());
      xhr.setRequestHeader("Accept", "application/json");
      bar.hidden = false;
      bar.value = 0;
      xhr.upload.onprogress = (event) => { if (event.lengthComputable) bar.value = event.loaded / event.total; };
      xhr.onload = () => {
        let data = {};
        try { data = JSON.parse(xhr.responseText); } catch (err) { data = { detail: xhr.statusText }; }
        resolve({ ok: xhr.status >= 200 && xhr.status < 300, status: xhr.status, data });
      };
      xhr.onerror = () => resolve({ ok: false, status: 0, data: { detail: S.t("upload_failed") } });
      xhr.send(body);
    });
  }

  function value(name) {
    const field = form.elements.namedItem(name);
    return field ? field.value : "";
  }

  async function edit() {
    const slug = form.dataset.slug;
    const when = form.querySelector('input[name="when"]:checked').value;
    const body = {
      version: form.dataset.version,
      title: value("title"),
      number: value("number") === "" ? null : Number(value("number")),
      description: value("description"),
      guests: value("guests").split("\n").map((g) => g.trim()).filter(Boolean),
      draft: when === "draft",
      publish_at: when === "at" ? value("publish_at") : null,
      youtube: form.elements.namedItem("youtube").checked,
    };
    let result = await S.api("PUT", "/api/episodes/" + encodeURIComponent(slug) + "/metadata", body);
    if (!result.ok) return fail(result.data.detail);
    const cover = form.elements.namedItem("cover");
    if (cover.files.length) {
      const data = new FormData();
      data.append("cover", cover.files[0]);
      result = await upload("/api/episodes/" + encodeURIComponent(slug) + "/cover", "PUT", data);
      if (!result.ok) return fail(result.data.detail);
    }
    window.location.assign("/jobs/" + encodeURIComponent(result.data.job.id));
  }

  async function create() {
    status.textContent = S.t("uploading");
    status.className = "";
    const result = await upload("/api/episodes", "POST", new FormData(form));
    if (!result.ok) return fail(result.data.detail || S.t("upload_failed"));
    window.location.assign("/jobs/" + encodeURIComponent(result.data.job.id));
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    submit.disabled = true;
    (form.dataset.mode === "edit" ? edit() : create());
  });
  S.ready();
})();
