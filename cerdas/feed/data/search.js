// Cerdas search page: Pagefind over every episode page, each hit a moment (episodes/<slug>/#t=SECONDS): the
// caption the word is in, found from Pagefind's anchors (every caption starting in a new second has id "t=N").
// Written into feed/search/ by cerdas.sitesearch; the index lies beside it in pagefind/.
const form = document.getElementById("cari");
const input = document.getElementById("q");
const statusLine = document.getElementById("cari-status");
const list = document.getElementById("hasil");
// The site root as a path, wherever the site is served (a sub-folder of the office's web site, say).
const siteRoot = new URL("../", document.baseURI).pathname;
const MAX_EPISODES = 20;
const MAX_MOMENTS = 5;

let pagefind = null;
let latest = 0;

async function loadPagefind() {
  if (pagefind === null) {
    const module = await import("./pagefind/pagefind.js");
    await module.options({ baseUrl: siteRoot, excerptLength: 28 });
    module.init();
    pagefind = module;
  }
  return pagefind;
}

function clock(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h, m, s].map((n) => String(n).padStart(2, "0")).join(":");
}

function momentOf(url) {
  const found = /#t=(\d+)$/.exec(url);
  return found ? Number(found[1]) : null;
}

// Pagefind's excerpts are escaped text with <mark> around matches: keep exactly that, nothing else.
function excerptNodes(html) {
  const doc = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html");
  const out = [];
  for (const node of doc.body.firstChild.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      out.push(mark);
    } else {
      out.push(document.createTextNode(node.textContent));
    }
  }
  return out;
}

const MOMENT_ID = /^t=(\d+)$/;
const CONTEXT = 12; // words either side of a match in a moment's excerpt

// Moments from the anchors: each matching word belongs to the last caption (or paragraph) anchor before it.
// Returns sub-results shaped like Pagefind's own: {url, title, excerpt, locations}.
function momentsOf(data) {
  const anchors = (data.anchors || []).filter((a) => MOMENT_ID.test(a.id)).sort((a, b) => a.location - b.location);
  const headings = (data.anchors || []).filter((a) => /^h\d$/i.test(a.element || ""));
  const words = (data.content || "").split(/\s+/);
  const byMoment = new Map();
  for (const location of data.locations || []) {
    let anchor = null;
    for (const a of anchors) {
      if (a.location <= location) anchor = a;
      else break;
    }
    if (anchor === null) continue;
    if (!byMoment.has(anchor.id)) byMoment.set(anchor.id, { anchor, locations: [] });
    byMoment.get(anchor.id).locations.push(location);
  }
  const base = data.url.split("#")[0];
  return [...byMoment.values()].map(({ anchor, locations }) => {
    const seconds = Number(MOMENT_ID.exec(anchor.id)[1]);
    const heading = headings.filter((h) => h.location <= anchor.location).pop();
    const speaker = heading ? (heading.text || "").replace(/^[\d:]+\s*/, "").trim() : "";
    const first = locations[0];
    const from = Math.max(0, first - CONTEXT);
    const to = Math.min(words.length, first + CONTEXT);
    const marked = new Set(locations);
    const excerpt = words
      .slice(from, to)
      .map((w, i) => (marked.has(from + i) ? `<mark>${escapeHtml(w)}</mark>` : escapeHtml(w)))
      .join(" ");
    return {
      url: `${base}#${anchor.id}`,
      title: clock(seconds) + (speaker ? ` ${speaker}` : ""),
      excerpt: (from > 0 ? "… " : "") + excerpt + (to < words.length ? " …" : ""),
      locations,
    };
  });
}

function escapeHtml(text) {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

function momentItem(sub) {
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.href = sub.url;
  const seconds = momentOf(sub.url);
  const label = document.createElement("span");
  label.className = "time";
  // A moment's heading is its time and speaker ("00:01:23 Tamu"); the excerpt repeats it: show it once.
  label.textContent = sub.title || (seconds === null ? "" : clock(seconds));
  const nodes = excerptNodes(sub.excerpt);
  if (sub.title && nodes.length && nodes[0].nodeType === Node.TEXT_NODE) {
    const first = nodes[0].textContent;
    if (first.startsWith(sub.title)) {
      nodes[0].textContent = first.slice(sub.title.length).replace(/^[.:]?\s*/, "");
    }
  }
  if (seconds !== null) {
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = "Putar dari ";
    link.append(hidden);
  }
  link.append(label, " ", ...nodes);
  item.append(link);
  return item;
}

function episodeItem(data) {
  const item = document.createElement("li");
  const heading = document.createElement("h2");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = (data.meta && data.meta.title) || data.url;
  heading.append(link);
  item.append(heading);
  const subs = data.sub_results || [];
  const exact = momentsOf(data);
  const moments = exact.length ? exact : subs.filter((sub) => momentOf(sub.url) !== null);
  // The moments with the most matching words, shown in the order they are heard.
  const chosen = (moments.length ? moments : subs)
    .slice()
    .sort((a, b) => (b.locations || []).length - (a.locations || []).length)
    .slice(0, MAX_MOMENTS)
    .sort((a, b) => (momentOf(a.url) ?? -1) - (momentOf(b.url) ?? -1));
  if (chosen.length) {
    const momentList = document.createElement("ul");
    momentList.className = "moments";
    momentList.append(...chosen.map(momentItem));
    item.append(momentList);
  }
  return item;
}

async function run(query) {
  const mine = ++latest;
  const text = query.trim();
  if (!text) {
    list.replaceChildren();
    statusLine.textContent = "";
    return;
  }
  statusLine.textContent = "Mencari…";
  let engine;
  try {
    engine = await loadPagefind();
  } catch (error) {
    statusLine.textContent = "Pencarian belum tersedia: belum ada episode yang diterbitkan.";
    return;
  }
  const search = await engine.search(text);
  if (mine !== latest) return; // a newer search has started
  const results = await Promise.all(search.results.slice(0, MAX_EPISODES).map((r) => r.data()));
  if (mine !== latest) return;
  list.replaceChildren(...results.map(episodeItem));
  const shown = search.results.length > MAX_EPISODES ? ` (${MAX_EPISODES} teratas)` : "";
  statusLine.textContent = results.length
    ? `${search.results.length} episode memuat “${text}”${shown}.`
    : `Tidak ada episode yang memuat “${text}”.`;
}

let timer = null;
input.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(() => run(input.value), 250);
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(timer);
  const url = new URL(location.href);
  url.searchParams.set("q", input.value);
  history.replaceState(null, "", url);
  run(input.value);
});

const initial = new URLSearchParams(location.search).get("q");
if (initial) {
  input.value = initial;
  run(initial);
}
