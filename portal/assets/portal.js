// Behaviour of the portal pages (inlined, allowed by the page's CSP hash).
// The shell's bound functions are used when they exist (docs/api.md), so the
// pages also work in a plain browser.
(function () {
  'use strict';
  var d = {};
  try { d = JSON.parse(document.getElementById('kiosk-data').textContent); } catch (e) { d = {}; }
  var msgs = d.msgs || {};
  function call(name) {
    var f = window[name], args = Array.prototype.slice.call(arguments, 1);
    if (typeof f !== 'function') { return null; }
    try {
      return Promise.resolve(f.apply(window, args));
    } catch (e) {
      return Promise.reject(e);
    }
  }
  function $(id) { return document.getElementById(id); }
  function show(id) { var e = $(id); if (e) { e.hidden = false; } }
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
        if (st && (st.state === 'active' || st.state === 'countdown')) { location.href = href; } else if (st && st.maintenance) { maintenance(); } else { location.reload(); }
      }, function () { location.reload(); });
    });
  }

  // maintenance shows the maintenance screen (the terminal is drained for
  // a restart or reboot) instead of the start buttons.
  function maintenance() {
    show('maintenance');
    hideAll('p.start');
    starting = false;
  }

  function answer(a) {
    if (answered) { return; }
    answered = true;
    call('kioskSatisfaction', a);
    hideAll('.answers');
    show('thanks');
  }

  // The agent keypad: "unlock" opens a supervised session, then goes to
  // kp.target; "override" opens the blocked host for this session.
  var kp = { purpose: '', target: '', pin: '', busy: false, until: 0, timer: 0 };
  var MIN = 6, MAX = 12;

  function fmt(key, n) { return (msgs[key] || '').replace('{n}', String(n)); }
  function setMsg(s) { var e = $('pin-msg'); if (e) { e.textContent = s; } }
  function drawDots() { $('pin-dots').textContent = new Array(kp.pin.length + 1).join('\u25CF'); }
  function setKeys() {
    var locked = Date.now() < kp.until;
    Array.prototype.forEach.call(document.querySelectorAll('#keypad .key'), function (b) {
      var k = b.getAttribute('data-key');
      b.disabled = kp.busy || locked || (k === 'ok' && kp.pin.length < MIN);
    });
  }
  function tickLock() {
    var left = Math.ceil((kp.until - Date.now()) / 1000);
    if (left <= 0) {
      clearInterval(kp.timer); kp.timer = 0; kp.until = 0;
      setMsg(''); setKeys();
      return;
    }
    var t = left >= 60 ? fmt('pin.min', Math.ceil(left / 60)) : fmt('pin.sec', left);
    setMsg((msgs['pin.locked'] || '').replace('{t}', t));
  }
  function lockFor(s) {
    if (!(s > 0)) { return false; }
    kp.until = Date.now() + s * 1000;
    if (!kp.timer) { kp.timer = setInterval(function () { tickLock(); setKeys(); }, 1000); }
    tickLock(); setKeys();
    return true;
  }
  // syncLock shows a lockout the service already holds (pin_retry_s).
  function syncLock(then) {
    var s = call('kioskState');
    if (!s) { if (then) { then(); } return; }
    s.then(function (st) {
      // pin_locked_until is on this machine's clock; pin_retry_s may be
      // older (the shell's last long poll).
      var left = st && st.pin_locked_until ? (Date.parse(st.pin_locked_until) - Date.now()) / 1000 : (st && st.pin_retry_s);
      if (!(st && lockFor(Math.ceil(left))) && then) { then(); }
    }, function () { if (then) { then(); } });
  }
  function openKeypad(purpose, target) {
    kp.purpose = purpose; kp.target = target || ''; kp.pin = ''; kp.busy = false;
    setMsg(''); drawDots(); show('keypad'); setKeys();
    syncLock();
    var ok = document.querySelector('#keypad [data-key="1"]');
    if (ok) { ok.focus(); }
  }
  function closeKeypad() {
    $('keypad').hidden = true; kp.pin = ''; kp.purpose = '';
    if (kp.timer) { clearInterval(kp.timer); kp.timer = 0; }
  }
  // reason turns a rejected binding into {code, retry}: the shell rejects
  // with the API's error body (an object or its JSON text).
  function reason(r) {
    var o = r;
    if (typeof r === 'string') { try { o = JSON.parse(r); } catch (e) { o = { error: r }; } }
    if (r && r.message && typeof r.message === 'string' && !r.code) { try { o = JSON.parse(r.message); } catch (e) { o = { error: r.message }; } }
    o = o || {};
    var code = o.code || '', retry = o.retry_after_s || 0, m = String(o.error || '');
    // A shell that rejects with the message only: the service's messages
    // are stable ("wrong PIN …", "too many wrong PINs: … locked for 1m0s").
    if (!code && /^wrong PIN/.test(m)) { code = 'wrong_pin'; }
    if (!code && /^too many wrong PINs/.test(m)) {
      code = 'locked';
      var d = /for (?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(m);
      if (d) { retry = (+(d[1] || 0)) * 3600 + (+(d[2] || 0)) * 60 + (+(d[3] || 0)); }
    }
    return { code: code, retry: retry };
  }
  function done() {
    closeKeypad();
    if (kp.purposeDone === 'unlock') { location.href = kp.target; return; }
    if (location.hostname === d.host) { location.reload(); return; }
    location.href = ['https:', '', d.host, ''].join('/');
  }
  function submit() {
    if (kp.busy || kp.pin.length < MIN || Date.now() < kp.until) { return; }
    var pin = kp.pin;
    kp.pin = ''; drawDots();
    kp.busy = true; setKeys(); setMsg('');
    var p = kp.purpose === 'unlock' ? call('kioskUnlock', pin, d.lang) : call('kioskOverride', pin, d.host);
    pin = '';
    if (!p) { kp.busy = false; setKeys(); setMsg(msgs['pin.error'] || ''); return; }
    p.then(function () {
      kp.busy = false; kp.purposeDone = kp.purpose; done();
    }, function (r) {
      kp.busy = false;
      var e = reason(r);
      if (e.code === 'locked' && lockFor(e.retry)) { return; }
      setKeys();
      if (e.code === 'wrong_pin') { setMsg(msgs['pin.wrong'] || ''); syncLock(); return; }
      syncLock(function () { setMsg(msgs['pin.error'] || ''); });
    });
  }
  function press(k) {
    if (kp.busy) { return; }
    if (k === 'cancel') { closeKeypad(); return; }
    if (Date.now() < kp.until) { return; }
    if (k === 'back') {
      kp.pin = kp.pin.slice(0, -1);
    } else if (k === 'ok') {
      if (kp.pin.length < MIN) { setMsg(msgs['pin.short'] || ''); return; }
      submit();
      return;
    } else if (/^[0-9]$/.test(k) && kp.pin.length < MAX) {
      kp.pin += k;
    }
    setMsg(''); drawDots(); setKeys();
  }
  document.addEventListener('keydown', function (ev) {
    if (!kp.purpose) { return; }
    var k = ev.key;
    if (/^[0-9]$/.test(k)) { press(k); } else if (k === 'Backspace') { press('back'); } else if (k === 'Enter') { press('ok'); } else if (k === 'Escape') { press('cancel'); } else { return; }
    ev.preventDefault();
  });

  document.addEventListener('click', function (ev) {
    var el = ev.target.closest && ev.target.closest('[data-start],[data-unlock],[data-back],[data-help],[data-answer],[data-key]');
    if (!el) { return; }
    ev.preventDefault();
    if (el.hasAttribute('data-key')) {
      press(el.getAttribute('data-key'));
    } else if (el.hasAttribute('data-start')) {
      if (d.mode === 'supervised-only') { openKeypad('unlock', el.getAttribute('href')); } else { start(el.getAttribute('href')); }
    } else if (el.hasAttribute('data-unlock')) {
      openKeypad('unlock', el.getAttribute('href'));
    } else if (el.hasAttribute('data-back')) {
      if (!call('kioskBack')) { history.back(); }
    } else if (el.hasAttribute('data-help')) {
      // Only the resident's own press asks for an agent (the shell checks
      // it too): the page never raises a request by itself.
      if (!ev.isTrusted) { return; }
      var h = call('kioskHelp');
      if (h) { h.then(function () { show('help-sent'); }, function () {}); }
      if ($('keypad') && d.host) { openKeypad('override'); }
    } else if (el.hasAttribute('data-answer')) {
      answer(el.getAttribute('data-answer'));
    }
  });

  if (d.page === 'welcome') {
    // A shell that started a supervised session waits in "unlock": show
    // the keypad at once.
    var st = call('kioskState');
    if (st) {
      st.then(function (s) {
        var a = document.querySelector('a.btn.big[data-start]');
        if (s && s.state === 'unlock' && a && !kp.purpose) { openKeypad('unlock', a.getAttribute('href')); }
        if (s && s.maintenance) { maintenance(); }
      }, function () {});
    }
  }
  if (d.page === 'end' && d.satisfaction_s > 0) {
    var left = d.satisfaction_s;
    var c = $('count');
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
