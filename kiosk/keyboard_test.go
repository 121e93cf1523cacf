//go:build webview && linux

package kiosk_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
)

// What the keyboard types in the tests (issue 14).
const (
	kbdEmail  = "Éloïse.Müller-Ça@exemple.fr"
	kbdDigits = "1850775123456"
)

// keyboardForm is the site's form, written by the test into the site's
// page: a plain input, a controlled input as React keeps one (its script
// holds the value in a state, sets it from each trusted `input` event and
// writes it back: an event the script does not accept leaves the old value)
// and a field that validates each `keydown` (a key it does not know is
// refused). The page's script records what it saw.
const keyboardForm = `(function () {
  document.body.innerHTML = '<h1 id="h">Formulaire</h1>' +
    '<p><label>Nom <input id="plain" autocomplete="off"></label></p>' +
    '<p><label>Contrôlé <input id="controlled" autocomplete="off"></label></p>' +
    '<p style="margin-top:40vh"><label>Validé <input id="validated" autocomplete="off"></label></p>' +
    '<div style="height:60vh"></div>';
  window.__seen = { untrusted: 0, refused: 0, lat: [], open: [] };
  var state = '';
  var c = document.getElementById('controlled');
  function renderControlled() { if (c.value !== state) { c.value = state; } }
  c.addEventListener('input', function (ev) {
    if (ev.isTrusted) { state = c.value; } else { window.__seen.untrusted++; }
    renderControlled(); // the re-render: an untrusted change is undone
  });
  var v = document.getElementById('validated');
  v.addEventListener('keydown', function (ev) {
    var ok = ev.isTrusted && (ev.key === 'Backspace' || /^[\p{L}\p{N}@.\-_ ]$/u.test(ev.key));
    if (!ok) { window.__seen.refused++; ev.preventDefault(); }
  });
  // Latency: the resident's press on a key, to the field's input event.
  var down = 0;
  window.addEventListener('mousedown', function (ev) { if (ev.target && ev.target.localName === 'kiosk-keyboard') { down = performance.now(); } }, true);
  document.addEventListener('input', function () { if (down) { window.__seen.lat.push(performance.now() - down); down = 0; } }, true);
  // Opening: the press on "Clavier", to the first frame with the keyboard.
  window.addEventListener('mousedown', function (ev) {
    if (!ev.target || ev.target.localName !== 'kiosk-toolbar') { return; }
    var t0 = performance.now();
    (function frame() {
      requestAnimationFrame(function (ts) {
        var k = document.querySelector('kiosk-keyboard');
        var p = k && k.shadowRoot.querySelector('.kbd');
        if (p && !p.hidden && p.offsetHeight > 0) { window.__seen.open.push(ts - t0); return; }
        if (performance.now() - t0 < 5000) { frame(); }
      });
    })();
  }, true);
  return 1;
})()`

// kbdJS is the keyboard's shadow root, as the test reads it.
const kbdJS = "document.querySelector('kiosk-keyboard').shadowRoot"

