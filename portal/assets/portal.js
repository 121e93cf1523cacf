// Behaviour of the portal pages (inlined, allowed by the page's CSP hash).
// The shell's bound functions are used when they exist (docs/api.md), so the
// pages also work in a plain browser.
(function () {
  'use strict';
  var d = {};
  try { d = JSON.parse(document.getElementById('kiosk-data').textContent); } catch (e) { d = {}; }
  function call(name, arg) {
    var f = window[name];
    if (typeof f !== 'function') { return null; }
    try {
      return Promise.resolve(arg === undefined ? f() : f(arg));
    } catch (e) {
      return Promise.reject(e);
    }
  }
  function show(id) { var e = document.getElementById(id); if (e) { e.hidden = false; } }
  function hideAll(sel) {
    Array.prototype.forEach.call(document.querySelectorAll(sel), function (e) { e.hidden = true; });
  }
  var starting = false, answered = false;

  function start(href) {
    if (starting) { return; }
    starting = true;
    var p = call('kioskStart', d.lang);
    if (!p) { location.href = href; return; }
    p.then(function () { location.href = href; }, function () {
      // Maybe already started (double tap) or out of order: ask the shell.
      var s = call('kioskState');
      if (!s) { location.reload(); return; }
      s.then(function (st) {
        if (st && (st.state === 'active' || st.state === 'countdown')) { location.href = href; } else { location.reload(); }
      }, function () { location.reload(); });
    });
  }

  function answer(a) {
    if (answered) { return; }
    answered = true;
    call('kioskSatisfaction', a);
    hideAll('.answers');
    show('thanks');
  }

  document.addEventListener('click', function (ev) {
    var el = ev.target.closest && ev.target.closest('[data-start],[data-back],[data-help],[data-answer]');
    if (!el) { return; }
    ev.preventDefault();
    if (el.hasAttribute('data-start')) {
      start(el.getAttribute('href'));
    } else if (el.hasAttribute('data-back')) {
      if (!call('kioskBack')) { history.back(); }
    } else if (el.hasAttribute('data-help')) {
      call('kioskHelp');
      show('help-sent');
    } else if (el.hasAttribute('data-answer')) {
      answer(el.getAttribute('data-answer'));
    }
  });

  if (d.page === 'aide') {
    call('kioskHelp');
  }
  if (d.page === 'end' && d.satisfaction_s > 0) {
    var left = d.satisfaction_s;
    var c = document.getElementById('count');
    var timer = setInterval(function () {
      left -= 1;
      if (c) { c.value = Math.max(left, 0); }
      if (left <= 0) {
        clearInterval(timer);
        if (!answered) { answered = true; hideAll('.answers'); show('thanks'); }
      }
    }, 1000);
  }
})();
