// The chapters editor: add a chapter at the playhead, rename, move (a new start), delete; save as a job.
"use strict";
(function () {
  const S = window.Studio;
  const root = document.getElementById("bab-editor");
  const slug = root.dataset.slug;
  const player = document.getElementById("pemutar");
  const list = document.getElementById("bab-daftar");
  const status = document.getElementById("status-bab");
  const state = { chapters: [], version: "", serial: 0 };

  function button(text, action, label) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "secondary";
    b.textContent = text;
    if (label) b.setAttribute("aria-label", label);
    b.addEventListener("click", action);
    return b;
  }

  function row(chapter, index) {
    const n = ++state.serial;
    const li = document.createElement("li");
    li.className = "chapter";
    const timeBox = document.createElement("div");
    const timeLabel = document.createElement("label");
    timeLabel.htmlFor = "bab-mulai-" + n;
    timeLabel.textContent = S.t("start");
    const time = document.createElement("input");
    time.type = "text";
    time.id = "bab-mulai-" + n;
    time.inputMode = "numeric";
    time.value = S.clock(chapter.start);
    time.addEventListener("change", () => {
      const seconds = S.parseClock(time.value);
      if (seconds === null) { time.setAttribute("aria-invalid", "true"); return; }
      time.removeAttribute("aria-invalid");
      chapter.start = seconds;
    });
    timeBox.append(timeLabel, time);
    const titleBox = document.createElement("div");
    const titleLabel = document.createElement("label");
    titleLabel.htmlFor = "bab-judul-" + n;
    titleLabel.textContent = S.t("chapter_title");
    const title = document.createElement("input");
    title.type = "text";
    title.id = "bab-judul-" + n;
    title.maxLength = 200;
    title.value = chapter.title;
    title.addEventListener("input", () => { chapter.title = title.value; });
    titleBox.append(titleLabel, title);
    const tools = document.createElement("div");
    tools.className = "tools";
    const name = () => chapter.title || S.clock(chapter.start);
    tools.append(
      button(S.t("play"), () => { player.currentTime = chapter.start; player.play().catch(() => {}); },
        S.t("play_from", { t: S.clock(chapter.start) }) + ": " + name()),
      button(S.t("set_time"), () => { chapter.start = Math.round(player.currentTime * 10) / 10; draw(); },
        S.t("set_time") + ": " + name()),
      button(S.t("delete"), () => { state.chapters.splice(state.chapters.indexOf(chapter), 1); draw(); },
        S.t("delete") + ": " + name()),
    );
    li.append(timeBox, titleBox, tools);
    void index;
    return li;
  }

  function draw() {
    state.chapters.sort((a, b) => a.start - b.start);
    list.replaceChildren(...state.chapters.map(row));
    document.getElementById("bab-kosong").hidden = state.chapters.length > 0;
  }

  document.getElementById("bab-tambah").addEventListener("click", () => {
    const start = Math.round(player.currentTime * 10) / 10;
    const chapter = { start, title: "" };
    state.chapters.push(chapter);
    draw();
    const item = list.children[state.chapters.indexOf(chapter)];
    item.querySelector('input[id^="bab-judul"]').focus();
  });

  document.getElementById("bab-simpan").addEventListener("click", async () => {
    const result = await S.api("PUT", "/api/episodes/" + encodeURIComponent(slug) + "/chapters", {
      version: state.version,
      chapters: state.chapters,
    });
    if (result.status === 409) { status.textContent = S.t("conflict"); return; }
    if (!result.ok) { status.textContent = result.data.detail; return; }
    status.textContent = S.t("saved");
    S.watchJob(result.data.job.id, async (job) => {
      S.showJob(document.getElementById("editor-job"), status, job);
      if (job.status === "done") {
        const fresh = await S.api("GET", "/api/episodes/" + encodeURIComponent(slug) + "/chapters");
        if (fresh.ok) state.version = fresh.data.version;
      }
    });
  });

  (async function start() {
    const result = await S.api("GET", "/api/episodes/" + encodeURIComponent(slug) + "/chapters");
    if (!result.ok) { status.textContent = result.data.detail; return; }
    state.chapters = result.data.chapters;
    state.version = result.data.version;
    draw();
    S.ready();
  })();
})();
