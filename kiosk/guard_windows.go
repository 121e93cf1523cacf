//go:build webview

package kiosk

import (
	"encoding/json"
	"strings"
)

// rawBinding is the one function bound with webview Bind. The guard script
// takes it out of the page's reach and defines the documented bindings
// (docs/api.md) on top of it, with Promises the shell settles later
// through __kioskReply, so that no API call blocks the window's thread.
const rawBinding = "__kioskCall"

// guardJS runs first in every document (webview Init, before the page's
// scripts). WebView2 through webview_go's generic API has no
// decide-policy, no new-window or download hook: this is what the page
// side can do, the proxy judging every request anyway (docs/windows.md).
//   - the bindings: each call carries the document's URL as the shell's
//     only knowledge of the caller, read by the guard's closure (a page's
//     script cannot change location.href without leaving the page);
//     window.chrome.webview.postMessage and window.external are replaced,
//     so that the page's own scripts cannot post forged calls;
//   - new windows (target=_blank, window.open, Shift/Ctrl/middle click)
//     load in the same view; links, forms and window.open to anything but
//     http(s) and blob: (file:, data:, mailto:, ms-settings:...) are
//     refused;
//   - no context menu (Save as, Print, Open in new window), no Ctrl+S, O,
//     N, U, J, H, F12 (save, open, new window, source, downloads, history,
//     developer tools). Printing stays (residents print attestations).
const guardJS = `(function () {
'use strict';
if (window.top !== window) return;
var post = null;
try { post = window.chrome.webview.postMessage.bind(window.chrome.webview); } catch (e) {}
var names = %NAMES%;
var pending = {}, next = 1, doc = String(Math.random()).slice(2) + '-' + Date.now();
var R = window._rpc = (window._rpc || {nextSeq: 1});
function raw(name, args) {
  if (!post) return Promise.reject('no shell');
  var id = doc + ':' + (next++), seq = 'k' + (R.nextSeq++);
  R[seq] = {resolve: function () {}, reject: function () {}};
  var p = new Promise(function (res, rej) { pending[id] = [res, rej]; });
  post(JSON.stringify({id: seq, method: '%RAW%', params: [id, name, String(location.href), args]}));
  return p;
}
try { delete window['%RAW%']; } catch (e) {}
try { Object.defineProperty(window.chrome.webview, 'postMessage', {value: function () {}, writable: false, configurable: false}); } catch (e) {}
try { Object.defineProperty(window, 'external', {value: Object.freeze({invoke: function () {}}), writable: false, configurable: false}); } catch (e) {}
Object.defineProperty(window, '__kioskReply', {value: function (id, ok, v) {
  var p = pending[id]; if (!p) return; delete pending[id]; (ok ? p[0] : p[1])(v);
}});
Object.defineProperty(window, '__kioskProbe', {value: function () { raw('_probe', []); }});
names.forEach(function (n) {
  Object.defineProperty(window, n, {value: function () { return raw(n, Array.prototype.slice.call(arguments)); }, enumerable: true});
});
function safe(u) {
  try {
    var x = new URL(u, location.href);
    return (x.protocol === 'http:' || x.protocol === 'https:' || x.protocol === 'blob:') ? x.href : null;
  } catch (e) { return null; }
}
var open = function (u) { var s = u ? safe(u) : null; if (s) location.assign(s); return null; };
try { Object.defineProperty(window, 'open', {value: open, writable: false, configurable: false}); } catch (e) { window.open = open; }
function onLink(e) {
  var a = e.target && e.target.closest ? e.target.closest('a[href],area[href]') : null;
  if (!a) return;
  var href = a.getAttribute('href') || '';
  if (/^\s*javascript:/i.test(href)) return;
  var s = safe(a.href);
  var fresh = (a.target && a.target !== '_self' && a.target !== '_top' && a.target !== '_parent') ||
    e.shiftKey || e.ctrlKey || e.metaKey || e.button === 1 || a.hasAttribute('download');
  if (!s) { e.preventDefault(); e.stopImmediatePropagation(); return; }
  if (fresh) { e.preventDefault(); e.stopImmediatePropagation(); location.assign(s); }
}
window.addEventListener('click', onLink, true);
window.addEventListener('auxclick', onLink, true);
window.addEventListener('submit', function (e) {
  var f = e.target;
  if (!f || !f.getAttribute) return;
  if (!safe(f.action || location.href)) { e.preventDefault(); e.stopImmediatePropagation(); return; }
  if (f.target && f.target !== '_self') f.target = '_self';
}, true);
window.addEventListener('contextmenu', function (e) { e.preventDefault(); }, true);
window.addEventListener('keydown', function (e) {
  var k = (e.key || '').toLowerCase();
  if (k === 'f12' || ((e.ctrlKey || e.metaKey) && 'sounjh'.indexOf(k) >= 0 && k.length === 1)) {
    e.preventDefault(); e.stopImmediatePropagation();
  }
}, true);
window.addEventListener('load', function () { raw('_loaded', []); });
})();`

// guardScript returns guardJS with the binding names.
func guardScript() string {
	names, _ := json.Marshal(bindingNames)
	return strings.NewReplacer("%NAMES%", string(names), "%RAW%", rawBinding).Replace(guardJS)
}
