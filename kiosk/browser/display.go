package browser

import (
	"encoding/json"
	"fmt"
)

// What the resident may change of the display for the session (issue 14,
// part 2): the page's zoom, high contrast and a larger pointer. The state
// lives in the browser process only, so a new process, that is the next
// session, starts from the defaults.

// zoomSteps are the zoom levels "A+" and "A−" step through, 100 % to
// 200 %.
var zoomSteps = []float64{1, 1.25, 1.5, 1.75, 2}

// display is the session's display settings (main loop).
type display struct {
	step     int // index in zoomSteps
	contrast bool
	pointer  bool
}

// displayJSON is what the toolbar's kioskDisplay(...) receives.
type displayJSON struct {
	Zoom     float64 `json:"zoom"`
	MinZoom  bool    `json:"min_zoom"`
	MaxZoom  bool    `json:"max_zoom"`
	Contrast bool    `json:"contrast"`
	Pointer  bool    `json:"pointer"`
}

func (d display) json() string {
	out, _ := json.Marshal(displayJSON{
		Zoom: zoomSteps[d.step], MinZoom: d.step == 0, MaxZoom: d.step == len(zoomSteps)-1,
		Contrast: d.contrast, Pointer: d.pointer,
	})
	return string(out)
}

// change applies one change the toolbar asked for: "zoom-in", "zoom-out",
// "contrast-on", "contrast-off", "pointer-on", "pointer-off". Anything
// else is an error and changes nothing.
func (d *display) change(c string) error {
	switch c {
	case "zoom-in":
		d.step = min(d.step+1, len(zoomSteps)-1)
	case "zoom-out":
		d.step = max(d.step-1, 0)
	case "contrast-on", "contrast-off":
		d.contrast = c == "contrast-on"
	case "pointer-on", "pointer-off":
		d.pointer = c == "pointer-on"
	default:
		return fmt.Errorf("unknown display change %q", c)
	}
	return nil
}

// refusedDisplayChange answers a kioskDisplay call with an unknown change.
const refusedDisplayChange = `{"error":"unknown display change","code":"bad_change"}`

// The user style sheets of the display settings (WebKitGTK's
// webkit_user_content_manager_add_style_sheet, user level: their
// !important rules beat the page's own).

// contrastCSS is the forced-colours treatment of every page, the sites'
// and the portal's (docs/shell.md, "Larger text and contrast"): white text
// on black, yellow links and buttons' borders, visible focus, no
// background images or shadows. Pictures stay as they are.
const contrastCSS = `*,*::before,*::after{background-color:#000!important;color:#fff!important;border-color:#fff!important;background-image:none!important;text-shadow:none!important;box-shadow:none!important}
a,a *{color:#ffff00!important;text-decoration:underline!important}
a:visited,a:visited *{color:#80ffff!important}
button,input,select,textarea,[role=button]{border:2px solid #ffff00!important}
input::placeholder,textarea::placeholder{color:#c0c0c0!important}
:focus{outline:3px solid #ffff00!important;outline-offset:2px!important}
::selection{background-color:#ffff00!important;color:#000!important}
img,svg,video,canvas,picture{background-color:transparent!important}`

// contrastPortalCSS completes contrastCSS on the portal's pages
// (portal/assets/portal.css): its filled buttons and current language are
// yellow on black, its icons (dark on transparent) sit on white, the
// keypad's overlay is opaque.
const contrastPortalCSS = `:root{--blue:#ffff00!important;--ink:#fff!important;--bg:#000!important;--line:#fff!important}
.btn,.key,.langs a,.tile{border:3px solid #ffff00!important}
.btn:not(.secondary),.key.ok,.langs a[aria-current]{background-color:#ffff00!important;color:#000!important}
.btn:not(.secondary) *,.langs a[aria-current] *{color:#000!important}
.tile img,.group h3 img{background-color:#fff!important;border-radius:.3rem}
.tile .name{background-color:transparent!important}
.muted{color:#fff!important}
.pin-msg{color:#ff8080!important}`

// bigPointer is a 64-px arrow, black with a white outline, as a CSS cursor
// (percent-encoded SVG; the toolbar has the same one in its shadow root).
// GTK's cursor size would need the window manager's cooperation.
const bigPointer = `url("data:image/svg+xml,%3Csvg xmlns=%27http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%27 width=%2764%27 height=%2764%27 viewBox=%270 0 64 64%27%3E%3Cpath d=%27M4 2 L4 54 L17 42 L27 62 L36 58 L26 38 L44 38 Z%27 fill=%27black%27 stroke=%27white%27 stroke-width=%273%27 stroke-linejoin=%27round%27%2F%3E%3C%2Fsvg%3E") 4 2,default`

// pointerCSS makes the pointer larger on every page.
const pointerCSS = `html,html *{cursor:` + bigPointer + `!important}`

// styles returns the user style sheets for d: one for every page, one for
// the portal's pages only.
func (d display) styles() (all, portal string) {
	if d.pointer {
		all = pointerCSS + "\n"
	}
	if d.contrast {
		all += contrastCSS
		portal = contrastPortalCSS
	}
	return all, portal
}

// ContrastStyles returns the high-contrast user style sheets: all for
// every page, portal for the portal's pages too. The accessibility audit
// (portal/axe_e2e_test.go) checks the portal's pages under them.
func ContrastStyles() (all, portal string) { return display{contrast: true}.styles() }

// displayPushJS is the toolbar-world script that tells the toolbar the
// display settings (its own contrast and the portal page's class).
func (d display) pushJS() string {
	return "window.kioskDisplay && window.kioskDisplay(" + d.json() + ")"
}
