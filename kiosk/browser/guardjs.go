package browser

import (
	"encoding/json"
	"strings"
)

// rawBinding is the one function bound with webview Bind. The guard script
// takes it out of the page's reach and defines the documented bindings
// (docs/api.md) on top of it, with Promises the shell settles later
// through __kioskReply, so that no API call blocks the window's thread.
const rawBinding = "__kioskCall"

// guardJS runs first in every document, frames included (webview Init:
// WebView2 runs it before the page's scripts). WebView2 through
// webview_go's generic API has no decide-policy, no new-window and no
// download hook: this is what the page side can do, the proxy judging
// every request anyway (docs/windows.md).
//   - in the top document, the bindings: each call carries the document's
//     URL, read by the guard's closure, as the shell's only knowledge of
//     the caller; window.chrome.webview.postMessage and window.external
//     are replaced, so that the page's own scripts cannot post forged
//     calls (best effort: see docs/windows.md);
//   - in every frame, new windows (target=_blank, window.open,
//     Shift/Ctrl/middle click, <a download>) load in the same view, and
//     links, forms and window.open to anything but http(s) and blob:
//     (file:, data:, mailto:, ms-settings:, other protocol handlers) are
//     refused;
//   - no context menu (Save as, Print, Open in new window), no printing
//     (window.print, Ctrl+P, as on Linux), no Ctrl+S, O, N, U, J, H or F12.
const guardJS = `(function () {
'use strict';
var top = window.top === window;
function noop() {}
function lock(o, k, v) {
  try { Object.defineProperty(o, k, {value: v, writable: false, configurable: false}); } catch (e) { try { o[k] = v; } catch (e2) {} }
}
function safe(u) {
  try {
    var x = new URL(u, location.href);
    return (x.protocol === 'http:' || x.protocol === 'https:' || x.protocol === 'blob:') ? x.href : null;
  } catch (e) { return null; }
}
function go(s) { try { window.top.location.assign(s); } catch (e) { location.assign(s); } }
lock(window, 'open', function (u) { var s = u ? safe(u) : null; if (s) go(s); return null; });
lock(window, 'print', noop);
function stop(e) { e.preventDefault(); e.stopImmediatePropagation(); }
function onLink(e) {
  var a = e.target && e.target.closest ? e.target.closest('a[href],area[href]') : null;
  if (!a) return;
  if (/^\s*javascript:/i.test(a.getAttribute('href') || '')) return;
  var s = safe(a.href);
  if (!s) { stop(e); return; }
  var t = a.target || '';
  if ((t && t !== '_self' && t !== '_top' && t !== '_parent') || e.shiftKey || e.ctrlKey || e.metaKey ||
      e.button === 1 || a.hasAttribute('download')) { stop(e); go(s); }
}
window.addEventListener('click', onLink, true);
window.addEventListener('auxclick', onLink, true);
window.addEventListener('submit', function (e) {
  var f = e.target;
  if (!f || !f.getAttribute) return;
  if (!safe(f.action || location.href)) { stop(e); return; }
  var t = f.target || '';
  if (t && t !== '_self' && t !== '_top' && t !== '_parent') f.target = '_top';
}, true);
window.addEventListener('contextmenu', function (e) { e.preventDefault(); }, true);
window.addEventListener('keydown', function (e) {
  var k = (e.key || '').toLowerCase();
  if (k === 'f12' || ((e.ctrlKey || e.metaKey) && k.length === 1 && 'psounjh'.indexOf(k) >= 0)) stop(e);
}, true);
if (!top) return;
var post = null;
try { post = window.chrome.webview.postMessage.bind(window.chrome.webview); } catch (e) {}
try { delete window['%RAW%']; } catch (e) {}
try { lock(window.chrome.webview, 'postMessage', noop); } catch (e) {}
lock(window, 'external', Object.freeze({invoke: noop}));
var names = %NAMES%;
var pending = {}, next = 1, doc = String(Math.random()).slice(2) + '-' + Date.now();
var R = window._rpc = (window._rpc || {nextSeq: 1});
function raw(name, args) {
  if (!post) return Promise.reject('no shell');
  var id = doc + ':' + (next++), seq = 'k' + (R.nextSeq++);
  R[seq] = {resolve: noop, reject: noop};
  var p = new Promise(function (res, rej) { pending[id] = [res, rej]; });
  post(JSON.stringify({id: seq, method: '%RAW%', params: [id, name, String(location.href), args]}));
  return p;
}
lock(window, '__kioskReply', function (id, ok, v) {
  var p = pending[id]; if (!p) return; delete pending[id]; (ok ? p[0] : p[1])(v);
});
lock(window, '__kioskProbe', function () { raw('_probe', []); });
names.forEach(function (n) { lock(window, n, function () { return raw(n, Array.prototype.slice.call(arguments)); }); });
window.addEventListener('load', function () { raw('_loaded', []); });
})();`

// guardScriptFor returns guardJS defining the bindings names. The file is
// portable so that the guard's tests run it in Chromium on Linux; the
// Windows browser process installs it (guard_windows.go).
func guardScriptFor(names []string) string {
	list, _ := json.Marshal(names)
	return strings.NewReplacer("%NAMES%", string(list), "%RAW%", rawBinding).Replace(guardJS)
}
