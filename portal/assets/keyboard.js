// The kiosk's on-screen keyboard (docs/shell.md, "On-screen keyboard").
// It runs after the toolbar, in the toolbar's own script world on WebKitGTK:
// a page's scripts can neither call its handler nor reach its variables.
// Each key calls the shell's toolbar-only binding kioskKey(text[, key]),
// which the shell accepts only right after the resident's own touch; the
// shell then sends the toolkit's own key events to the page, which sees
// trusted keydown/input/keyup events as from a physical keyboard.
// It learns nothing and keeps nothing: no suggestion, no history; no Alt,
// no Super, no settings.
(function (AUTO) {
  'use strict';
  if (window.__kioskKeyboard) { return; }
  var native = window.webkit && window.webkit.messageHandlers && window.webkit.messageHandlers.kiosk;
  if (!native) { return; } // WebView2: the toolbar shares the page's world; no keyboard there

  // Names of the special keys, read by screen readers (aria-label).
  var L = {
    fr: { shift: 'Majuscule', back: 'Effacer', enter: 'Entrée', space: 'Espace', close: 'Fermer le clavier', digits: 'Chiffres', letters: 'Lettres', other: 'Autres lettres', left: 'Vers la gauche', right: 'Vers la droite', kbd: 'Clavier' },
    en: { shift: 'Capitals', back: 'Delete', enter: 'Enter', space: 'Space', close: 'Close the keyboard', digits: 'Digits', letters: 'Letters', other: 'Other letters', left: 'Left', right: 'Right', kbd: 'Keyboard' },
    ar: { shift: 'أحرف كبيرة', back: 'حذف', enter: 'إدخال', space: 'مسافة', close: 'إغلاق لوحة المفاتيح', digits: 'أرقام', letters: 'حروف', other: 'حروف عربية', left: 'يسار', right: 'يمين', kbd: 'لوحة المفاتيح' },
    es: { shift: 'Mayúsculas', back: 'Borrar', enter: 'Intro', space: 'Espacio', close: 'Cerrar el teclado', digits: 'Números', letters: 'Letras', other: 'Letras españolas', left: 'Izquierda', right: 'Derecha', kbd: 'Teclado' },
    pt: { shift: 'Maiúsculas', back: 'Apagar', enter: 'Enter', space: 'Espaço', close: 'Fechar o teclado', digits: 'Números', letters: 'Letras', other: 'Letras portuguesas', left: 'Esquerda', right: 'Direita', kbd: 'Teclado' },
    ru: { shift: 'Заглавные', back: 'Стереть', enter: 'Ввод', space: 'Пробел', close: 'Закрыть клавиатуру', digits: 'Цифры', letters: 'Буквы', other: 'Русские буквы', left: 'Влево', right: 'Вправо', kbd: 'Клавиатура' },
    tr: { shift: 'Büyük harf', back: 'Sil', enter: 'Giriş', space: 'Boşluk', close: 'Klavyeyi kapat', digits: 'Rakamlar', letters: 'Harfler', other: 'Türkçe harfler', left: 'Sola', right: 'Sağa', kbd: 'Klavye' }
  };
  // Layers: rows of keys. A key is a character (or string) to type, or
  // {k: special, w: width in units}.
  var SHIFT = { k: 'shift', w: 1.5 }, BACK = { k: 'back', w: 1.5 }, ENTER = { k: 'enter', w: 1.5 };
  var BOTTOM = [{ k: 'digits', w: 1.5 }, { k: 'other', w: 1.5 }, { k: 'space', w: 4 }, '.fr', '.com', { k: 'left' }, { k: 'right' }, { k: 'close', w: 1.5 }];
  var AZERTY = [
    ['é', 'è', 'ê', 'ë', 'à', 'â', 'î', 'ï', 'ô', 'ù', 'û', 'ü', 'ç', 'œ'],
    ['a', 'z', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', BACK],
    ['q', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', ENTER],
    [SHIFT, 'w', 'x', 'c', 'v', 'b', 'n', '@', '.', '-', '_', '\''],
    BOTTOM
  ];
  // The digits, as a numeric pad (numéro fiscal, NIR, CAF number).
  var DIGITS = [
    ['7', '8', '9', BACK],
    ['4', '5', '6', ENTER],
    ['1', '2', '3', '/'],
    [{ k: 'letters', w: 1 }, '0', ',', '.'],
    ['+', '-', { k: 'left' }, { k: 'right' }, { k: 'space', w: 2 }, { k: 'close', w: 2 }]
  ];
  // The other letters the welcome language needs; fr and en get the
  // Latin letters of the other languages.
  var LATIN = [
    ['ñ', 'á', 'é', 'í', 'ó', 'ú', 'ü', '¿', '¡'],
    ['ã', 'õ', 'ç', 'â', 'ê', 'ô', 'à', BACK],
    ['ğ', 'ı', 'İ', 'ö', 'ş', 'ß', 'ä', ENTER],
    [SHIFT, { k: 'letters', w: 1.5 }, { k: 'space', w: 3 }, { k: 'close', w: 1.5 }]
  ];
  var OTHER = {
    es: [['ñ', 'á', 'é', 'í', 'ó', 'ú', 'ü', '¿', '¡', BACK], [SHIFT, { k: 'letters', w: 1.5 }, { k: 'space', w: 3 }, ENTER, { k: 'close', w: 1.5 }]],
    pt: [['ã', 'õ', 'ç', 'á', 'â', 'ê', 'ô', 'é', 'í', 'ó', 'ú', 'à', BACK], [SHIFT, { k: 'letters', w: 1.5 }, { k: 'space', w: 3 }, ENTER, { k: 'close', w: 1.5 }]],
    tr: [['ç', 'ğ', 'ı', 'İ', 'ö', 'ş', 'ü', 'â', 'î', 'û', BACK], [SHIFT, { k: 'letters', w: 1.5 }, { k: 'space', w: 3 }, ENTER, { k: 'close', w: 1.5 }]],
    ru: [
      ['й', 'ц', 'у', 'к', 'е', 'н', 'г', 'ш', 'щ', 'з', 'х', 'ъ'],
      ['ф', 'ы', 'в', 'а', 'п', 'р', 'о', 'л', 'д', 'ж', 'э', BACK],
      [SHIFT, 'я', 'ч', 'с', 'м', 'и', 'т', 'ь', 'б', 'ю', 'ё', ENTER],
      [{ k: 'digits', w: 1.5 }, { k: 'letters', w: 1.5 }, { k: 'space', w: 4 }, '.', ',', '-', { k: 'close', w: 1.5 }]
    ],
    // Arabic, the standard (PC) layout's letters.
    ar: [
      ['ض', 'ص', 'ث', 'ق', 'ف', 'غ', 'ع', 'ه', 'خ', 'ح', 'ج', 'د'],
      ['ش', 'س', 'ي', 'ب', 'ل', 'ا', 'ت', 'ن', 'م', 'ك', 'ط', BACK],
      ['ئ', 'ء', 'ؤ', 'ر', 'لا', 'ى', 'ة', 'و', 'ز', 'ظ', 'ذ', ENTER],
      [{ k: 'digits', w: 1.5 }, { k: 'letters', w: 1.5 }, { k: 'space', w: 4 }, 'أ', 'إ', 'آ', '،', '؟', { k: 'close', w: 1.5 }]
    ]
  };
  var SYMBOL = { shift: '⇧', back: '⌫', enter: '⏎', space: ' ', close: '▼', digits: '123', letters: 'ABC', left: '◀', right: '▶' };
  var NAMED = { back: 'Backspace', enter: 'Enter', left: 'Left', right: 'Right' };
  var OTHER_SYMBOL = { es: 'ñ á', pt: 'ã ç', tr: 'ğ ş', ru: 'АБВ', ar: 'أ ب ت' };

  var CSS = [
    ':host{all:initial}',
    '.kbd{position:fixed;left:0;right:0;bottom:0;z-index:2147483647;box-sizing:border-box;background:#1e1e1e;padding:8px;display:flex;flex-direction:column;gap:8px;font-family:system-ui,sans-serif;direction:ltr;touch-action:manipulation;user-select:none;-webkit-user-select:none}',
    '.row{display:flex;gap:8px;justify-content:center}',
    '.kbd button{flex:1 1 0;min-width:48px;min-height:56px;max-width:120px;border:2px solid #555;border-radius:8px;background:#fff;color:#000;font-size:26px;font-weight:600;padding:0;cursor:pointer}',
    '.kbd button.special{background:#d0d4e4;color:#000091;font-size:22px}',
    '.kbd button.on{background:#000091;color:#fff}',
    '.kbd button:active{background:#ffd}',
    '.kbd.digits button{max-width:200px;min-height:64px;font-size:30px}',
    '[hidden]{display:none!important}'
  ].join('\n');

  var host, root, panel, session = false, open = false, layer = 'azerty', shift = 0, lang = 'fr', seq = 0, padded = 0;

  function t(k) { return (L[lang] || L.fr)[k]; }
  function rowsOf(name) {
    if (name === 'digits') { return DIGITS; }
    if (name === 'other') { return OTHER[lang] || LATIN; }
    return AZERTY;
  }
  function upper(s) { return lang === 'tr' ? s.toLocaleUpperCase('tr') : s.toUpperCase(); }
  // press sends one key to the shell: the resident's own touch only.
  function press(text, key) {
    native.postMessage(JSON.stringify({ id: 'k' + (++seq), name: 'kioskKey', args: key ? ['', key] : [text] }));
  }
  function keyButton(row, key) {
    var b = document.createElement('button');
    b.type = 'button';
    var special = typeof key === 'object' ? key.k : '';
    var text = special ? '' : key;
    if (special) {
      b.className = 'special ' + special;
      b.textContent = special === 'other' ? (OTHER_SYMBOL[lang] || 'ñ ğ') : SYMBOL[special];
      // A key that shows letters or digits ("123", "ABC") is named by
      // them first (WCAG 2.5.3, label in name).
      b.setAttribute('aria-label', /[0-9A-Za-z\u00C0-\u024F\u0400-\u04FF\u0600-\u06FF]/.test(b.textContent) ? b.textContent + ' ' + t(special) : t(special));
      b.style.flexGrow = String(key.w || 1);
      if (key.w && layer !== 'digits') { b.style.maxWidth = (120 * key.w) + 'px'; }
      if (special === 'shift' && shift) { b.classList.add('on'); }
    } else {
      text = shift && text.length === 1 ? upper(text) : text;
      b.textContent = text;
      b.dataset.key = text;
    }
    // The field keeps the focus: the key never takes it.
    b.addEventListener('mousedown', function (ev) { ev.preventDefault(); });
    b.addEventListener('click', function (ev) {
      ev.preventDefault();
      ev.stopPropagation();
      if (!ev.isTrusted) {
        native.postMessage(JSON.stringify({ id: 'u', name: '_untrusted', args: ['keyboard'] }));
        return;
      }
      act(special, text);
    });
    row.appendChild(b);
  }
  function act(special, text) {
    switch (special) {
      case '':
        press(text);
        if (shift === 1) { shift = 0; draw(); }
        return;
      case 'shift': shift = (shift + 1) % 3; draw(); return;
      case 'digits': case 'other': layer = special; shift = 0; draw(); return;
      case 'letters': layer = 'azerty'; shift = 0; draw(); return;
      case 'space': press(' '); return;
      case 'close': setOpen(false); return;
      default: press('', NAMED[special]);
    }
  }
  function draw() {
    if (!host) { build(); }
    while (panel.firstChild) { panel.removeChild(panel.firstChild); }
    panel.className = 'kbd ' + layer;
    panel.dataset.layer = layer;
    panel.dataset.shift = String(shift);
    panel.setAttribute('aria-label', t('kbd'));
    rowsOf(layer).forEach(function (keys) {
      var row = document.createElement('div');
      row.className = 'row';
      keys.forEach(function (k) { keyButton(row, k); });
      panel.appendChild(row);
    });
  }
  function build() {
    host = document.createElement('kiosk-keyboard');
    host.style.setProperty('all', 'initial', 'important');
    root = host.attachShadow({ mode: 'open' });
    var st = document.createElement('style');
    st.textContent = CSS;
    root.appendChild(st);
    panel = document.createElement('div');
    panel.setAttribute('role', 'group');
    panel.hidden = true;
    root.appendChild(panel);
  }
  // editable reports whether e takes text from the keyboard.
  function editable(e) {
    if (!e || e.disabled || e.readOnly) { return false; }
    if (e.isContentEditable) { return true; }
    if (e.tagName === 'TEXTAREA') { return true; }
    if (e.tagName !== 'INPUT') { return false; }
    return /^(text|search|email|tel|url|number|password|)$/.test((e.getAttribute('type') || '').toLowerCase());
  }
  // dock keeps the focused field above the keyboard: the page gets room
  // below and scrolls the field into view when the keyboard would cover it.
  function dock() {
    var h = open ? panel.offsetHeight : 0;
    if (h !== padded) {
      padded = h;
      var s = document.documentElement.style;
      if (h > 0) { s.setProperty('padding-bottom', h + 'px', 'important'); } else { s.removeProperty('padding-bottom'); }
    }
    var f = document.activeElement;
    if (!open || !editable(f)) { return; }
    var r = f.getBoundingClientRect();
    if (r.bottom > window.innerHeight - h || r.top < 0) {
      f.scrollIntoView({ block: 'center' });
      r = f.getBoundingClientRect();
      if (r.bottom > window.innerHeight - h) { window.scrollBy(0, r.bottom - (window.innerHeight - h) + 8); }
    }
  }
  function setOpen(on) {
    if (!host) { build(); }
    if (!host.isConnected && document.documentElement) { document.documentElement.appendChild(host); }
    open = !!on;
    if (open) {
      shift = 0;
      if (document.activeElement && /^(tel|number)$/.test(document.activeElement.type || '')) { layer = 'digits'; }
      draw();
    }
    panel.hidden = !open;
    dock();
  }

  // prepare draws the keyboard once, unseen, soon after a page of the
  // session loads: the first opening then only shows it (its first drawing
  // took a few hundred milliseconds, docs/benchmarks.md).
  var prepared = false;
  function prepare() {
    if (prepared || open || !document.documentElement) { return; }
    prepared = true;
    if (!host) { build(); }
    if (!host.isConnected) { document.documentElement.appendChild(host); }
    draw();
    panel.style.visibility = 'hidden';
    panel.hidden = false;
    void panel.offsetHeight;
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        panel.style.visibility = '';
        if (!open) { panel.hidden = true; }
      });
    });
  }

  window.__kioskKeyboard = {
    toggle: function () { setOpen(!open); },
    // render follows the toolbar: the session's language; closed outside
    // a session.
    render: function (inSession, l) {
      session = !!inSession;
      if (session && !prepared) { setTimeout(prepare, 200); }
      if (l !== lang && L[l]) { lang = l; if (open) { draw(); } }
      if (!session && open) { setOpen(false); }
    },
    label: function () { return t('kbd'); },
    isOpen: function () { return open; }
  };
  // On a touch terminal (or with no physical keyboard) it opens by itself
  // when a text field gets the focus.
  document.addEventListener('focusin', function (ev) {
    if (!ev.isTrusted) { return; }
    if (open) { dock(); return; }
    if (AUTO && session && editable(ev.target)) {
      setOpen(true);
    }
  }, true);
  window.addEventListener('resize', function () { if (open) { dock(); } });
})(/*KEYBOARD_AUTO*/false);
