package browser

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/communes/kiosk/kiosk/clamd"
	"github.com/communes/kiosk/kiosk/usbdoc"
	"github.com/communes/kiosk/kiosk/usbkey"
)

// The resident's USB key in the documents panel (kiosk shell --usb): the
// key plugged in during the session is mounted read-only by udisks2,
// listed and scanned (kiosk/usbkey), and a file the resident attaches is
// copied into the session's profile, like a scan, and handed to the
// page's file chooser. Nothing about the key is logged.

// Notices of the USB key (portal messages).
const (
	noticeUSBFailed      = "doc.usb.copyfailed"
	noticeUSBReady       = "doc.usb.ready" // listed while no form asks for a file
	noticeUSBNoAntivirus = "doc.usb.noav"
	noticeUSBFailedRead  = "doc.usb.failed"
)

// usbSession is the session's USB key (main loop).
type usbSession struct {
	c        *usbkey.Controller
	cancel   context.CancelFunc
	state    usbkey.State
	started  bool
	released bool // the end of the session waits for the unmount
	waited   bool // ... and it is over
	copying  bool
}

// startUSB starts following USB keys when the session opens (main loop).
func (b *Browser) startUSB() {
	if !b.conf.USB || b.conf.OutOfOrder != "" || b.usb.started {
		return
	}
	b.usb.started = true
	edge, err := usbkey.DialUDisks()
	if err != nil {
		b.l.Error("USB keys unavailable: no system bus for udisks2", "err", err)
		b.usb.state = usbkey.State{Status: usbkey.StatusFailed}
		return
	}
	var sc usbdoc.Scanner
	if b.conf.ClamdSocket != "" {
		sc = &clamd.Client{Socket: b.conf.ClamdSocket, Timeout: 30 * time.Second}
	}
	c, err := usbkey.New(usbkey.Config{
		Edge: edge, Scanner: sc, Logger: b.l,
		Changed: func(st usbkey.State) { b.onMain(func() { b.usbChanged(st) }) },
		Threat:  b.reportThreat,
	})
	if err != nil {
		_ = edge.Close()
		b.l.Error("USB keys unavailable", "err", err)
		return
	}
	ctx, cancel := context.WithCancel(b.ctx)
	b.usb.c, b.usb.cancel = c, cancel
	b.l.Info("following USB keys (udisks2)", "antivirus", sc != nil)
	go func() {
		defer edge.Close()
		if err := c.Run(ctx); err != nil {
			b.l.Error("USB keys no longer followed", "err", err)
		}
	}()
}

// usbChanged shows the key's new state (main loop): in the documents
// overlay when a page's file chooser waits, else as a notice, so the
// resident who plugged a key in knows what to touch next.
func (b *Browser) usbChanged(st usbkey.State) {
	b.usb.state = st
	if b.docs.open {
		b.showDocuments()
		return
	}
	switch st.Status {
	case usbkey.StatusReady:
		b.notice(noticeUSBReady)
	case usbkey.StatusNoAntivirus:
		b.notice(noticeUSBNoAntivirus)
	case usbkey.StatusFailed:
		b.notice(noticeUSBFailedRead)
	}
}

// usbOverlayOpened follows a new opening of the documents overlay (main
// loop): "Vous pouvez retirer la clé", said by the previous one, gives
// way to "Branchez votre clé USB" once the key has left.
func (b *Browser) usbOverlayOpened() {
	if b.usb.c != nil {
		b.usb.c.Dismiss()
	}
}

// reportThreat counts a detection on the admin page: the signature only.
func (b *Browser) reportThreat(signature string) {
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(b.ctx), 5*time.Second)
		defer cancel()
		if _, err := b.api.Post(ctx, "/api/shell/threat", map[string]string{"signature": signature}); err != nil {
			b.l.Warn("reporting a threat to the service", "err", err)
		}
	}()
}

