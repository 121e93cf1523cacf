package browser

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/communes/kiosk/kiosk/usbdoc"
	"github.com/communes/kiosk/kiosk/usbkey"
)

// holdEdge is udisks2 at the process edge: one key plugged at once, whose
// Unmount waits for the test.
type holdEdge struct {
	dir     string
	release chan struct{}
	mu      sync.Mutex
	calls   []string
}

func (e *holdEdge) Watch(ctx context.Context, added, _ func(usbkey.Device)) error {
	added(usbkey.Device{Object: "/org/freedesktop/UDisks2/block_devices/sdb1", Drive: "/d", CanPowerOff: true})
	<-ctx.Done()
	return ctx.Err()
}

func (e *holdEdge) Mount(context.Context, usbkey.Device) (string, error) { return e.dir, nil }

func (e *holdEdge) Unmount(context.Context, usbkey.Device) error {
	<-e.release
	e.record("unmount")
	return nil
}

func (e *holdEdge) PowerOff(context.Context, usbkey.Device) error {
	e.record("poweroff")
	return nil
}

func (e *holdEdge) record(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, s)
}

// quitView is a fakeView that says when the main loop is asked to stop.
type quitView struct {
	*fakeView
	quitted chan struct{}
	once    sync.Once
}

func (v *quitView) Quit() {
	v.fakeView.Quit()
	v.once.Do(func() { close(v.quitted) })
}

// TestBrowser_EndWaitsForUSB: the end of the session waits until the key
// is unmounted and powered off, even when the end is asked for again
// meanwhile (each new state of the service calls finish).
func TestBrowser_EndWaitsForUSB(t *testing.T) {
	v := &quitView{fakeView: newFakeView(), quitted: make(chan struct{})}
	b, _ := testBrowser(t, v)
	e := &holdEdge{dir: t.TempDir(), release: make(chan struct{})}
	states := make(chan usbkey.State, 8)
	c, err := usbkey.New(usbkey.Config{Edge: e, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Changed: func(st usbkey.State) { states <- st }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(b.ctx)
	b.usb.c, b.usb.cancel = c, cancel
	go func() { _ = c.Run(ctx) }()
	for st := range states {
		if st.Status == usbkey.StatusNoAntivirus { // mounted; no scanner here
			break
		}
	}

	b.finish(nil)
	b.finish(nil) // the service's next state, while the key is released
	select {
	case <-v.quitted:
		t.Fatal("the browser process quit before the key was unmounted")
	case <-time.After(200 * time.Millisecond): // nothing to await: Quit must not come
	}
	close(e.release)
	select {
	case <-v.quitted:
	case <-time.After(10 * time.Second):
		t.Fatal("the browser process did not quit once the key was unmounted")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.calls) != 2 || e.calls[0] != "unmount" || e.calls[1] != "poweroff" {
		t.Errorf("udisks2 calls before the end: %q, want unmount then poweroff", e.calls)
	}
}

// TestBrowser_USBChanged: a key listed while a form's file chooser waits
// shows in the documents overlay, with its verdicts in the session's
// language; listed while none waits, a notice tells the resident what to
// touch next (or that the antivirus or the key failed).
func TestBrowser_USBChanged(t *testing.T) {
	v := newFakeView()
	b, _ := testBrowser(t, v)
	b.conf.USB = true
	last := func() string {
		v.mu.Lock()
		defer v.mu.Unlock()
		if len(v.toolbarJS) == 0 {
			return ""
		}
		return v.toolbarJS[len(v.toolbarJS)-1]
	}
	for _, tc := range []struct {
		status usbkey.Status
		want   string
	}{
		{usbkey.StatusReady, `kioskNotice("doc.usb.ready")`},
		{usbkey.StatusNoAntivirus, `kioskNotice("doc.usb.noav")`},
		{usbkey.StatusFailed, `kioskNotice("doc.usb.failed")`},
	} {
		b.usbChanged(usbkey.State{Status: tc.status})
		if got := last(); !strings.Contains(got, tc.want) {
			t.Errorf("%s with no chooser open: %s, want %s", tc.status, got, tc.want)
		}
	}
	b.docs.open = true
	b.usbChanged(usbkey.State{Status: usbkey.StatusReady, Files: []usbdoc.File{
		{Path: "avis.pdf", Size: 1000, Kind: usbdoc.KindPDF, Pages: 2},
		{Path: "eicar.com", Size: 68, Reason: usbdoc.ReasonThreat, Threat: "Eicar-Signature"},
	}})
	got := last()
	for _, want := range []string{`kioskDocuments(`, `"status":"ready"`, `"name":"avis.pdf"`, `"pages":2`, `"ok":true`,
		`"reason":"refusé : menace détectée"`, `"threat":true`, `"scanner":false`} {
		if !strings.Contains(got, want) {
			t.Errorf("the overlay's state %s lacks %s", got, want)
		}
	}
	if strings.Contains(got, "Eicar-Signature") {
		t.Errorf("the overlay's state names the signature: %s", got)
	}
}