// TestShell_KeyboardTypes types an e-mail address with accents and capitals
// and a 13-digit number with the on-screen keyboard, with the real pointer,
// into a plain input, a controlled input and a keydown-validated field:
// each reads back exactly that, from trusted events only. A page's script
// can neither call the keyboard's binding nor press its keys.
func TestShell_KeyboardTypes(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.log.wait(t, "welcome ready", 0, 15*time.Second)
	r.sessionOn("")
	r.mustEval(keyboardForm)

	for _, id := range []string{"plain", "controlled", "validated"} {
		field := "document.getElementById('" + id + "')"
		r.mustEval(field + ".scrollIntoView({block: 'center'}); 1")
		r.press(field)
		r.waitEval(id+" focused", "document.activeElement === "+field, 5*time.Second)
		r.pressToolbar("keyboard")
		r.waitEval("the keyboard", kbdJS+" && !"+kbdJS+".querySelector('.kbd').hidden", 5*time.Second)
		if got := string(r.mustEval("document.activeElement === " + field).Result); got != "true" {
			t.Fatalf("%s: the field lost the focus when the keyboard opened", id)
		}
		r.notCovered(field)
		r.typeKeys(field, kbdEmail+" "+kbdDigits)
		var got string
		_ = json.Unmarshal(r.mustEval(field+".value").Result, &got)
		if want := kbdEmail + " " + kbdDigits; got != want {
			t.Errorf("%s: the page reads %q, want %q", id, got, want)
		}
		// Backspace: a named key.
		r.pressKey("back")
		r.waitEval(id+" after Backspace", field+".value === "+strconv.Quote(kbdEmail+" "+kbdDigits[:len(kbdDigits)-1]), 5*time.Second)
		r.pressKey("close")
		r.waitEval("the keyboard closed", kbdJS+".querySelector('.kbd').hidden", 5*time.Second)
	}
	// More openings, for the measure.
	r.press("document.getElementById('plain')")
	for i := 0; i < 10; i++ {
		r.pressToolbar("keyboard")
		r.waitEval("the keyboard", "!"+kbdJS+".querySelector('.kbd').hidden", 5*time.Second)
		r.pressKey("close")
		r.waitEval("the keyboard closed", kbdJS+".querySelector('.kbd').hidden", 5*time.Second)
	}
	var seen struct {
		Untrusted, Refused int
		Lat, Open          []float64
	}
	if err := json.Unmarshal(r.mustEval("window.__seen").Result, &seen); err != nil {
		t.Fatal(err)
	}
	if seen.Untrusted != 0 || seen.Refused != 0 {
		t.Errorf("the page saw %d untrusted input events and refused %d keydown events, want none", seen.Untrusted, seen.Refused)
	}
	logPercentiles(t, "key press → character in the field", seen.Lat)
	logPercentiles(t, "\"Clavier\" pressed → keyboard drawn", seen.Open)

	// A page's script cannot press a key: the binding is the toolbar's
	// only, and a script's click on a key is not the resident's.
	if got := r.callFromPage("kioskKey", true); !strings.Contains(got, "toolbar_only") {
		t.Errorf("kioskKey() from the site's script after a touch: %s, want a toolbar_only rejection", got)
	}
	r.mustEval("document.getElementById('plain').value = ''; document.getElementById('plain').focus(); 1")
	r.pressToolbar("keyboard")
	r.waitEval("the keyboard", "!"+kbdJS+".querySelector('.kbd').hidden", 5*time.Second)
	mark := r.log.len()
	r.touchEval(kbdJS + ".querySelector('.kbd [data-key]').click(); 1")
	r.log.wait(t, "toolbar: a press not made by the resident ignored", mark, 5*time.Second)
	if got := string(r.mustEval("document.getElementById('plain').value").Result); got != `""` {
		t.Errorf("after a script clicked a key: the field holds %s, want nothing", got)
	}
}