// holdForUSB makes the end of the session wait until the key is unmounted
// and powered off (main loop): it reports whether it did; finish(err) is
// called again then.
func (b *Browser) holdForUSB(err error) bool {
	switch {
	case b.usb.c == nil || b.usb.waited:
		return false
	case b.usb.released:
		return true // another finish while the key is released: still waiting
	}
	b.usb.released = true
	b.usb.cancel()
	c := b.usb.c
	go func() {
		t := time.NewTimer(20 * time.Second)
		defer t.Stop()
		select {
		case <-c.Done():
		case <-t.C:
			b.l.Warn("the USB key was not released in time")
		}
		b.onMain(func() {
			b.usb.waited = true
			b.finish(err)
		})
	}()
	return true
}

// usbAction answers the panel's "Joindre" beside a file of the key and
// "Retirer la clé" (binding kioskUSB, the toolbar's only; main loop).
func (b *Browser) usbAction(id, action string, i int) {
	fail := func(code string) {
		b.reply(id, false, jsonString(`{"error":"`+code+`","code":"`+code+`"}`))
	}
	switch {
	case b.usb.c == nil:
		fail("no_usb")
	case action == "eject":
		b.usb.c.Eject()
		b.reply(id, true, "null")
	case action != "attach":
		fail("bad_request")
	case !b.docs.open:
		fail("no_chooser")
	case b.usb.copying:
		fail("busy")
	default:
		b.attachUSB(id, i)
	}
}

// attachUSB copies file i of the key into the session's profile and gives
// it to the page's file chooser (main loop).
func (b *Browser) attachUSB(id string, i int) {
	home, err := os.UserHomeDir()
	if err != nil {
		b.reply(id, false, jsonString(`{"error":"no profile","code":"copy_failed"}`))
		return
	}
	dir, host := filepath.Join(home, "documents"), b.docs.host
	b.usb.copying = true
	b.reply(id, true, "null")
	b.showDocuments()
	go func() {
		start := time.Now()
		path, f, err := b.usb.c.Copy(b.ctx, i, dir)
		b.onMain(func() {
			b.usb.copying = false
			switch {
			case err != nil:
				b.l.Error("copying a file from the USB key", "err", err)
				b.notice(noticeUSBFailed)
			case !b.docs.open || b.docs.host != host || b.quitting:
				_ = os.Remove(path) // the page went: nobody asked for it now
			default:
				b.docs.open = false
				if b.g.AnswerChooser(path) {
					b.l.Info("document attached from the USB key", "kind", f.Kind, "bytes", f.Size,
						"host", hostOf(b.committed), "took", time.Since(start).Round(time.Millisecond))
					b.notice(noticeAttached)
				} else {
					_ = os.Remove(path)
				}
			}
			b.showDocuments()
		})
	}()
}

// usbFile is one file of the key as the panel shows it.
type usbFile struct {
	I      int    `json:"i"`
	Name   string `json:"name"`
	Kind   string `json:"kind,omitempty"`
	Size   int64  `json:"size"`
	Pages  int    `json:"pages,omitempty"`
	OK     bool   `json:"ok"`
	Reason string `json:"reason,omitempty"` // in the session's language
	Threat bool   `json:"threat,omitempty"`
}

// usbView is the key's part of the panel's state (main loop): nil without
// --usb.
func (b *Browser) usbView() any {
	if !b.conf.USB {
		return nil
	}
	lang := "fr"
	if p := b.nav.lang.Load(); p != nil && *p != "" {
		lang = *p
	}
	st := b.usb.state
	files := make([]usbFile, 0, len(st.Files))
	for i, f := range st.Files {
		files = append(files, usbFile{
			I: i, Name: f.Path, Kind: string(f.Kind), Size: f.Size, Pages: f.Pages,
			OK: f.Attachable(), Reason: f.Reason.Message(lang), Threat: f.Reason == usbdoc.ReasonThreat,
		})
	}
	return map[string]any{"status": st.Status, "files": files, "truncated": st.Truncated, "copying": b.usb.copying}
}
