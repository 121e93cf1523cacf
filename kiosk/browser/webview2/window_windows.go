package webview2

import (
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	user32            = windows.NewLazySystemDLL("user32.dll")
	procGetWindowLong = user32.NewProc("GetWindowLongPtrW")
	procSetWindowLong = user32.NewProc("SetWindowLongPtrW")
	procMonitorFromWn = user32.NewProc("MonitorFromWindow")
	procGetMonitorInf = user32.NewProc("GetMonitorInfoW")
	procSetWindowPos  = user32.NewProc("SetWindowPos")
	procGetSystemMenu = user32.NewProc("GetSystemMenu")
	procDeleteMenu    = user32.NewProc("DeleteMenu")
	procEmptyClip     = user32.NewProc("EmptyClipboard")
	procOpenClip      = user32.NewProc("OpenClipboard")
	procCloseClip     = user32.NewProc("CloseClipboard")
)

// Win32 constants (winuser.h).
const (
	gwlStyle              = -16
	gwlExStyle            = -20
	wsCaption             = 0x00C00000
	wsThickFrame          = 0x00040000
	wsMinimizeBox         = 0x00020000
	wsMaximizeBox         = 0x00010000
	wsSysMenu             = 0x00080000
	wsExDlgModalFrame     = 0x00000001
	wsExClientEdge        = 0x00000200
	wsExStaticEdge        = 0x00020000
	wsExWindowEdge        = 0x00000100
	wsExTopmost           = 0x00000008
	monitorDefaultNearest = 2
	swpNoOwnerZOrder      = 0x0200
	swpFrameChanged       = 0x0020
	swpShowWindow         = 0x0040
	scClose               = 0xF060
	mfByCommand           = 0
)

// hwndTopmost is HWND_TOPMOST, (HWND)-1.
var hwndTopmost = ^uintptr(0)

// monitorInfo is MONITORINFO.
type monitorInfo struct {
	Size    uint32
	Monitor windows.Rect
	Work    windows.Rect
	Flags   uint32
}

// fullscreen makes hwnd an undecorated, topmost window that covers the
// whole monitor it is on (the taskbar included), without a close command
// in its system menu.
func fullscreen(hwnd uintptr) error {
	if hwnd == 0 {
		return errors.New("no window")
	}
	style, _, _ := procGetWindowLong.Call(hwnd, negIndex(gwlStyle))
	style &^= wsCaption | wsThickFrame | wsMinimizeBox | wsMaximizeBox | wsSysMenu
	procSetWindowLong.Call(hwnd, negIndex(gwlStyle), style)
	ex, _, _ := procGetWindowLong.Call(hwnd, negIndex(gwlExStyle))
	ex &^= wsExDlgModalFrame | wsExClientEdge | wsExStaticEdge | wsExWindowEdge
	procSetWindowLong.Call(hwnd, negIndex(gwlExStyle), ex|wsExTopmost)
	if menu, _, _ := procGetSystemMenu.Call(hwnd, 0); menu != 0 {
		procDeleteMenu.Call(menu, scClose, mfByCommand)
	}
	mon, _, _ := procMonitorFromWn.Call(hwnd, monitorDefaultNearest)
	if mon == 0 {
		return errors.New("MonitorFromWindow: no monitor")
	}
	mi := monitorInfo{Size: uint32(unsafe.Sizeof(monitorInfo{}))}
	if ok, _, err := procGetMonitorInf.Call(mon, uintptr(unsafe.Pointer(&mi))); ok == 0 {
		return fmt.Errorf("GetMonitorInfo: %w", err)
	}
	r := mi.Monitor
	ok, _, err := procSetWindowPos.Call(hwnd, hwndTopmost,
		uintptr(r.Left), uintptr(r.Top), uintptr(r.Right-r.Left), uintptr(r.Bottom-r.Top),
		swpNoOwnerZOrder|swpFrameChanged|swpShowWindow)
	if ok == 0 {
		return fmt.Errorf("SetWindowPos: %w", err)
	}
	return nil
}

// negIndex is a negative GWL_* index as the uintptr Call wants.
func negIndex(i int) uintptr { return uintptr(int64(i)) }

// clearClipboard empties the clipboard of the session (what a resident
// copied must not reach the next one).
func clearClipboard(hwnd uintptr) {
	if ok, _, _ := procOpenClip.Call(hwnd); ok == 0 {
		return
	}
	procEmptyClip.Call()
	procCloseClip.Call()
}
