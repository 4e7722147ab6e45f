/* Cerdas episode page: timestamps seek the player, #t=SECONDS opens it at that moment. No dependencies. */
(function () {
  "use strict";
  var audio = document.getElementById("pemutar");
  if (!audio) { return; }
  var status = document.querySelector("[data-status]");
  var paras = Array.prototype.slice.call(document.querySelectorAll(".para[data-start]"));
  var starts = paras.map(function (p) { return parseFloat(p.getAttribute("data-start")); });
  var current = null;

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
    if (t !== null) { seek(t, false); }
  });

  audio.addEventListener("timeupdate", function () { mark(audio.currentTime); });

  var tools = document.querySelector(".player-tools");
  if (tools) {
    tools.hidden = false;
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

  var start = parseHash(location.hash);
  if (start !== null) { seek(start, false); }
})();
