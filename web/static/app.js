/* Ashshash Radio: small progressive enhancements. Every form also works without this file. */
(function () {
  "use strict";
  var csrf = function () { var m = document.querySelector('meta[name="csrf-token"]'); return m ? m.content : ""; };

  /* Numbers in the page's language (Bengali digits in Bangla). */
  var digits = function (text) {
    if (document.documentElement.lang !== "bn") return String(text);
    return String(text).replace(/[0-9]/g, function (d) { return "০১২৩৪৫৬৭৮৯"[d]; });
  };

  /* Cookie-authenticated API calls must carry the CSRF token. */
  window.radioFetch = function (url, opts) {
    opts = opts || {};
    opts.headers = opts.headers || {};
    opts.headers["X-CSRFToken"] = csrf();
    opts.credentials = "same-origin";
    return fetch(url, opts);
  };

  /* A message under the file control, as the server would render it. */
  function fileError(input, text) {
    var p = document.getElementById(input.id + "-error");
    if (!p) {
      p = document.createElement("p");
      p.className = "field-error";
      p.id = input.id + "-error";
      var after = document.getElementById(input.id + "-hint") || input;
      after.parentNode.insertBefore(p, after.nextSibling);
    }
    p.textContent = text;
    input.setAttribute("aria-invalid", "true");
    var hint = document.getElementById(input.id + "-hint");
    input.setAttribute("aria-describedby", p.id + (hint ? " " + hint.id : ""));
    input.focus();
  }

  /* Upload with a progress bar (XHR); the server answers with the same pages as without JS. The server reads
     the body as it arrives: the CSRF token goes in a header and the file last, so a refused file still leaves
     every other field filled in on the answer page. */
  function enhanceUpload(form) {
    var box = form.querySelector(".upload-progress");
    if (!box || !window.FormData) return;
    var bar = box.querySelector("progress"), label = box.querySelector("[data-percent]");
    var input = form.querySelector("input[type=file]");
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var max = parseInt(form.getAttribute("data-max-bytes"), 10);
      if (input && input.files && input.files[0] && max && input.files[0].size > max) {
        fileError(input, form.getAttribute("data-too-large"));
        return;
      }
      var data = new FormData(form), file = data.get("file");
      data.delete("file");
      if (file !== null) data.append("file", file);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRFToken", csrf());
      xhr.setRequestHeader("Accept", "text/html");
      box.hidden = false;
      xhr.upload.onprogress = function (e) {
        if (!e.lengthComputable) return;
        var pct = Math.round(100 * e.loaded / e.total);
        bar.value = pct;
        label.textContent = label.getAttribute("data-template").replace("{pct}", digits(pct + "%"));
      };
      xhr.onload = function () {
        if (xhr.status < 400 && xhr.responseURL && xhr.responseURL.indexOf(form.action) !== 0) {
          window.location.assign(xhr.responseURL);
          return;
        }
        var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
        var main = doc.querySelector("main");
        if (main) { document.querySelector("main").innerHTML = main.innerHTML; init(document.querySelector("main")); }
        var first = document.querySelector("[aria-invalid=true], .error");
        if (first) first.focus();
      };
      xhr.onerror = function () { box.hidden = true; form.submit(); };
      xhr.send(data);
    });
  }

  /* Player, waveform and transcript kept in step. */
  function enhancePlayer(audio) {
    var wave = document.querySelector("svg.waveform:not(.trim)"), played = wave && wave.querySelector(".played-clip rect");
    var cursor = wave && wave.querySelector(".cursor");
    var items = Array.prototype.slice.call(document.querySelectorAll("ol.transcript li[data-start]"));
    var current = null;
    function seek(t, play) {
      audio.currentTime = t;
      if (play) { var p = audio.play(); if (p && p.catch) p.catch(function () {}); }
    }
    audio.addEventListener("timeupdate", function () {
      var t = audio.currentTime, d = audio.duration || parseFloat(audio.getAttribute("data-duration")) || 0;
      if (wave && d) {
        var x = String(1000 * t / d);
        if (played) played.setAttribute("width", x);
        if (cursor) { cursor.setAttribute("x1", x); cursor.setAttribute("x2", x); }
      }
      var hit = null;
      for (var i = 0; i < items.length; i++) {
        if (t >= parseFloat(items[i].dataset.start) && t < parseFloat(items[i].dataset.end)) { hit = items[i]; break; }
      }
      if (hit !== current) {
        if (current) { current.classList.remove("current"); current.removeAttribute("aria-current"); }
        if (hit) {
          hit.classList.add("current"); hit.setAttribute("aria-current", "true");
          var list = hit.parentNode;
          if (hit.offsetTop < list.scrollTop || hit.offsetTop > list.scrollTop + list.clientHeight - 40)
            list.scrollTop = hit.offsetTop - list.offsetTop - 20;
        }
        current = hit;
      }
    });
    if (wave) {
      wave.addEventListener("click", function (e) {
        var r = wave.getBoundingClientRect(), d = audio.duration || parseFloat(audio.getAttribute("data-duration"));
        if (d) seek(d * (e.clientX - r.left) / r.width, true);
      });
      wave.addEventListener("keydown", function (e) {
        if (e.key === "ArrowRight") { seek(audio.currentTime + 5); e.preventDefault(); }
        if (e.key === "ArrowLeft") { seek(Math.max(0, audio.currentTime - 5)); e.preventDefault(); }
      });
    }
    items.forEach(function (li) {
      var link = li.querySelector("a.seek");
      if (link) link.addEventListener("click", function (e) { e.preventDefault(); seek(parseFloat(li.dataset.start), true); });
    });
    var t = parseFloat(new URLSearchParams(window.location.search).get("t"));
    if (!isNaN(t)) {
      var start = function () { seek(t, true); };
      if (audio.readyState >= 1) start(); else audio.addEventListener("loadedmetadata", start, { once: true });
    }
  }

  /* Job status: poll the API while a job runs, then reload to show its result. */
  function watchJob(el) {
    var url = el.getAttribute("data-job-url"), bar = el.querySelector("progress"), text = el.querySelector("[data-status]");
    var tick = function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
        return r.ok ? r.json() : null;
      }).then(function (job) {
        if (!job) return;
        if (bar) bar.value = Math.round(100 * (job.progress || 0));
        if (text) text.textContent = el.getAttribute("data-label-" + job.status) || job.status;
        if (job.status === "done" || job.status === "failed") { window.location.reload(); return; }
        setTimeout(tick, 2000);
      }).catch(function () { setTimeout(tick, 5000); });
    };
    setTimeout(tick, 1500);
  }

  /* Rundown editor: drag a row onto another to move it (the row's own move form is submitted with "to"). */
  function enhanceRundown(list) {
    var dragged = null;
    list.querySelectorAll("li[data-index]").forEach(function (li) {
      /* Only the row's head drags it: the waveform and the inputs keep their own pointer gestures. */
      li.draggable = true;
      li.addEventListener("pointerdown", function (e) { li.draggable = !!e.target.closest(".item-head") && !e.target.closest("button"); });
      li.addEventListener("dragstart", function (e) {
        if (e.target !== li) return;
        dragged = li; li.classList.add("dragging");
        e.dataTransfer.effectAllowed = "move"; e.dataTransfer.setData("text/plain", li.getAttribute("data-index"));
      });
      li.addEventListener("dragend", function () { li.classList.remove("dragging"); dragged = null; });
      li.addEventListener("dragover", function (e) { if (dragged && dragged !== li) { e.preventDefault(); li.classList.add("drop-target"); } });
      li.addEventListener("dragleave", function () { li.classList.remove("drop-target"); });
      li.addEventListener("drop", function (e) {
        e.preventDefault(); li.classList.remove("drop-target");
        if (!dragged || dragged === li) return;
        var form = dragged.querySelector("form.move-form"), to = document.createElement("input");
        to.type = "hidden"; to.name = "to"; to.value = li.getAttribute("data-index");
        form.querySelectorAll("button[name=to]").forEach(function (b) { b.disabled = true; });
        form.appendChild(to); form.submit();
      });
    });
  }

  /* In/out points on an item's waveform: drag the nearer handle (or click to move it); the number inputs follow,
     and letting go saves the item (the same form as without the script). */
  function enhanceTrim(svg) {
    var li = svg.closest("li"), form = li && li.querySelector("form[data-item-form]");
    if (!form) return;
    var duration = parseFloat(svg.getAttribute("data-duration")), inInput = form.querySelector("[data-in]"),
        outInput = form.querySelector("[data-out]"), which = null;
    var draw = function () {
      var a = 1000 * (parseFloat(inInput.value) || 0) / duration, b = 1000 * (parseFloat(outInput.value) || duration) / duration;
      svg.querySelector(".handle.in").setAttribute("x1", a); svg.querySelector(".handle.in").setAttribute("x2", a);
      svg.querySelector(".handle.out").setAttribute("x1", b); svg.querySelector(".handle.out").setAttribute("x2", b);
      svg.querySelector(".cut-in").setAttribute("width", a);
      svg.querySelector(".cut-out").setAttribute("x", b); svg.querySelector(".cut-out").setAttribute("width", Math.max(0, 1000 - b));
    };
    var at = function (e) {
      var box = svg.getBoundingClientRect();
      return Math.min(Math.max((e.clientX - box.left) / box.width, 0), 1) * duration;
    };
    var place = function (t) {
      var a = parseFloat(inInput.value) || 0, b = parseFloat(outInput.value) || duration;
      if (which === "in") inInput.value = Math.min(t, b - 0.1).toFixed(2);
      else outInput.value = Math.max(t, a + 0.1).toFixed(2);
      draw();
    };
    svg.addEventListener("pointerdown", function (e) {
      var t = at(e), a = parseFloat(inInput.value) || 0, b = parseFloat(outInput.value) || duration;
      which = Math.abs(t - a) <= Math.abs(t - b) ? "in" : "out";
      svg.setPointerCapture(e.pointerId); place(t); e.preventDefault();
    });
    svg.addEventListener("pointermove", function (e) { if (which) place(at(e)); });
    svg.addEventListener("pointerup", function () { if (which) { which = null; form.submit(); } });
    [inInput, outInput].forEach(function (input) { input.addEventListener("input", draw); });
  }

  function init(root) {
    root.querySelectorAll("ol[data-rundown]").forEach(enhanceRundown);
    root.querySelectorAll("svg[data-trim]").forEach(enhanceTrim);
    root.querySelectorAll("form[data-upload]").forEach(enhanceUpload);
    root.querySelectorAll("[data-job-url]").forEach(watchJob);
    root.querySelectorAll("[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (e) { if (!window.confirm(f.getAttribute("data-confirm"))) e.preventDefault(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var audio = document.querySelector("audio[data-player]");
    if (audio) enhancePlayer(audio);
    init(document);
  });
})();