// TestShell_KeyboardOpensOnTouch: on a terminal started with --touch, the
// keyboard opens by itself when the resident touches a text field, and
// leaves the field above it. It takes the keyboard's screenshots.
func TestShell_KeyboardOpensOnTouch(t *testing.T) {
	r := newRig(t, rigOptions{shellArgs: []string{"--touch"}})
	r.log.wait(t, "welcome ready", 0, 15*time.Second)
	r.sessionOn("")
	r.mustEval(keyboardForm)
	field := "document.getElementById('validated')"
	// The field near the bottom of the window, where the keyboard goes.
	r.mustEval(field + ".scrollIntoView({block: 'end'}); 1")
	r.press(field)
	r.waitEval("the keyboard, by itself", kbdJS+" && !"+kbdJS+".querySelector('.kbd').hidden", 5*time.Second)
	r.notCovered(field)
	r.typeKeys(field, "ça")
	// The other languages' letters (in French: the Latin ones).
	r.pressKey("other")
	r.waitEval("the other letters", kbdJS+".querySelector('.kbd').dataset.layer === 'other'", 5*time.Second)
	r.typeKeys(field, "ñğı")
	r.pressKey("letters")
	// The screenshots of docs/screenshots (KIOSK_SCREENSHOTS, as
	// TestShell_Screenshots), AZERTY and the digits.
	dir := os.Getenv("KIOSK_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	r.shot(filepath.Join(dir, "keyboard-azerty.png"))
	r.pressKey("digits")
	r.waitEval("the digits", kbdJS+".querySelector('.kbd').dataset.layer === 'digits'", 5*time.Second)
	r.notCovered(field)
	r.shot(filepath.Join(dir, "keyboard-digits.png"))
	// It closes with its own key.
	r.pressKey("close")
	r.waitEval("the keyboard closed", kbdJS+".querySelector('.kbd').hidden", 5*time.Second)
}

// notCovered fails unless the field is wholly above the keyboard.
func (r *rig) notCovered(field string) {
	r.t.Helper()
	r.waitEval("the field above the keyboard", field+".getBoundingClientRect().bottom <= "+kbdJS+".querySelector('.kbd').getBoundingClientRect().top && "+field+".getBoundingClientRect().top >= 0", 5*time.Second)
}

// pressKey presses the keyboard's special key (its class) with the pointer.
func (r *rig) pressKey(cls string) {
	r.t.Helper()
	r.press(kbdJS + ".querySelector('button." + cls + "')")
}

// typeKeys types s into field with the keyboard's keys, one press at a
// time, waiting for each character (or layer, or capitals) to show.
func (r *rig) typeKeys(field, s string) {
	r.t.Helper()
	var valueJS string
	_ = json.Unmarshal(r.mustEval(field+".value").Result, &valueJS)
	typed := valueJS
	panel := kbdJS + ".querySelector('.kbd')"
	layer := func() string {
		var l string
		_ = json.Unmarshal(r.mustEval(panel+".dataset.layer").Result, &l)
		return l
	}
	toLayer := func(want string) {
		if layer() == want {
			return
		}
		btn := "letters"
		if want == "digits" {
			btn = "digits"
		}
		r.pressKey(btn)
		r.waitEval("layer "+want, panel+".dataset.layer === '"+want+"'", 5*time.Second)
	}
	keyJS := func(k string) string {
		return kbdJS + ".querySelector('[data-key=" + strconv.Quote(k) + "]')"
	}
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		c := string(rs[i])
		key := c
		switch {
		case strings.HasPrefix(string(rs[i:]), ".fr") && i+3 == len(rs) || strings.HasPrefix(string(rs[i:]), ".fr "):
			key = ".fr"
			i += 2
		case unicode.IsDigit(rs[i]):
			toLayer("digits")
		case c == " ":
			toLayer("azerty")
			r.pressKey("space")
			typed += " "
			r.waitEval(fmt.Sprintf("%q typed", typed), field+".value === "+strconv.Quote(typed), 5*time.Second)
			continue
		default:
			if string(r.mustEval("!!"+keyJS(c)).Result) != "true" {
				toLayer("azerty")
			}
		}
		if unicode.IsUpper(rs[i]) && key == c {
			r.pressKey("shift")
			r.waitEval("capitals", panel+".dataset.shift === '1'", 5*time.Second)
		}
		r.waitEval("the key "+key, keyJS(key), 5*time.Second)
		r.press(keyJS(key))
		typed += key
		r.waitEval(fmt.Sprintf("%q typed", typed), field+".value === "+strconv.Quote(typed), 5*time.Second)
	}
}

// logPercentiles logs the p50 and p95 of the samples (ms), for
// docs/benchmarks.md; KIOSK_BENCH_LOG names a file to append them to.
func logPercentiles(t *testing.T, what string, ms []float64) {
	t.Helper()
	if len(ms) == 0 {
		t.Errorf("%s: no sample", what)
		return
	}
	s := append([]float64(nil), ms...)
	sort.Float64s(s)
	p := func(q float64) float64 { return s[int(q*float64(len(s)-1)+0.5)] }
	line := fmt.Sprintf("%s: n=%d p50=%.1f ms p95=%.1f ms max=%.1f ms (in order: %.0f)", what, len(s), p(0.5), p(0.95), s[len(s)-1], ms)
	t.Log(line)
	if f := os.Getenv("KIOSK_BENCH_LOG"); f != "" {
		if fh, err := os.OpenFile(filepath.Clean(f), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintln(fh, line)
			fh.Close()
		}
	}
}
