//go:build webview && linux

package webkit

/*
#include <stdlib.h>
#include "gtk.h"
*/
import "C"

import "unsafe"

// keyvals are the GDK keyvals of the keyboard's named keys
// (browser.KeyNames).
var keyvals = map[string]C.guint{
	"Backspace": C.GDK_KEY_BackSpace,
	"Enter":     C.GDK_KEY_Return,
	"Tab":       C.GDK_KEY_Tab,
	"Left":      C.GDK_KEY_Left,
	"Right":     C.GDK_KEY_Right,
}

// TypeText types text into the page's focused element as the toolkit's
// own key events, one per character.
func (g *gui) TypeText(text string) {
	s := C.CString(text)
	defer C.free(unsafe.Pointer(s))
	C.kiosk_type_text(g.view, s, 0)
}

// PressKey presses the named key (browser.KeyNames); it reports false
// for a name it does not know.
func (g *gui) PressKey(name string) bool {
	kv, ok := keyvals[name]
	if !ok {
		return false
	}
	C.kiosk_press_key(g.view, kv)
	return true
}
