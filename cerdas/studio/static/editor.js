// The transcript editor: the player and the cues side by side. Edits live in the page (and in localStorage
// until saved); saving sends every cue with the version it was made on (409: changed elsewhere).
"use strict";
(function () {
  const S = window.Studio;
  const root = document.getElementById("editor");
  const slug = root.dataset.slug;
  const list = document.getElementById("cues");
  const player = document.getElementById("pemutar");
  const status = document.getElementById("status-editor");
  const follow = document.getElementById("ikuti");
  const names = document.getElementById("nama-pembicara");
  const draftKey = "cerdas-draft:" + slug;
  const namesKey = "cerdas-names";
  const state = { cues: [], version: "", dirty: false, current: -1, last: { i: 0, caret: 0 }, words: null };

  // -- rendering ---------------------------------------------------------------------------------------
  function cueItem(cue, i) {
    const li = document.createElement("li");
    li.className = "cue";
    const time = document.createElement("button");
    time.type = "button";
    time.className = "cue-time";
    const speaker = document.createElement("input");
    speaker.type = "text";
    speaker.className = "cue-speaker";
    speaker.setAttribute("list", "nama-pembicara");
    speaker.autocomplete = "off";
    speaker.value = cue.speaker || "";
    const text = document.createElement("textarea");
    text.className = "cue-text";
    text.rows = 2;
    text.value = cue.text;
    li.append(time, speaker, text);
    const unsure = unsureWords(i);
    if (unsure.length) li.append(unsureLine(unsure));
    label(li, i);
    return li;
  }

  // Words Whisper was unsure of (when its words are kept beside the transcript), each a button playing from it.
  const UNSURE = 0.5;
  function unsureWords(i) {
    return wordsOf(i).filter((w) => w[3] < UNSURE);
  }

  // Whisper's words of cue i, matched by time (a word belongs to the cue its middle falls in), so that edits,
  // splits and merges never misalign them. state.words is sorted by start: [start, end, text, probability].
  function wordsOf(i) {
    const words = state.words;
    const cue = state.cues[i];
    if (!words || !words.length || !cue) return [];
    let lo = 0, hi = words.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (words[mid][1] <= cue.start) lo = mid + 1; else hi = mid;
    }
    const found = [];
    for (let k = lo; k < words.length && words[k][0] < cue.end; k++) {
      const middle = (words[k][0] + words[k][1]) / 2;
      if (middle >= cue.start && middle < cue.end) found.push(words[k]);
    }
    return found;
  }

  function unsureLine(words) {
    const line = document.createElement("p");
    line.className = "unsure";
    line.append(S.t("unsure") + ": ");
    for (const [start, , text, probability] of words) {
      const word = document.createElement("button");
      word.type = "button";
      word.className = "word";
      word.dataset.t = String(start);
      word.textContent = text;
      word.title = Math.round(probability * 100) + "%";
      word.setAttribute("aria-label", S.t("play_from", { t: S.clock(start) }) + ": " + text);
      line.append(word, " ");
    }
    return line;
  }

  function label(li, i) {
    const cue = state.cues[i];
    li.dataset.i = String(i);
    const time = li.children[0];
    time.textContent = S.clock(cue.start);
    time.setAttribute("aria-label", S.t("play_from", { t: S.clock(cue.start) }));
    li.children[1].setAttribute("aria-label", S.t("speaker") + ", " + S.t("cue", { n: i + 1 }));
    li.children[2].setAttribute("aria-label", S.t("text") + ", " + S.t("cue", { n: i + 1 }));
  }

  function relabel(from) {
    const items = list.children;
    for (let i = from; i < items.length; i++) label(items[i], i);
  }

  function render() {
    const fragment = document.createDocumentFragment();
    state.cues.forEach((cue, i) => fragment.append(cueItem(cue, i)));
    list.replaceChildren(fragment);
    state.current = -1;
  }

  function addName(name) {
    name = name.trim();
    if (!name || [...names.options].some((o) => o.value === name)) return;
    const option = document.createElement("option");
    option.value = name;
    names.append(option);
  }

  // -- edits ---------------------------------------------------------------------------------------------
  let draftTimer = 0;
  function changed() {
    state.dirty = true;
    clearTimeout(draftTimer);
    draftTimer = setTimeout(keepDraft, 400);
  }

  function keepDraft() {
    if (!state.dirty) return;
    try {
      localStorage.setItem(draftKey, JSON.stringify({ version: state.version, cues: state.cues, at: Date.now() }));
    } catch (err) { /* storage full or off: the edits still live in the page */ }
  }

  function rememberName(name) {
    name = name.trim();
    if (!name) return;
    addName(name);
    try {
      const known = JSON.parse(localStorage.getItem(namesKey) || "[]");
      if (!known.includes(name)) localStorage.setItem(namesKey, JSON.stringify([...known, name].slice(-200)));
    } catch (err) { /* not kept: fine */ }
  }

  list.addEventListener("input", (event) => {
    const li = event.target.closest(".cue");
    if (!li) return;
    const cue = state.cues[Number(li.dataset.i)];
    if (event.target.classList.contains("cue-text")) cue.text = event.target.value;
    else cue.speaker = event.target.value;
    changed();
  });
  list.addEventListener("change", (event) => {
    if (event.target.classList.contains("cue-speaker")) rememberName(event.target.value);
  });
  list.addEventListener("focusout", (event) => {
    const li = event.target.closest(".cue");
    if (li && event.target.classList.contains("cue-text")) {
      state.last = { i: Number(li.dataset.i), caret: event.target.selectionStart };
    }
  });
  list.addEventListener("click", (event) => {
    const li = event.target.closest(".cue");
    if (!li) return;
    const i = Number(li.dataset.i);
    if (event.target.classList.contains("cue-time")) playFrom(state.cues[i].start);
    else if (event.target.classList.contains("word")) playFrom(Number(event.target.dataset.t));
    else if (event.altKey && event.target.classList.contains("cue-text")) playFrom(wordTime(i, event.target.selectionStart));
  });

  function focused() {
    const el = document.activeElement;
    const li = el && el.closest ? el.closest(".cue") : null;
    if (li && el.classList.contains("cue-text")) return { i: Number(li.dataset.i), caret: el.selectionStart, el };
    return { i: state.last.i, caret: state.last.caret, el: null };
  }

  function textOf(i) {
    return list.children[i].children[2];
  }

  function split() {
    const { i, caret } = focused();
    const cue = state.cues[i];
    if (!cue) return;
    const before = cue.text.slice(0, caret).trim();
    const after = cue.text.slice(caret).trim();
    if (!before || !after) return;
    const at = wordTime(i, caret);
    const next = { start: at, end: cue.end, text: after, speaker: cue.speaker };
    cue.end = at;
    cue.text = before;
    state.cues.splice(i + 1, 0, next);
    textOf(i).value = before;
    list.children[i].after(cueItem(next, i + 1));
    relabel(i + 1);
    changed();
    textOf(i + 1).focus();
    textOf(i + 1).setSelectionRange(0, 0);
  }

  function merge() {
    const { i } = focused();
    const cue = state.cues[i];
    const next = state.cues[i + 1];
    if (!cue || !next) return;
    const caret = cue.text.length;
    cue.text = cue.text + " " + next.text;
    cue.end = next.end;
    state.cues.splice(i + 1, 1);
    list.children[i + 1].remove();
    textOf(i).value = cue.text;
    relabel(i);
    changed();
    textOf(i).focus();
    textOf(i).setSelectionRange(caret, caret);
  }

  // The moment a character offset is spoken: Whisper's word timing when kept, else in proportion to the text.
  function wordTime(i, offset) {
    const cue = state.cues[i];
    const words = wordsOf(i);
    if (words.length) {
      let seen = 0;
      for (const [start, , text] of words) {
        seen = cue.text.indexOf(text.trim(), seen);
        if (seen < 0) break;
        if (seen + text.trim().length >= offset) return start;
        seen += text.trim().length;
      }
    }
    const share = cue.text.length ? Math.min(offset / cue.text.length, 1) : 0;
    return Math.round((cue.start + (cue.end - cue.start) * share) * 1000) / 1000;
  }

  // -- the player ----------------------------------------------------------------------------------------
  function playFrom(seconds) {
    player.currentTime = seconds;
    highlight();
    player.play().catch(() => {});
  }

  function cueAt(time) {
    let lo = 0, hi = state.cues.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (state.cues[mid].start <= time) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found >= 0 && time <= state.cues[found].end + 0.5 ? found : -1;
  }

  function highlight() {
    const i = cueAt(player.currentTime);
    if (i === state.current) return;
    if (state.current >= 0 && list.children[state.current]) list.children[state.current].classList.remove("now");
    state.current = i;
    if (i < 0) return;
    const li = list.children[i];
    li.classList.add("now");
    const typing = document.activeElement && list.contains(document.activeElement);
    if (follow.checked && !typing) li.scrollIntoView({ block: "nearest" });
  }
  player.addEventListener("timeupdate", highlight);
  player.addEventListener("seeked", highlight);

  document.addEventListener("keydown", (event) => {
    const key = event.key.toLowerCase();
    if (event.key === "Escape") {
      event.preventDefault();
      if (player.paused) player.play().catch(() => {}); else player.pause();
    } else if (event.altKey && key === "b") {
      event.preventDefault();
      player.currentTime = Math.max(0, player.currentTime - 5);
    } else if (event.altKey && key === "n") {
      event.preventDefault();
      const here = focused().el ? focused().i : Math.max(state.current, -1);
      const next = Math.min(here + 1, state.cues.length - 1);
      textOf(next).focus();
      player.currentTime = state.cues[next].start;
    } else if (event.altKey && key === "s") {
      event.preventDefault();
      split();
    } else if (event.altKey && key === "m") {
      event.preventDefault();
      merge();
    } else if ((event.ctrlKey || event.metaKey) && key === "s") {
      event.preventDefault();
      save();
    }
  });

  // Toolbar buttons keep the caret where it was (mousedown would move the focus away).
  for (const [id, action] of [["pisah", split], ["gabung", merge], ["simpan", () => save()]]) {
    const button = document.getElementById(id);
    button.addEventListener("mousedown", (event) => event.preventDefault());
    button.addEventListener("click", action);
  }

  // -- find and replace, vocabulary ------------------------------------------------------------------------
  function pattern(flags) {
    const find = document.getElementById("cari").value;
    if (!find) return null;
    const escaped = find.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const whole = document.getElementById("cari-utuh").checked;
    const source = whole ? "(?<![\\p{L}\\p{N}])" + escaped + "(?![\\p{L}\\p{N}])" : escaped;
    return new RegExp(source, flags + "u" + (document.getElementById("cari-kapital").checked ? "" : "i"));
  }

  document.getElementById("cari-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const re = pattern("g");
    if (!re) return;
    const replacement = document.getElementById("ganti").value;
    let count = 0;
    state.cues.forEach((cue, i) => {
      const text = cue.text.replace(re, () => { count++; return replacement; });
      if (text !== cue.text) { cue.text = text; textOf(i).value = text; }
    });
    if (count) changed();
    status.textContent = S.t("replaced", { n: count });
  });

  document.getElementById("cari-lagi").addEventListener("click", () => {
    const re = pattern("");
    if (!re) return;
    const from = focused().el ? focused().i + 1 : state.last.i + 1;
    for (let k = 0; k < state.cues.length; k++) {
      const i = (from + k) % state.cues.length;
      const match = re.exec(state.cues[i].text);
      if (match) {
        const el = textOf(i);
        el.focus();
        el.setSelectionRange(match.index, match.index + match[0].length);
        el.scrollIntoView({ block: "center" });
        state.last = { i, caret: match.index };
        return;
      }
    }
    status.textContent = S.t("not_found");
  });

  function vocabulary(terms) {
    const box = document.getElementById("kosakata");
    for (const term of terms) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = term;
      button.addEventListener("mousedown", (event) => event.preventDefault());
      button.addEventListener("click", () => {
        const { i, caret } = focused();
        const el = textOf(i);
        if (!el) return;
        el.focus();
        el.setSelectionRange(caret, el === document.activeElement ? el.selectionEnd : caret);
        el.setRangeText(term, el.selectionStart, el.selectionEnd, "end");
        state.cues[i].text = el.value;
        changed();
      });
      box.append(button);
    }
  }

  // -- saving, drafts --------------------------------------------------------------------------------------
  async function save() {
    status.textContent = S.t("saving");
    const result = await S.api("PUT", "/api/episodes/" + encodeURIComponent(slug) + "/transcript", {
      version: state.version,
      cues: state.cues,
    });
    if (result.status === 409) { status.textContent = S.t("conflict"); return; }
    if (!result.ok) { status.textContent = result.data.detail; return; }
    state.version = result.data.version;
    state.dirty = false;
    localStorage.removeItem(draftKey);
    status.textContent = S.t("saved");
    const box = document.getElementById("editor-job");
    S.watchJob(result.data.job.id, (job) => S.showJob(box, status, job));
  }

  window.addEventListener("beforeunload", (event) => {
    if (state.dirty) { keepDraft(); event.preventDefault(); event.returnValue = ""; }
  });

  function offerDraft(serverVersion) {
    let draft = null;
    try { draft = JSON.parse(localStorage.getItem(draftKey) || "null"); } catch (err) { draft = null; }
    if (!draft || !Array.isArray(draft.cues)) return;
    const box = document.getElementById("draf");
    const discard = document.getElementById("draf-buang");
    const restore = document.getElementById("draf-pulihkan");
    box.hidden = false;
    discard.textContent = S.t("discard");
    discard.onclick = () => { localStorage.removeItem(draftKey); box.hidden = true; load(); };
    if (draft.version === serverVersion) {
      state.cues = draft.cues;
      state.dirty = true;
      render();
      document.getElementById("draf-teks").textContent = S.t("restored");
    } else {
      document.getElementById("draf-teks").textContent = S.t("conflict");
      restore.hidden = false;
      restore.textContent = S.t("restore");
      restore.onclick = () => { state.cues = draft.cues; state.dirty = true; render(); restore.hidden = true; };
    }
  }

  async function load() {
    const result = await S.api("GET", "/api/episodes/" + encodeURIComponent(slug) + "/transcript");
    if (!result.ok) { status.textContent = result.data.detail; return; }
    const data = result.data;
    state.cues = data.cues;
    state.version = data.version;
    state.words = data.words;
    state.dirty = false;
    render();
    return data;
  }

  (async function start() {
    const data = await load();
    if (!data) return;
    if (data.audio) player.src = data.audio;
    names.replaceChildren();
    data.speakers.forEach(addName);
    try { JSON.parse(localStorage.getItem(namesKey) || "[]").forEach(addName); } catch (err) { /* none kept */ }
    vocabulary(data.vocabulary);
    offerDraft(data.version);
    S.ready();
  })();
})();
