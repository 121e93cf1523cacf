//go:build webview && linux

package webkit

/*
#cgo pkg-config: gtk+-3.0 webkit2gtk-4.0
#include <stdlib.h>
#include "display.h"
*/
import "C"

import "unsafe"

// SetZoom sets the page zoom (1 is 100 %).
func (g *gui) SetZoom(level float64) {
	C.kiosk_set_zoom((*C.WebKitWebView)(unsafe.Pointer(g.view)), C.double(level))
}

// SetUserStyles replaces the kiosk's user style sheets: all for every
// page, portal for the portal's pages only ("" removes one).
func (g *gui) SetUserStyles(all, portal string) {
	a, s := C.CString(all), C.CString(portal)
	defer C.free(unsafe.Pointer(a))
	defer C.free(unsafe.Pointer(s))
	C.kiosk_set_user_styles((*C.WebKitWebView)(unsafe.Pointer(g.view)), a, s)
}
