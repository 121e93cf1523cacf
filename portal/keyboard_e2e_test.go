//go:build e2e

package portal_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/communes/kiosk/portal"
)

// keyBoxesJS returns the box of every key of the on-screen keyboard shown,
// with its layer and the window's size.
const keyBoxesJS = `(function () {
  var kb = document.querySelector('kiosk-keyboard').shadowRoot.querySelector('.kbd');
  var keys = Array.prototype.map.call(kb.querySelectorAll('button'), function (b) {
    var r = b.getBoundingClientRect();
    return {Key: b.getAttribute('aria-label') || b.textContent, L: r.left, T: r.top, R: r.right, B: r.bottom};
  });
  return {Layer: kb.dataset.layer, Shift: kb.dataset.shift, W: innerWidth, H: innerHeight, Keys: keys};
})()`

type keyBoxes struct {
	Layer, Shift string
	W, H         float64
	Keys         []struct {
		Key        string
		L, T, R, B float64
	}
}

// TestBrowser_KeyboardKeySizes measures every key of the on-screen
// keyboard (issue 14 §1: at least 48 × 48 CSS px) in every layer (AZERTY,
// capitals, digits, the language's own letters: Russian and Arabic too)
// in the 7 languages, at the terminals' screen sizes: each key is at
// least 48 × 48, wholly on screen, and overlaps no other.
func TestBrowser_KeyboardKeySizes(t *testing.T) {
	h := axeHandler(t)
	for _, sz := range [][2]int{{1024, 768}, {1280, 800}, {1366, 768}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			ctx := axeBrowser(t, h, sz[0], sz[1])
			var initID page.ScriptIdentifier
			for i, l := range portal.Languages {
				state := axeState("active", l.Code)
				setInit(t, ctx, &initID, nativeFake+"\nwindow.__state = "+state+";\nwindow.__display = {zoom: 1};\n"+string(h.ToolbarJS()))
				do(t, ctx, chromedp.Navigate(fmt.Sprintf("http://www.demarche.test/form?n=%d", i)))
				afterNav(t, ctx, inShadow("kiosk-toolbar", ".keyboard"))
				do(t, ctx, chromedp.Click(chromedp.CSS(`#mail`)))
				tapIn(t, ctx, "kiosk-toolbar", ".keyboard")
				layers := 0
				for _, step := range []struct{ press, ready string }{
					{"", ".kbd.azerty[data-shift='0']"},
					{"button.shift", ".kbd.azerty[data-shift='1']"},
					{"button.digits", ".kbd.digits"},
					{"button.letters", ".kbd.azerty"},
					{"button.other", ".kbd.other"},
				} {
					if step.press != "" {
						tapIn(t, ctx, "kiosk-keyboard", step.press)
					}
					afterNav(t, ctx, inShadow("kiosk-keyboard", step.ready))
					if step.press == "button.letters" {
						continue // AZERTY again, on the way to the other letters
					}
					checkKeyBoxes(t, l.Code, eval[keyBoxes](t, ctx, keyBoxesJS))
					layers++
				}
				if layers != 4 {
					t.Fatalf("%s: %d layers measured, want 4", l.Code, layers)
				}
			}
		})
	}
}

// checkKeyBoxes fails for a key smaller than 48 × 48 px, off screen or
// overlapping another.
func checkKeyBoxes(t *testing.T, lang string, kb keyBoxes) {
	t.Helper()
	where := fmt.Sprintf("%s, %s layer (shift %s), %.0fx%.0f", lang, kb.Layer, kb.Shift, kb.W, kb.H)
	if len(kb.Keys) < 15 {
		t.Errorf("%s: %d keys, want a keyboard", where, len(kb.Keys))
	}
	for i, k := range kb.Keys {
		if w, h := k.R-k.L, k.B-k.T; w < 48 || h < 48 {
			t.Errorf("%s: key %q is %.1f × %.1f px, want at least 48 × 48", where, k.Key, w, h)
		}
		if k.L < 0 || k.T < 0 || k.R > kb.W || k.B > kb.H {
			t.Errorf("%s: key %q at (%.0f,%.0f)-(%.0f,%.0f) is not wholly on the %.0fx%.0f screen", where, k.Key, k.L, k.T, k.R, k.B, kb.W, kb.H)
		}
		for _, o := range kb.Keys[i+1:] {
			if k.L < o.R-0.5 && o.L < k.R-0.5 && k.T < o.B-0.5 && o.T < k.B-0.5 {
				t.Errorf("%s: keys %q and %q overlap", where, k.Key, o.Key)
			}
		}
	}
}
