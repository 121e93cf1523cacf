//go:build webview

package webview2

/*
#include <stdlib.h>
// The C API of webview_go's library (linked through its Go package).
void *webview_get_window(void *w);
void *webview_get_native_handle(void *w, int kind);
*/
import "C"

import (
	"errors"
	"fmt"
	"syscall"
	"unsafe"

	webview "github.com/webview/webview_go"
	"golang.org/x/sys/windows"

	"github.com/communes/kiosk/kiosk/browser"
)

// webviewKindController is WEBVIEW_NATIVE_HANDLE_KIND_BROWSER_CONTROLLER.
const webviewKindController = 2

// Interface IDs (abi.go).
var (
	iidWebView4                  = mustGUID(iidStrWebView4)
	iidSettings3                 = mustGUID(iidStrSettings3)
	iidSettings4                 = mustGUID(iidStrSettings4)
	iidUnknown                   = mustGUID(iidStrUnknown)
	iidNavigationStartingHandler = mustGUID(iidStrNavigationStartingHandler)
	iidNewWindowRequestedHandler = mustGUID(iidStrNewWindowRequestedHandler)
	iidDownloadStartingHandler   = mustGUID(iidStrDownloadStartingHandler)
)

// mustGUID parses a constant GUID; TestWebView2ABI_MatchesHeader checks them.
func mustGUID(s string) windows.GUID {
	g, err := windows.GUIDFromString(s)
	if err != nil {
		panic("kiosk: bad GUID " + s)
	}
	return g
}

// native is the ICoreWebView2 under webview_go's window, with the hooks
// that the generic API lacks: the navigation policy before any request,
// new windows in the same view, downloads cancelled, the caller of a
// binding. Used only on the window's thread.
type native struct {
	webview unsafe.Pointer // ICoreWebView2*
}

// webviewT returns the webview_t of webview_go's WebView (its first
// field), checked against the window it reports.
func webviewT(w webview.WebView) (unsafe.Pointer, error) {
	h := webviewPtr(w)
	if h == nil || C.webview_get_window(h) != w.Window() {
		return nil, errors.New("webview_go's layout is not the pinned one")
	}
	return h, nil
}

// webviewPtr returns the first field of webview_go's *webview, its
// webview_t, or nil: NULL when webview_create failed (no WebView2 Runtime),
// and then no method of w may be called.
func webviewPtr(w webview.WebView) unsafe.Pointer {
	type iface struct{ typ, data unsafe.Pointer }
	data := (*iface)(unsafe.Pointer(&w)).data
	if data == nil {
		return nil
	}
	return *(*unsafe.Pointer)(data)
}

// vcall calls method idx of the COM object obj and returns its HRESULT
// (the low 32 bits of the result register).
func vcall(obj unsafe.Pointer, idx int, args ...uintptr) uint32 {
	vtbl := *(*unsafe.Pointer)(obj)
	fn := *(*uintptr)(unsafe.Add(vtbl, idx*int(unsafe.Sizeof(uintptr(0)))))
	r, _, _ := syscall.SyscallN(fn, append([]uintptr{uintptr(obj)}, args...)...)
	return uint32(r)
}

// queryInterface returns obj's interface iid, or nil.
func queryInterface(obj unsafe.Pointer, iid *windows.GUID) unsafe.Pointer {
	var out unsafe.Pointer
	if hr := vcall(obj, vtQueryInterface, uintptr(unsafe.Pointer(iid)), uintptr(unsafe.Pointer(&out))); hr != 0 {
		return nil
	}
	return out
}

// getString calls a getter that returns an LPWSTR and frees it.
func getString(obj unsafe.Pointer, idx int) string {
	var p *uint16
	if hr := vcall(obj, idx, uintptr(unsafe.Pointer(&p))); hr != 0 || p == nil {
		return ""
	}
	defer windows.CoTaskMemFree(unsafe.Pointer(p))
	return windows.UTF16PtrToString(p)
}

// eNoInterface is E_NOINTERFACE.
const eNoInterface = 0x80004002

// handler is a COM event handler of interface iid, made in C memory: a
// vtable pointer, then the vtable (QueryInterface, AddRef, Release,
// Invoke). It lives as long as the process.
func handler(iid windows.GUID, invoke func(sender, args unsafe.Pointer) uintptr) unsafe.Pointer {
	mem := C.malloc(C.size_t(5 * unsafe.Sizeof(uintptr(0))))
	words := unsafe.Slice((*uintptr)(mem), 5)
	words[0] = uintptr(unsafe.Add(mem, unsafe.Sizeof(uintptr(0))))
	words[1] = syscall.NewCallback(func(this uintptr, riid *windows.GUID, out *uintptr) uintptr {
		if *riid != iidUnknown && *riid != iid {
			*out = 0
			return eNoInterface
		}
		*out = this
		return 0
	})
	words[2] = syscall.NewCallback(func(uintptr) uintptr { return 1 })
	words[3] = words[2]
	words[4] = syscall.NewCallback(func(_ uintptr, sender, args unsafe.Pointer) uintptr {
		return invoke(sender, args)
	})
	return mem
}

