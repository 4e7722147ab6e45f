/* Cerdas episode page: timestamps seek the player, #t=SECONDS opens it at that moment. No dependencies. */
(function () {
  "use strict";
  var audio = document.getElementById("pemutar");
  if (!audio) { return; }
  var status = document.querySelector("[data-status]");
  var player = document.querySelector(".player");
  var paras = Array.prototype.slice.call(document.querySelectorAll(".para[data-start]"));
  var starts = paras.map(function (p) { return parseFloat(p.getAttribute("data-start")); });
  var cues = Array.prototype.slice.call(document.querySelectorAll(".transcript .cue[data-t]"));
  var current = null;

  // The sticky player's height, for scroll-margin-top: what #t= scrolls to lands just below it.
  function measure() {
    if (player) { document.documentElement.style.setProperty("--player-h", player.offsetHeight + "px"); }
  }

  // The caption heard at t (the last one starting at or before it), brought into view below the player.
  function reveal(t, instant) {
    var found = null;
    for (var i = 0; i < cues.length; i++) {
      if (parseFloat(cues[i].getAttribute("data-t")) <= t + 0.25) { found = cues[i]; } else { break; }
    }
    if (found) {
      var para = found.closest ? found.closest(".para") : null;
      if (para && para.querySelector(".cue") === found) { found = para.querySelector("h3") || found; }
      measure();
      found.scrollIntoView({ block: "start", behavior: instant ? "instant" : "auto" });
    }
  }

  function say(text) { if (status) { status.textContent = text; } }

  function stamp(t) {
    t = Math.max(0, Math.floor(t));
    var h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), s = t % 60;
    return [h, m, s].map(function (n) { return (n < 10 ? "0" : "") + n; }).join(":");
  }

  function parseHash(hash) {
    var m = /^#t=(\d+(?:\.\d+)?)$/.exec(hash || "");
    return m ? parseFloat(m[1]) : null;
  }

  function mark(t) {
    var lo = 0, hi = starts.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (starts[mid] <= t + 0.25) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    var next = found >= 0 ? paras[found] : null;
    if (next === current) { return; }
    if (current) { current.classList.remove("is-current"); }
    if (next) { next.classList.add("is-current"); }
    current = next;
  }

  function seek(t, play) {
    var apply = function () {
      var end = isFinite(audio.duration) ? audio.duration : t;
      audio.currentTime = Math.min(t, end);
      mark(audio.currentTime);
    };
    if (audio.readyState >= 1) { apply(); } else {
      audio.addEventListener("loadedmetadata", apply, { once: true });
      if (audio.preload === "none") { audio.load(); }
    }
    if (play) {
      var started = audio.play();
      if (started && started.catch) { started.catch(function () { /* autoplay refused: stay paused */ }); }
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-t]") : null;
    if (!link) { return; }
    event.preventDefault();
    var t = parseFloat(link.getAttribute("data-t"));
    if (history.replaceState) { history.replaceState(null, "", "#t=" + link.getAttribute("data-t")); }
    seek(t, true);
    say("Diputar dari " + stamp(t));
  });

  window.addEventListener("hashchange", function () {
    var t = parseHash(location.hash);
    if (t !== null) { seek(t, false); reveal(t); }
  });

  audio.addEventListener("timeupdate", function () { mark(audio.currentTime); });

  var tools = document.querySelector(".player-tools");
  var toggle = document.querySelector(".tools-toggle");
  var wide = window.matchMedia ? window.matchMedia("(min-width: 40rem)") : null;
  function fold(open) {
    if (!tools) { return; }
    tools.hidden = !open;
    if (toggle) { toggle.setAttribute("aria-expanded", open ? "true" : "false"); }
    measure();
  }
  function layout() {
    var isWide = !wide || wide.matches;
    if (toggle) { toggle.hidden = isWide; }
    fold(isWide);
  }
  if (toggle) {
    toggle.addEventListener("click", function () { fold(tools ? tools.hidden : false); });
  }
  if (wide && wide.addEventListener) { wide.addEventListener("change", layout); }
  window.addEventListener("resize", measure);
  if (tools) {
    layout();
    tools.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("button") : null;
      if (!button) { return; }
      if (button.hasAttribute("data-skip")) {
        var to = Math.max(0, audio.currentTime + parseFloat(button.getAttribute("data-skip")));
        seek(to, false);
        say("Posisi " + stamp(to));
      } else if (button.hasAttribute("data-share")) {
        var at = Math.floor(audio.currentTime);
        var url = location.href.split("#")[0] + "#t=" + at;
        if (history.replaceState) { history.replaceState(null, "", "#t=" + at); }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(url).then(function () { say("Tautan ke " + stamp(at) + " disalin"); },
            function () { say("Tautan ke " + stamp(at) + " ada di bilah alamat"); });
        } else {
          say("Tautan ke " + stamp(at) + " ada di bilah alamat");
        }
      }
    });
    var speed = document.getElementById("kecepatan");
    if (speed) {
      speed.addEventListener("change", function () { audio.playbackRate = parseFloat(speed.value); });
    }
  }

  measure();
  var start = parseHash(location.hash);
  if (start !== null) {
    seek(start, false);
    // once laid out (and after the browser's own jump to the anchor): straight to the moment, no animation
    if (document.readyState === "complete") { reveal(start, true); } else {
      window.addEventListener("load", function () { reveal(start, true); }, { once: true });
    }
  }
})();
