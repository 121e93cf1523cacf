// Live view of the kiosk admin page: polls /live.json every 2 s and updates
// the page in place. Without it the page still works (reload to refresh).
"use strict";
(function () {
  var root = document.getElementById("live");
  if (!root) { return; }
  var version = root.getAttribute("data-version");
  var csrfInput = root.querySelector("input[name=csrf]");
  var csrf = csrfInput ? csrfInput.value : "";

  function text(id, value) {
    var el = document.getElementById(id);
    if (el) { el.textContent = value ? value : "\u2014"; }
    return el;
  }

  function helpItem(h) {
    var li = document.createElement("li");
    li.setAttribute("data-id", String(h.id));
    li.className = h.taken_by ? "taken" : "waiting";
    var at = document.createElement("span");
    at.className = "help-at";
    at.textContent = h.at;
    var age = document.createElement("span");
    age.className = "help-age";
    age.textContent = h.age;
    li.appendChild(at);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(age);
    li.appendChild(document.createTextNode(" "));
    if (h.taken_by) {
      var taken = document.createElement("span");
      taken.className = "help-taken";
      taken.textContent = "prise en charge par " + h.taken_by + " \u00e0 " + h.taken_at;
      li.appendChild(taken);
    } else {
      var form = document.createElement("form");
      form.method = "post";
      form.action = "/live/help";
      form.className = "inline";
      [["csrf", csrf], ["id", String(h.id)]].forEach(function (kv) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = kv[0];
        input.value = kv[1];
        form.appendChild(input);
      });
      var b = document.createElement("button");
      b.type = "submit";
      b.className = "take";
      b.textContent = "Pris en charge";
      form.appendChild(b);
      li.appendChild(form);
    }
    return li;
  }

  function renderHelp(v) {
    var list = document.getElementById("help-list");
    var help = v.help || [];
    if (String(v.version) === version) {
      help.forEach(function (h) {
        var age = list.querySelector('li[data-id="' + h.id + '"] .help-age');
        if (age) { age.textContent = h.age; }
      });
      return;
    }
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (help.length === 0) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = "Aucune demande d'aide.";
      list.appendChild(none);
    }
    help.forEach(function (h) { list.appendChild(helpItem(h)); });
  }

  function render(v) {
    var label = text("live-label", v.label);
    if (label) { label.setAttribute("data-state", v.state); }
    var rem = text("live-remaining", v.remaining);
    if (rem) { rem.className = v.warning ? "bad" : ""; }
    text("live-idle", v.idle);
    text("live-countdown", v.countdown);
    text("live-lang", v.lang);
    text("live-mode", v.mode);
    text("live-agent", v.agent);
    text("live-message", v.message);
    text("live-overrides", (v.overrides || []).join(", "));
    text("live-fault", v.error);
    text("live-pin", v.pin);
    text("live-updated", v.updated);
    document.getElementById("help-pending").textContent = String(v.pending);
    document.getElementById("help-box").className = "help-box" + (v.pending ? " pending" : "");
    renderHelp(v);
    Array.prototype.forEach.call(document.querySelectorAll(".session-action"), function (b) {
      b.disabled = !v.in_session;
    });
    version = String(v.version);
    root.setAttribute("data-version", version);
  }

  function stale(on) {
    document.getElementById("live-stale").hidden = !on;
  }

  function poll() {
    fetch("/live.json", { credentials: "same-origin", cache: "no-store", redirect: "error" })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (v) { render(v); stale(false); setTimeout(poll, 2000); },
        function () { stale(true); setTimeout(poll, 5000); });
  }
  setTimeout(poll, 2000);
})();
