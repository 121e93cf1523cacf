// kiosk toolbar: injected by the shell (webview Init) into the top frame of
// every page. It shows Accueil, Retour, the time left, "Besoin d'aide" and
// "Terminer ma session", the idle countdown and the time warning, in the
// session language. It reserves its space at the top of the page (and moves
// the page's own fixed headers below it) so that it never covers the page.
// It talks to the shell through the bound functions of docs/api.md.
// Everything is built with DOM calls (no innerHTML: Trusted Types) and
// styled in a shadow root (constructable stylesheet: page CSP).
(function (S, PORTAL) {
  'use strict';
  if (window.top !== window || window.__kioskToolbar) { return; }
  window.__kioskToolbar = true;

  var BAR = 76;           // bar height, px
  var POLL = 1000;        // kioskState() poll, ms
  var ACTIVITY = 5000;    // kioskActivity() throttle, ms
  var state = null, stateAt = 0, reserved = -1;
  var helpUntil = 0, confirming = false, lastActivity = 0;
  var notice = '', noticeUntil = 0; // notice from the shell (kioskNotice): a message key
  var docs = { open: false, scanning: false, multipage: false, docs: [] }; // kioskDocuments
  var host, root, ui = {};
  var shifted = new Map(); // page element -> its own top, px
  var panelOpen = false; // the display panel ("Aa")
  var display = { zoom: 1, min_zoom: true, max_zoom: false, contrast: false, pointer: false }; // kioskDisplay
  var speech = { available: false, speaking: false }; // kioskSpeech: "Écouter" shown, reading
  var MAX_TEXT = 6000; // characters of a site's page read at once

  var CSS = [
    ':host{all:initial}',
    '*{box-sizing:border-box;font-family:"Noto Sans","DejaVu Sans",Arial,sans-serif}',
    '.bar{position:fixed;top:0;left:0;right:0;height:' + BAR + 'px;z-index:2147483647;display:flex;align-items:center;gap:10px;padding:0 12px;background:#10105a;color:#fff;font-size:22px;font-weight:700;line-height:1.2}',
    '.bar button{min-height:56px;min-width:56px;padding:0 18px;font:inherit;font-weight:700;border-radius:10px;border:2px solid #fff;background:#fff;color:#10105a;cursor:pointer;white-space:nowrap}',
    '.bar button.end{background:#c9191e;color:#fff}',
    'button:focus-visible{outline:4px solid #ffd43b;outline-offset:2px}',
    // The time left always shows whole: "Temps restant" (and a supervised
    // session's agent) on small lines above it, each cut on its own.
    '.time{flex:1;min-width:0;display:flex;flex-direction:column;align-items:center;justify-content:center;text-align:center;font-size:24px;line-height:1.15;white-space:nowrap;overflow:hidden}',
    '.time > span{max-width:100%;overflow:hidden;text-overflow:ellipsis}',
    '.time .with,.time .label{font-size:17px;font-weight:400}',
    '.time.low{color:#ffd43b}',
    '.banner{position:fixed;top:' + BAR + 'px;left:0;right:0;z-index:2147483647;padding:12px 20px;font-size:22px;font-weight:700;line-height:1.3;background:#ffe9a8;color:#161616;border-bottom:3px solid #b34000}',
    '.banner p{margin:0}',
    '.banner button{margin-top:10px;min-height:56px;padding:0 28px;font:inherit;font-weight:700;border-radius:10px;border:2px solid #000091;background:#000091;color:#fff;cursor:pointer}',
    '.overlay{position:fixed;top:0;left:0;right:0;bottom:0;z-index:2147483647;background:rgba(16,16,90,.94);display:flex;align-items:center;justify-content:center}',
    '.card{background:#fff;color:#161616;border-radius:18px;padding:40px;max-width:760px;width:calc(100% - 48px);text-align:center}',
    '.card h2{font-size:40px;line-height:1.2;margin:0 0 16px}',
    '.card p{font-size:24px;line-height:1.4;margin:8px 0}',
    '.count{font-size:96px;font-weight:700;color:#000091;margin:8px 0}',
    '.actions{display:flex;gap:16px;justify-content:center;flex-wrap:wrap;margin-top:24px}',
    '.card button{min-height:72px;min-width:160px;padding:0 36px;font-size:28px;font-weight:700;border-radius:12px;border:3px solid #000091;background:#000091;color:#fff;cursor:pointer}',
    '.card button.secondary{background:#fff;color:#000091}',
    '.docs-overlay{top:' + BAR + 'px}', // the bar stays usable ("Terminer ma session")
    '.docs{list-style:none;margin:16px 0 0;padding:0;text-align:start}',
    '.docs li{display:flex;align-items:center;justify-content:space-between;gap:16px;padding:12px 0;border-top:2px solid #ddd;font-size:24px}',
    '.card .docs button{min-height:60px;min-width:120px;padding:0 20px;font-size:22px}',
    '.row-actions{display:flex;gap:10px;flex-wrap:wrap;justify-content:flex-end}',
    '.card p.wait{font-weight:700;color:#000091}',
    // The resident's USB key in the documents overlay (kiosk shell --usb).
    '.card{max-height:calc(100vh - ' + (BAR + 24) + 'px);overflow-y:auto}',
    '.usb{margin-top:20px;text-align:start}',
    '.card .usb h3{font-size:28px;margin:0 0 8px}',
    '.usb-files li{flex-wrap:wrap}',
    '.usb-files .meta{display:block;font-size:20px;color:#3a3a3a}',
    '.usb-files .reason{font-size:20px;font-weight:700;color:#8a2c00}',
    '.usb-files .reason.threat{color:#c9191e}',
    ':host(.hc) .usb-files .meta{color:#fff}',
    ':host(.hc) .usb-files .reason{color:#ffff00}',
    '[hidden]{display:none!important}',
    // Display settings (kioskDisplay): high contrast, a larger pointer.
    '.panel{position:fixed;top:' + BAR + 'px;left:0;right:0;z-index:2147483647;display:flex;flex-wrap:wrap;gap:12px;justify-content:center;padding:12px;background:#10105a;border-top:2px solid #fff;font-size:22px;font-weight:700}',
    '.panel button{min-height:56px;min-width:72px;padding:0 18px;font:inherit;font-weight:700;border-radius:10px;border:2px solid #fff;background:#fff;color:#10105a;cursor:pointer}',
    '.panel button[disabled]{opacity:.45}',
    'button[aria-pressed=true]{background:#ffd43b!important;color:#000!important;border-color:#ffd43b!important}',
    ':host(.hc) .bar,:host(.hc) .panel{background:#000;color:#fff;border-bottom:3px solid #fff}',
    ':host(.hc) .bar button,:host(.hc) .panel button,:host(.hc) .card button,:host(.hc) .banner button{background:#000;color:#ffff00;border:3px solid #ffff00}',
    ':host(.hc) .bar button[aria-pressed=true],:host(.hc) .card button:not(.secondary){background:#ffff00;color:#000}',
    ':host(.hc) .time.low{color:#ffff00}',
    ':host(.hc) .banner,:host(.hc) .card{background:#000;color:#fff;border:3px solid #fff}',
    ':host(.hc) .overlay{background:rgba(0,0,0,.96)}',
    ':host(.hc) .count,:host(.hc) .card p.wait{color:#ffff00}',
    // "Écouter" (kioskSpeak): in the bar during a session; on the portal's
    // pages outside one (welcome, end question), a button of its own.
    '.bar button.listen,.float-listen{display:inline-flex;align-items:center;gap:8px}',
    // The loudspeaker and the stop square are an inline SVG drawn in the
    // button's text colour (currentColor): high contrast's user style
    // sheet, which paints every background black, leaves them visible.
    '.speaker{display:inline-block;width:28px;height:28px;flex:none;overflow:visible}',
    '.speaker .stop,button.speaking .speaker .cone{display:none}button.speaking .speaker .stop{display:inline}',
    '.float-listen{position:fixed;bottom:20px;inset-inline-end:20px;z-index:2147483647;min-height:64px;min-width:64px;padding:0 24px;font-size:24px;font-weight:700;border-radius:12px;border:3px solid #fff;background:#10105a;color:#fff;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.35)}',
    'button.speaking{background:#ffd43b!important;color:#000!important;border-color:#000!important}',
    // In the bar, where room is short, the loudspeaker alone (its name,
    // "Écouter" or "Stop", is its aria-label and title); while reading,
    // a stop square.
    '.bar button.listen{padding:0 14px}.bar button.listen .label{display:none}',
    ':host(.hc) .float-listen{background:#000;color:#ffff00;border:3px solid #ffff00;box-shadow:none}',
    ':host(.ptr) *{cursor:url("data:image/svg+xml,%3Csvg xmlns=%27http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%27 width=%2764%27 height=%2764%27 viewBox=%270 0 64 64%27%3E%3Cpath d=%27M4 2 L4 54 L17 42 L27 62 L36 58 L26 38 L44 38 Z%27 fill=%27black%27 stroke=%27white%27 stroke-width=%273%27 stroke-linejoin=%27round%27%2F%3E%3C%2Fsvg%3E") 4 2,default!important}',
    '@media (max-width:900px){.bar{font-size:20px;gap:6px;padding:0 6px}.bar button{padding:0 10px}.time .label{display:none}}'
  ].join('\n');

  function lang() { return (state && S[state.lang]) ? state.lang : 'fr'; }
  function t(key, n) {
    var s = S[lang()][key] || S.fr[key] || '';
    return n === undefined ? s : s.replace('{n}', String(n));
  }
  // The shell's handler in the toolbar's own script world (WebKitGTK): the
  // page's scripts can neither see it nor call it. Elsewhere (WebView2,
  // a plain browser) the bound functions of the page's world.
  var native = window.webkit && window.webkit.messageHandlers && window.webkit.messageHandlers.kiosk;
  var pending = {}, seq = 0;
  window.__kioskToolbarReply = function (id, ok, result) {
    var p = pending[id];
    delete pending[id];
    if (p) { (ok ? p[0] : p[1])(result); }
  };
  function post(name, args) {
    return new Promise(function (resolve, reject) {
      var id = String(++seq);
      pending[id] = [resolve, reject];
      native.postMessage(JSON.stringify({ id: id, name: name, args: args }));
    });
  }
  function call(name, arg) {
    if (native) { return post(name, arg === undefined ? [] : [arg]); }
    var f = window[name];
    if (typeof f !== 'function') { return null; }
    try {
      return Promise.resolve(arg === undefined ? f() : f(arg));
    } catch (e) {
      return Promise.reject(e);
    }
  }
  function el(tag, cls, parent) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  // button: only the resident's own press acts (a script's click() or
  // dispatchEvent() makes an untrusted event, reported and ignored).
  function button(parent, cls, action) {
    var b = el('button', cls, parent);
    b.type = 'button';
    b.addEventListener('click', function (ev) {
      ev.preventDefault();
      ev.stopPropagation();
      if (!ev.isTrusted) {
        if (native) { native.postMessage(JSON.stringify({ id: 'u', name: '_untrusted', args: [cls] })); }
        return;
      }
      action();
    });
    return b;
  }
  function elapsed() { return (Date.now() - stateAt) / 1000; }
  // helpTakenRecently: an agent took the last help request less than a
  // minute ago (the resident sees it for a minute).
  function helpTakenRecently() {
    var h = state && state.help_taken && state.help && state.help[state.help.length - 1];
    if (!h || !h.taken_at) { return false; }
    var age = (Date.parse(state.now) - Date.parse(h.taken_at)) / 1000 + elapsed();
    return age >= 0 && age < 60;
  }
  function inSession() { return !!state && (state.state === 'active' || state.state === 'countdown'); }
  function onPortal() { return location.origin === PORTAL.replace(/\/$/, ''); }
  // pageLang: the language of the portal's page shown (the welcome
  // page's choice), else the session's.
  function pageLang() {
    var l = ((document.documentElement && document.documentElement.lang) || '').toLowerCase().split('-')[0];
    return onPortal() && S[l] ? l : lang();
  }

  function build() {
    host = document.createElement('kiosk-toolbar');
    host.style.setProperty('all', 'initial', 'important');
    root = host.attachShadow({ mode: 'open' });
    if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function') {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } else {
      el('style', '', root).textContent = CSS;
    }
    ui.bar = el('div', 'bar', root);
    ui.bar.setAttribute('role', 'toolbar');
    ui.home = button(ui.bar, 'home', function () {
      if (!call('kioskHome')) { location.href = PORTAL + 'home?lang=' + lang(); }
    });
    ui.back = button(ui.bar, 'back', function () {
      if (!call('kioskBack')) { history.back(); }
    });
    // "Aa" opens the display panel: larger text, contrast, pointer. The
    // shell applies them to the view (kioskDisplay, after the resident's
    // own touch) and answers with the settings.
    ui.display = button(ui.bar, 'display', function () { panelOpen = !panelOpen; render(); });
    ui.listen = listenButton(ui.bar, 'listen');
    ui.time = el('div', 'time', ui.bar);
    ui.timeWith = el('span', 'with', ui.time);
    ui.timeLabel = el('span', 'label', ui.time);
    ui.timeValue = el('span', 'value', ui.time);
    ui.help = button(ui.bar, 'help', function () {
      call('kioskHelp');
      helpUntil = Date.now() + 10000;
      render();
    });
    // "Clavier": the on-screen keyboard (keyboard.js); the field keeps the focus.
    ui.kbd = button(ui.bar, 'keyboard', function () { if (window.__kioskKeyboard) { window.__kioskKeyboard.toggle(); } });
    ui.kbd.addEventListener('mousedown', function (ev) { ev.preventDefault(); });
    ui.end = button(ui.bar, 'end', function () { confirming = true; render(); });
    ui.banner = el('div', 'banner', root);
    ui.listenFloat = listenButton(root, 'float-listen');
    ui.panel = el('div', 'panel', root);
    function disp(cls, change) {
      return button(ui.panel, cls, function () {
        var p = call('kioskDisplay', typeof change === 'function' ? change() : change);
        if (p) { p.then(window.kioskDisplay, function () {}); }
      });
    }
    ui.zoomOut = disp('zoom-out', 'zoom-out');
    ui.zoomIn = disp('zoom-in', 'zoom-in');
    ui.contrast = disp('contrast', function () { return display.contrast ? 'contrast-off' : 'contrast-on'; });
    ui.pointer = disp('pointer', function () { return display.pointer ? 'pointer-off' : 'pointer-on'; });
    ui.bannerText = el('p', '', ui.banner);
    // A live region: a screen reader says the time warning and the
    // notices when they come (WCAG 2.2.1, 4.1.3).
    ui.bannerText.setAttribute('role', 'status');
    ui.print = button(ui.banner, 'print', function () {
      notice = '';
      var p = call('kioskPrint'); // the shell prints only after real input
      if (p) { p.catch(function () {}); }
      render();
    });

    ui.idle = el('div', 'overlay idle', root);
    var card = el('div', 'card', ui.idle);
    card.setAttribute('role', 'alertdialog');
    ui.idleTitle = el('h2', '', card);
    ui.idleCount = el('div', 'count', card);
    ui.idleText = el('p', '', card);
    var acts = el('div', 'actions', card);
    ui.cont = button(acts, 'continue', function () {
      call('kioskContinue');
      if (state) { state.state = 'active'; }
      render();
    });

    ui.confirm = el('div', 'overlay confirm', root);
    card = el('div', 'card', ui.confirm);
    card.setAttribute('role', 'alertdialog');
    ui.confirmText = el('h2', '', card);
    acts = el('div', 'actions', card);
    ui.yes = button(acts, 'yes', function () { confirming = false; call('kioskEnd'); render(); });
    ui.no = button(acts, 'secondary no', function () { confirming = false; render(); });
    // Attaching a document: the page's file chooser waits; the resident
    // scans a page or picks one scanned earlier in this session.
    ui.docs = el('div', 'overlay docs-overlay', root);
    card = el('div', 'card', ui.docs);
    card.setAttribute('role', 'dialog');
    ui.docsTitle = el('h2', '', card);
    ui.docsText = el('p', '', card);
    ui.docsWait = el('p', 'wait', card);
    ui.docsList = el('ul', 'docs', card);
    // The USB key (docs.usb): its files, "Joindre" beside the attachable
    // ones, why the others are not, "Retirer la clé".
    ui.usb = el('div', 'usb', card);
    ui.usbTitle = el('h3', '', ui.usb);
    ui.usbText = el('p', 'wait', ui.usb);
    ui.usbList = el('ul', 'docs usb-files', ui.usb);
    ui.eject = button(ui.usb, 'secondary eject', function () { usbCall('eject', 0); });
    acts = el('div', 'actions', card);
    ui.scan = button(acts, 'scan', function () {
      var p = call('kioskScan');
      if (p) { p.catch(function () {}); }
    });
    ui.docsCancel = button(acts, 'secondary cancel', function () {
      docs.open = false;
      var p = call('kioskAttach', 0);
      if (p) { p.catch(function () {}); }
      render();
    });
    document.documentElement.appendChild(host);
  }

  // usbCall calls the toolbar-only binding kioskUSB(action, index).
  function usbCall(action, i) {
    if (!native) { return; }
    post('kioskUSB', [action, i]).catch(function () {});
  }
  var USB_STATUS = { '': 'doc.usb.none', reading: 'doc.usb.reading', 'no-antivirus': 'doc.usb.noav', failed: 'doc.usb.failed', replug: 'doc.usb.replug', removable: 'doc.usb.removable' };
  var USB_KIND = { pdf: 'PDF', jpeg: 'JPEG', png: 'PNG', heic: 'HEIC' };
  function usbSize(n) {
    if (n >= 1048576) { return t('doc.usb.mb', (n / 1048576).toFixed(1).replace('.', lang() === 'en' ? '.' : ',')); }
    return t('doc.usb.kb', Math.max(1, Math.round(n / 1024)));
  }
  function renderUSB() {
    var u = docs.usb;
    show(ui.usb, !!u);
    if (!u) { return; }
    var files = Array.isArray(u.files) ? u.files : [];
    setText(ui.usbTitle, t('doc.usb.title'));
    var msg = u.status === 'ready' ? (files.length ? (u.truncated ? 'doc.usb.truncated' : '') : 'doc.usb.empty') : (USB_STATUS[u.status || ''] || 'doc.usb.failed');
    setText(ui.usbText, msg ? t(msg) : '');
    show(ui.usbText, !!msg);
    setText(ui.eject, t('doc.usb.eject'));
    show(ui.eject, u.status === 'ready' || u.status === 'no-antivirus' || u.status === 'failed');
    var key = JSON.stringify(files) + '|' + lang() + '|' + !!u.copying + '|' + u.status;
    if (ui.usbList.dataset.key === key) { return; }
    ui.usbList.dataset.key = key;
    while (ui.usbList.firstChild) { ui.usbList.removeChild(ui.usbList.firstChild); }
    if (u.status !== 'ready') { return; }
    files.forEach(function (f) {
      var li = el('li', '', ui.usbList);
      li.dataset.file = String(f.i);
      var d = el('span', 'file', li);
      el('span', 'name', d).textContent = String(f.name);
      var meta = [USB_KIND[f.kind] || '', usbSize(f.size)];
      if (f.kind === 'pdf' && f.pages) { meta.push(f.pages === 1 ? t('doc.page1') : t('doc.pages', f.pages)); }
      el('span', 'meta', d).textContent = meta.filter(Boolean).join(' · ');
      if (f.ok) {
        var b = button(el('span', 'row-actions', li), 'usbattach', function () {
          docs.open = false;
          usbCall('attach', f.i);
          render();
        });
        b.dataset.file = String(f.i);
        b.textContent = t('doc.attach');
        b.disabled = !!u.copying;
      } else {
        el('span', 'reason' + (f.threat ? ' threat' : ''), li).textContent = String(f.reason || '');
      }
    });
  }

  function renderDocs() {
    setText(ui.docsTitle, t('doc.title'));
    setText(ui.docsText, t(docs.scanner === false ? 'doc.usb.intro' : 'doc.intro'));
    // Without a scanner the intro asks for the key: not while the card
    // says it can be removed.
    show(ui.docsText, !(docs.scanner === false && docs.usb && docs.usb.status === 'removable'));
    show(ui.scan, docs.scanner !== false);
    renderUSB();
    setText(ui.docsWait, docs.scanning ? t('doc.scanning') : (docs.docs.length ? '' : t('doc.none')));
    show(ui.docsWait, docs.scanning || (!docs.docs.length && docs.scanner !== false));
    setText(ui.scan, t(docs.docs.length ? 'doc.scannew' : 'doc.scan'));
    ui.scan.disabled = !!docs.scanning;
    setText(ui.docsCancel, t('doc.cancel'));
    var key = docs.docs.map(function (d) { return d.id + ':' + d.pages + '@' + d.at; }).join(',') + '|' + lang() + '|' + docs.multipage + docs.scanning;
    if (ui.docsList.dataset.key === key) { return; }
    ui.docsList.dataset.key = key;
    while (ui.docsList.firstChild) { ui.docsList.removeChild(ui.docsList.firstChild); }
    docs.docs.slice().reverse().forEach(function (d) {
      var li = el('li', '', ui.docsList);
      var pages = d.pages === 1 ? t('doc.page1') : t('doc.pages', d.pages);
      el('span', '', li).textContent = t('doc.item', d.n || d.id).replace('{p}', pages).replace('{at}', d.at);
      var acts = el('span', 'row-actions', li);
      if (docs.multipage) {
        var more = button(acts, 'secondary addpage', function () {
          var p = call('kioskScan', d.id);
          if (p) { p.catch(function () {}); }
        });
        more.dataset.doc = String(d.id);
        more.textContent = t('doc.addpage');
        more.disabled = !!docs.scanning;
      }
      var b = button(acts, 'attach', function () {
        docs.open = false;
        var p = call('kioskAttach', d.id);
        if (p) { p.catch(function () {}); }
        render();
      });
      b.dataset.doc = String(d.id);
      b.textContent = t('doc.attach');
    });
  }

  // Read-aloud. listenButton makes an "Écouter" button: a speaker and a
  // label. The shell reads; the toolbar says what (kioskSpeak).
  function listenButton(parent, cls) {
    var b = button(parent, cls, listen);
    // The page keeps its selection and focus: the press reads them.
    b.addEventListener('mousedown', function (ev) { ev.preventDefault(); });
    speakerIcon(b);
    el('span', 'label', b);
    b.hidden = true;
    return b;
  }
  // speakerIcon draws "Écouter"'s icon in b: a loudspeaker, or while
  // reading a stop square (CSS shows one, after button.speaking).
  function speakerIcon(b) {
    var svg = svgEl('svg', { 'class': 'speaker', viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false' }, b);
    svgEl('path', {
      'class': 'cone', d: 'M3 9h4l5-4v14l-5-4H3z M15.5 8.5a5 5 0 0 1 0 7 M18 6a8.5 8.5 0 0 1 0 12',
      fill: 'none', stroke: 'currentColor', 'stroke-width': '2', 'stroke-linejoin': 'round', 'stroke-linecap': 'round'
    }, svg);
    svgEl('rect', { 'class': 'stop', x: '3.5', y: '3.5', width: '17', height: '17', rx: '2.5', fill: 'currentColor' }, svg);
  }
  // svgEl appends an SVG element with attrs to parent.
  function svgEl(tag, attrs, parent) {
    var e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return parent.appendChild(e);
  }
  function listen() {
    var p = call('kioskSpeak', speech.speaking ? { do: 'stop' } : speakRequest());
    if (p) { p.then(window.kioskSpeech, function () {}); }
  }
  // speakRequest says what "Écouter" reads: the overlay or banner shown,
  // else the page: the kiosk's own (the shell has its texts), or a
  // site's selection, else its main content.
  function speakRequest() {
    if (inSession() && state.state === 'countdown') {
      return { do: 'idle', n: Math.max(0, Math.ceil((state.countdown_s || 0) - elapsed())) };
    }
    if (inSession() && confirming) { return { do: 'confirm' }; }
    if (inSession() && helpTakenRecently()) { return { do: 'help-taken' }; }
    if (inSession() && Date.now() < helpUntil) { return { do: 'help' }; }
    if (onPortal()) {
      var sent = document.getElementById('help-sent');
      if (sent && !sent.hidden) { return { do: 'help' }; }
      return { do: 'page', lang: pageLang() };
    }
    var r = pageText();
    return { do: 'page', lang: r.lang, text: r.text };
  }
  // pageText returns the resident's selection, else the page's main
  // content (main, [role=main], article, else the body), as plain text
  // of at most MAX_TEXT characters, and the language it is written in.
  function pageText() {
    var sel = window.getSelection ? window.getSelection() : null;
    var text = sel && !sel.isCollapsed ? String(sel) : '';
    var node = sel && text.trim() ? sel.anchorNode : null;
    if (!node) {
      node = document.querySelector('main') || document.querySelector('[role=main]') || document.querySelector('article') || document.body;
      text = node ? textOf(node) : '';
    }
    text = text.replace(/\s+/g, ' ').trim();
    if (text.length > MAX_TEXT) {
      var cut = text.lastIndexOf('. ', MAX_TEXT);
      if (cut < MAX_TEXT / 2) { cut = text.lastIndexOf(' ', MAX_TEXT); }
      text = text.slice(0, cut > 0 ? cut + 1 : MAX_TEXT);
    }
    var e = node && (node.nodeType === 1 ? node : node.parentElement);
    var withLang = e && e.closest ? e.closest('[lang]') : null;
    return { text: text, lang: withLang ? withLang.getAttribute('lang') : '' };
  }
  // textOf returns an element's rendered text, without the kiosk's own
  // toolbar and keyboard should they sit inside it.
  function textOf(e) {
    if (!e.querySelector('kiosk-toolbar,kiosk-keyboard')) { return e.innerText || e.textContent || ''; }
    var parts = [];
    for (var c = e.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === 1 && !/^(KIOSK-TOOLBAR|KIOSK-KEYBOARD|SCRIPT|STYLE|NOSCRIPT|TEMPLATE)$/.test(c.nodeName)) { parts.push(textOf(c)); }
      if (c.nodeType === 3) { parts.push(c.textContent); }
    }
    return parts.join(' ');
  }
  function renderListen(b, l, visible) {
    show(b, visible);
    if (!visible) { return; }
    var label = S[l][speech.speaking ? 'bar.stop' : 'bar.listen'] || S.fr[speech.speaking ? 'bar.stop' : 'bar.listen'] || '';
    setText(b.querySelector('.label'), label);
    if (b.getAttribute('aria-label') !== label) { b.setAttribute('aria-label', label); }
    // A tooltip only where the name is not written: WebKitGTK keeps the
    // tooltip it took when the pointer came, so the labelled button's
    // said "Listen" over "Stop" after a press.
    if (b === ui.listen) { if (b.title !== label) { b.title = label; } } else if (b.hasAttribute('title')) { b.removeAttribute('title'); }
    b.classList.toggle('speaking', speech.speaking);
    b.setAttribute('aria-pressed', String(speech.speaking));
    b.lang = l;
    b.dir = l === 'ar' ? 'rtl' : 'ltr';
  }

  function setText(e, s) { if (e.textContent !== s) { e.textContent = s; } }
  function show(e, on) { if (e.hidden === on) { e.hidden = !on; } }

  function render() {
    if (!host) {
      if (!document.documentElement) { return; }
      build();
    }
    if (!host.isConnected) { document.documentElement.appendChild(host); }
    var on = inSession();
    var dir = lang() === 'ar' ? 'rtl' : 'ltr';
    [ui.bar, ui.banner, ui.idle, ui.confirm, ui.docs].forEach(function (e) { e.dir = dir; e.lang = lang(); });
    show(ui.bar, on);
    var kbd = window.__kioskKeyboard;
    if (kbd) { kbd.render(on, lang()); setText(ui.kbd, kbd.label()); }
    show(ui.kbd, !!kbd);
    renderListen(ui.listen, lang(), on && speech.available);
    renderListen(ui.listenFloat, pageLang(), !on && speech.available && onPortal());
    if (!on) {
      confirming = false;
      show(ui.banner, false); show(ui.idle, false); show(ui.confirm, false); show(ui.docs, false); show(ui.panel, false);
      reserve(0);
      return;
    }
    var left = Math.max(0, (state.remaining_s || 0) - elapsed());
    var mins = Math.ceil(left / 60);
    setText(ui.home, t('bar.home'));
    setText(ui.back, t('bar.back'));
    setText(ui.help, t('bar.help'));
    setText(ui.end, t('bar.end'));
    setText(ui.display, 'Aa');
    setText(ui.zoomOut, 'A\u2212');
    setText(ui.zoomIn, 'A+');
    setText(ui.contrast, t('bar.contrast'));
    setText(ui.pointer, t('bar.pointer'));
    [[ui.display, 'bar.display'], [ui.zoomOut, 'bar.zoomout'], [ui.zoomIn, 'bar.zoomin']].forEach(function (x) {
      // The name starts with the visible text (WCAG 2.5.3, label in name).
      var name = x[0].textContent + ' ' + t(x[1]);
      if (x[0].getAttribute('aria-label') !== name) { x[0].setAttribute('aria-label', name); x[0].title = t(x[1]); }
    });
    ui.display.setAttribute('aria-expanded', String(panelOpen));
    show(ui.panel, panelOpen);
    ui.panel.dir = dir;
    ui.zoomOut.disabled = !!display.min_zoom;
    ui.zoomIn.disabled = !!display.max_zoom;
    ui.contrast.setAttribute('aria-pressed', String(!!display.contrast));
    ui.pointer.setAttribute('aria-pressed', String(!!display.pointer));
    var with_ = state.supervised && state.agent ? t('bar.supervised').replace('{name}', state.agent) : '';
    setText(ui.timeWith, with_);
    show(ui.timeWith, !!with_);
    setText(ui.timeLabel, t('bar.left') + ' ');
    setText(ui.timeValue, t('bar.min', mins));
    ui.time.classList.toggle('low', !!state.warning);

    var lines = [];
    if (state.message) { lines.push(state.message); }
    if (helpTakenRecently()) { lines.push(t('help.taken')); } else if (Date.now() < helpUntil) { lines.push(t('help.sent')); }
    if (state.warning) { lines.push(t('warn.text', mins)); }
    var asking = false;
    if (notice && Date.now() < noticeUntil) {
      lines.push(t(notice));
      asking = notice === 'print.ask';
    }
    show(ui.print, asking);
    if (asking) { setText(ui.print, t('print.button')); }
    setText(ui.bannerText, lines.join(' — '));
    show(ui.banner, lines.length > 0);
    // The display panel opens below the banner: it never hides the time
    // warning or a notice (WCAG 2.2.1).
    var panelTop = (BAR + (lines.length > 0 ? ui.banner.offsetHeight : 0)) + 'px';
    if (ui.panel.style.top !== panelTop) { ui.panel.style.top = panelTop; }

    var idle = state.state === 'countdown';
    if (idle) {
      var secs = Math.max(0, Math.ceil((state.countdown_s || 0) - elapsed()));
      setText(ui.idleTitle, t('idle.title'));
      setText(ui.idleCount, String(secs));
      setText(ui.idleText, t('idle.text', secs));
      setText(ui.cont, t('idle.continue'));
    }
    show(ui.idle, idle);
    show(ui.confirm, confirming && !idle);
    show(ui.docs, docs.open && !idle && !confirming);
    if (docs.open) { renderDocs(); }
    if (confirming) {
      setText(ui.confirmText, t('confirm.text'));
      setText(ui.yes, t('confirm.yes'));
      setText(ui.no, t('confirm.no'));
    }
    // The toolbar keeps its size when the page is zoomed (kioskDisplay):
    // its height in the page's CSS pixels shrinks as much.
    reserve(Math.ceil((BAR + (lines.length > 0 ? ui.banner.offsetHeight : 0)) / display.zoom));
  }

  // reserve pushes the page down by px and moves its top-fixed elements.
  function reserve(px) {
    if (px === reserved) { return; }
    reserved = px;
    var s = document.documentElement.style;
    if (px > 0) { s.setProperty('margin-top', px + 'px', 'important'); } else { s.removeProperty('margin-top'); }
    shifted.forEach(function (top, e) { placeShifted(e, top); });
    scan();
  }
  function placeShifted(e, top) {
    if (reserved > 0) { e.style.setProperty('top', (top + reserved) + 'px', 'important'); } else { e.style.removeProperty('top'); }
  }

  // scan finds the page's fixed and sticky elements near the top and moves
  // them below the reserved space.
  var scanTimer = 0;
  function scan() {
    if (reserved <= 0 || !document.body) { return; }
    var all = document.body.getElementsByTagName('*');
    for (var i = 0; i < all.length && i < 5000; i++) {
      var e = all[i];
      if (shifted.has(e)) { continue; }
      var cs = getComputedStyle(e);
      if (cs.position !== 'fixed' && cs.position !== 'sticky') { continue; }
      var top = parseFloat(cs.top);
      if (isNaN(top) || top >= BAR / display.zoom) { continue; }
      shifted.set(e, top);
      placeShifted(e, top);
    }
  }
  function scheduleScan() {
    if (scanTimer || reserved <= 0) { return; }
    scanTimer = setTimeout(function () { scanTimer = 0; scan(); }, 500);
  }

  function setState(s) {
    if (!s || typeof s !== 'object') { return; }
    // Where the toolbar shares the site's script world (WebView2), the
    // shell answers its kioskState without the agent's name (the site's
    // scripts would read it); the name comes with the shell's own update.
    if (s.supervised && !s.agent && state && state.supervised && state.agent) { s.agent = state.agent; }
    state = s;
    stateAt = Date.now();
    render();
  }
  window.kioskUpdate = setState;

  // kioskNotice shows a notice, a message key ('print.ask' offers the
  // "Imprimer" button), for a while; the shell calls it, its texts are the
  // kiosk's own.
  var NOTICE_S = {
    'print.ask': 60, 'print.sending': 20, 'print.sent': 15, 'print.failed': 30, 'print.limit': 30,
    'print.unavailable': 15, 'doc.unavailable': 15, 'doc.failed': 30, 'doc.limit': 30, 'doc.attached': 15
  };
  window.kioskNotice = function (key) {
    if (!NOTICE_S[key]) { return; }
    notice = key;
    noticeUntil = Date.now() + NOTICE_S[key] * 1000;
    render();
  };

  // kioskDisplay takes the session's display settings from the shell
  // (after each change, and on each page): {zoom, min_zoom, max_zoom,
  // contrast, pointer}. The view's zoom and style sheets are the shell's;
  // the toolbar only draws itself to match.
  window.kioskDisplay = function (d) {
    if (!d || typeof d !== 'object') { return; }
    display = { zoom: +d.zoom || 1, min_zoom: !!d.min_zoom, max_zoom: !!d.max_zoom, contrast: !!d.contrast, pointer: !!d.pointer };
    if (!host && document.documentElement) { build(); }
    if (host) {
      host.classList.toggle('hc', display.contrast);
      host.classList.toggle('ptr', display.pointer);
      // The page's zoom leaves the toolbar at its own size, so that it
      // still fits the screen at 200 %.
      if (display.zoom !== 1) { host.style.setProperty('zoom', String(1 / display.zoom), 'important'); } else { host.style.removeProperty('zoom'); }
    }
    render();
  };

  // kioskSpeech takes read-aloud's state from the shell (on each page, and
  // as reading starts and ends): {available, speaking}. Unavailable
  // (--audio=off, no espeak-ng, Windows), "Écouter" is hidden.
  window.kioskSpeech = function (s) {
    if (!s || typeof s !== 'object') { return; }
    speech = { available: !!s.available, speaking: !!s.speaking };
    if (!host && document.documentElement) { build(); }
    render();
  };

  // kioskDocuments opens, updates or closes the documents overlay:
  // {open, scanning, multipage, docs: [{id, at, pages}]}.
  window.kioskDocuments = function (s) {
    if (!s || typeof s !== 'object' || !Array.isArray(s.docs)) { return; }
    docs = { open: !!s.open, scanning: !!s.scanning, multipage: !!s.multipage, docs: s.docs, scanner: s.scanner !== false, usb: (s.usb && typeof s.usb === 'object') ? s.usb : null };
    render();
  };

  function poll() {
    var p = call('kioskState');
    if (p) { p.then(setState, function () {}); }
  }

  function activity(ev) {
    if (!ev.isTrusted) { return; }
    var now = Date.now();
    if (!inSession() || state.state !== 'active' || now - lastActivity < ACTIVITY) { return; }
    lastActivity = now;
    var p = call('kioskActivity'); // the shell refuses it without real input (no_gesture)
    if (p) { p.catch(function () {}); }
  }
  ['pointerdown', 'keydown', 'touchstart', 'wheel'].forEach(function (ev) {
    window.addEventListener(ev, activity, { capture: true, passive: true });
  });

  function start() {
    render();
    poll();
    setInterval(function () { poll(); render(); }, POLL);
    if (window.MutationObserver && document.body) {
      new MutationObserver(scheduleScan).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['class', 'style'] });
    }
    window.addEventListener('load', scan);
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})(/*STRINGS*/{}, /*PORTAL*/"http://kiosk.invalid/");