// attachNative finds the ICoreWebView2 of v.w and installs the hooks and
// settings. On an error the view keeps the guard script only.
func (v *view) attachNative() error {
	h, err := webviewT(v.w)
	if err != nil {
		return err
	}
	ctrl := C.webview_get_native_handle(h, webviewKindController)
	if ctrl == nil {
		return errors.New("no WebView2 controller")
	}
	var wv unsafe.Pointer
	if hr := vcall(ctrl, vtControllerGetCoreWebView2, uintptr(unsafe.Pointer(&wv))); hr != 0 || wv == nil {
		return fmt.Errorf("ICoreWebView2Controller::get_CoreWebView2: 0x%x", hr)
	}
	n := &native{webview: wv}
	if err := n.settings(); err != nil {
		return err
	}
	var token uint64
	add := func(obj unsafe.Pointer, idx int, h unsafe.Pointer, what string) error {
		if hr := vcall(obj, idx, uintptr(h), uintptr(unsafe.Pointer(&token))); hr != 0 {
			return fmt.Errorf("adding the %s handler: 0x%x", what, hr)
		}
		return nil
	}
	if err := add(wv, vtWebViewAddNavigationStarting, handler(iidNavigationStartingHandler, v.navigationStarting), "NavigationStarting"); err != nil {
		return err
	}
	if err := add(wv, vtWebViewAddFrameNavigationStarting, handler(iidNavigationStartingHandler, v.frameNavigationStarting), "FrameNavigationStarting"); err != nil {
		return err
	}
	if err := add(wv, vtWebViewAddNewWindowRequested, handler(iidNewWindowRequestedHandler, v.newWindowRequested), "NewWindowRequested"); err != nil {
		return err
	}
	wv4 := queryInterface(wv, &iidWebView4)
	if wv4 == nil {
		return errors.New("WebView2 runtime too old: no ICoreWebView2_4 (downloads)")
	}
	defer vcall(wv4, vtRelease)
	if err := add(wv4, vtWebView4AddDownloadStarting, handler(iidDownloadStartingHandler, v.downloadStarting), "DownloadStarting"); err != nil {
		return err
	}
	v.native = n
	return nil
}

// settings turns off the context menu, the browser's shortcut keys
// (print, save, find, reload...), password saving and autofill.
func (n *native) settings() error {
	var s unsafe.Pointer
	if hr := vcall(n.webview, vtWebViewGetSettings, uintptr(unsafe.Pointer(&s))); hr != 0 || s == nil {
		return fmt.Errorf("ICoreWebView2::get_Settings: 0x%x", hr)
	}
	defer vcall(s, vtRelease)
	if hr := vcall(s, vtSettingsPutDefaultContextMenus, 0); hr != 0 {
		return fmt.Errorf("AreDefaultContextMenusEnabled: 0x%x", hr)
	}
	if s3 := queryInterface(s, &iidSettings3); s3 != nil {
		vcall(s3, vtSettings3PutAcceleratorKeys, 0)
		vcall(s3, vtRelease)
	}
	if s4 := queryInterface(s, &iidSettings4); s4 != nil {
		vcall(s4, vtSettings4PutPasswordAutosave, 0)
		vcall(s4, vtSettings4PutGeneralAutofill, 0)
		vcall(s4, vtRelease)
	}
	return nil
}

// source returns the URI of the view's top-level document.
func (n *native) source() string { return getString(n.webview, vtWebViewGetSource) }

// navigationStarting is decide-policy for the main frame (window thread):
// a navigation outside the allowlist is cancelled before its request and
// the portal's blocked page is loaded instead, as on Linux
// (browser.Browser.MainFrame, kiosk/browser/policy.go).
func (v *view) navigationStarting(_, args unsafe.Pointer) uintptr {
	uri := getString(args, vtNavArgsGetURI)
	act, to := v.b.MainFrame(uri)
	if act != browser.NavUse {
		vcall(args, vtNavArgsPutCancel, 1)
		if act == browser.NavRedirect && to != "" {
			v.Dispatch(func() { v.w.Navigate(to) })
		}
	}
	return 0
}

// frameNavigationStarting refuses, in any frame, the schemes no frame may
// load (file:, data:...).
func (v *view) frameNavigationStarting(_, args unsafe.Pointer) uintptr {
	if !v.b.FrameAllowed(getString(args, vtNavArgsGetURI)) {
		vcall(args, vtNavArgsPutCancel, 1)
	}
	return 0
}

// newWindowRequested opens no window: an allowed URL loads in the same
// view, another one shows the blocked page.
func (v *view) newWindowRequested(_, args unsafe.Pointer) uintptr {
	uri := getString(args, vtNewWindowArgsGetURI)
	vcall(args, vtNewWindowArgsPutHandled, 1)
	if act, to := v.b.NewWindow(uri); act == browser.NavRedirect && to != "" {
		v.Dispatch(func() { v.w.Navigate(to) })
	}
	return 0
}

// downloadStarting cancels every download, without WebView2's download
// flyout: no file is written.
func (v *view) downloadStarting(_, args unsafe.Pointer) uintptr {
	vcall(args, vtDownloadArgsPutCancel, 1)
	vcall(args, vtDownloadArgsPutHandled, 1)
	v.b.DownloadRefused(v.Source())
	return 0
}
