package usbkey_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/communes/kiosk/kiosk/clamd"
	"github.com/communes/kiosk/kiosk/usbdoc"
	"github.com/communes/kiosk/kiosk/usbkey"
)

// fakeEdge is udisks2 at the process edge: the test plugs and pulls keys
// through its channels; Mount answers with a directory the test made.
type fakeEdge struct {
	plug, pull chan usbkey.Device
	queued     chan struct{} // after each plug or pull was handed over
	dir        string        // the "mount point"
	mountErr   error

	mu    sync.Mutex
	calls []string
}

func newFakeEdge(dir string) *fakeEdge {
	return &fakeEdge{plug: make(chan usbkey.Device), pull: make(chan usbkey.Device), queued: make(chan struct{}), dir: dir}
}

func (e *fakeEdge) record(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, s)
}

func (e *fakeEdge) Calls() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return strings.Join(e.calls, " ")
}

func (e *fakeEdge) Watch(ctx context.Context, added, removed func(usbkey.Device)) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case d := <-e.plug:
			added(d)
			e.queued <- struct{}{}
		case d := <-e.pull:
			removed(d)
			e.queued <- struct{}{}
		}
	}
}

// plugIn reports d plugged in, once the controller has it queued.
func (e *fakeEdge) plugIn(d usbkey.Device) {
	e.plug <- d
	<-e.queued
}

// pullOut reports d pulled out, once the controller has it queued.
func (e *fakeEdge) pullOut(d usbkey.Device) {
	e.pull <- d
	<-e.queued
}

func (e *fakeEdge) Mount(_ context.Context, d usbkey.Device) (string, error) {
	e.record("mount:" + d.Object)
	return e.dir, e.mountErr
}

func (e *fakeEdge) Unmount(_ context.Context, d usbkey.Device) error {
	e.record("unmount:" + d.Object)
	return nil
}

func (e *fakeEdge) PowerOff(_ context.Context, d usbkey.Device) error {
	e.record("poweroff:" + d.Drive)
	return nil
}

// scanner is clamd at the process edge: a file holding "VIRUS" is a
// threat; with down set, no verdict.
type scanner struct{ down bool }

func (s scanner) Scan(_ context.Context, r io.Reader) (clamd.Result, error) {
	data, _ := io.ReadAll(r)
	if s.down {
		return clamd.Result{}, clamd.ErrUnavailable
	}
	if bytes.Contains(data, []byte("VIRUS")) {
		return clamd.Result{Threat: "Test.Virus"}, nil
	}
	return clamd.Result{}, nil
}

// key writes a key's files into a new directory.
func key(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range map[string]string{
		"avis.pdf":  "%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n%%EOF\n",
		"virus.pdf": "%PDF-1.4\nVIRUS\n%%EOF\n",
		"notes.txt": "some text\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// rig runs a controller; states receives every state it reports.
type rig struct {
	c       *usbkey.Controller
	edge    *fakeEdge
	states  chan usbkey.State
	threats chan string
	logs    *bytes.Buffer
	cancel  context.CancelFunc
	ran     chan error
}

func newRig(t *testing.T, edge *fakeEdge, sc usbdoc.Scanner) *rig {
	t.Helper()
	r := &rig{edge: edge, states: make(chan usbkey.State, 32), threats: make(chan string, 32), logs: &bytes.Buffer{}, ran: make(chan error, 1)}
	var logMu sync.Mutex
	c, err := usbkey.New(usbkey.Config{
		Edge: edge, Scanner: sc,
		Logger:  slog.New(slog.NewTextHandler(lockedWriter{&logMu, r.logs}, nil)),
		Changed: func(st usbkey.State) { r.states <- st },
		Threat:  func(sig string) { r.threats <- sig },
	})
	if err != nil {
		t.Fatal(err)
	}
	r.c = c
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.ran <- c.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-r.ran
	})
	return r
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}

// wait returns the next state with status want, failing on a timeout.
func (r *rig) wait(t *testing.T, want usbkey.Status) usbkey.State {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case st := <-r.states:
			if st.Status == want {
				return st
			}
		case <-deadline:
			t.Fatalf("no state %q within 10 s (calls: %s)", want, r.edge.Calls())
		}
	}
}

var dev = usbkey.Device{Object: "/org/freedesktop/UDisks2/block_devices/sdb1", Drive: "/org/freedesktop/UDisks2/drives/Vendor_Model_SERIAL123", CanPowerOff: true}

// TestController_PlugListAttachEject: a key plugged in during the session
// is mounted, listed with the antivirus's verdicts (the threat reported
// by its signature), a clean file copied; "Retirer la clé" unmounts it and
// powers the drive off, then the key can be removed; nothing about the key
// is logged.
func TestController_PlugListAttachEject(t *testing.T) {
	dir := key(t)
	r := newRig(t, newFakeEdge(dir), scanner{})
	r.edge.plugIn(dev)
	r.wait(t, usbkey.StatusReading)
	st := r.wait(t, usbkey.StatusReady)
	got := map[string]usbdoc.File{}
	idx := map[string]int{}
	for i, f := range st.Files {
		got[f.Path], idx[f.Path] = f, i
	}
	if f := got["avis.pdf"]; !f.Attachable() || f.Kind != usbdoc.KindPDF {
		t.Errorf("avis.pdf: %+v, want an attachable PDF", f)
	}
	if f := got["virus.pdf"]; f.Reason != usbdoc.ReasonThreat || f.Threat != "Test.Virus" {
		t.Errorf("virus.pdf: %+v, want a threat", f)
	}
	if f := got["notes.txt"]; f.Reason != usbdoc.ReasonType {
		t.Errorf("notes.txt: %+v, want refused by type", f)
	}
	if sig := <-r.threats; sig != "Test.Virus" {
		t.Errorf("threat reported %q", sig)
	}

	dst := t.TempDir()
	if _, _, err := r.c.Copy(context.Background(), idx["virus.pdf"], dst); !errors.Is(err, usbdoc.ErrNotAttachable) {
		t.Errorf("Copy(virus.pdf) = %v, want ErrNotAttachable", err)
	}
	p, f, err := r.c.Copy(context.Background(), idx["avis.pdf"], dst)
	if err != nil || f.Kind != usbdoc.KindPDF {
		t.Fatalf("Copy(avis.pdf) = %v, %+v", err, f)
	}
	want, _ := os.ReadFile(filepath.Join(dir, "avis.pdf"))
	if data, _ := os.ReadFile(p); !bytes.Equal(data, want) {
		t.Errorf("the copy differs from the key's file")
	}
	if _, _, err := r.c.Copy(context.Background(), 99, dst); err == nil {
		t.Error("Copy(99) succeeded")
	}

	r.c.Eject()
	r.wait(t, usbkey.StatusRemovable)
	if calls := r.edge.Calls(); calls != "mount:"+dev.Object+" unmount:"+dev.Object+" poweroff:"+dev.Drive {
		t.Errorf("udisks2 calls: %s", calls)
	}
	if _, _, err := r.c.Copy(context.Background(), idx["avis.pdf"], dst); !errors.Is(err, usbkey.ErrNoKey) {
		t.Errorf("Copy after Eject = %v, want ErrNoKey", err)
	}
	r.edge.pullOut(usbkey.Device{Object: dev.Object})
	r.c.Dismiss()                // the overlay opened again
	r.wait(t, usbkey.StatusNone) // pulled out: "plug your key in" again
	r.cancel()
	if err := <-r.ran; err != nil {
		t.Errorf("Run = %v", err)
	}
	r.ran <- nil
	for _, s := range []string{"avis", "virus", "notes", dir, "SERIAL123", "sdb1"} {
		if strings.Contains(r.logs.String(), s) {
			t.Errorf("the log names %q:\n%s", s, r.logs)
		}
	}
	if !strings.Contains(r.logs.String(), "USB key listed") {
		t.Errorf("the log says nothing of the listing:\n%s", r.logs)
	}
}

// TestController_PulledOut: a key pulled out is released (its mount
// cleaned up, no power-off) and nothing from it can be copied.
func TestController_PulledOut(t *testing.T) {
	r := newRig(t, newFakeEdge(key(t)), scanner{})
	r.edge.plugIn(dev)
	r.wait(t, usbkey.StatusReady)
	r.edge.pullOut(usbkey.Device{Object: dev.Object})
	r.wait(t, usbkey.StatusNone)
	if calls := r.edge.Calls(); calls != "mount:"+dev.Object+" unmount:"+dev.Object {
		t.Errorf("udisks2 calls: %s", calls)
	}
	if _, _, err := r.c.Copy(context.Background(), 0, t.TempDir()); !errors.Is(err, usbkey.ErrNoKey) {
		t.Errorf("Copy after the key went = %v, want ErrNoKey", err)
	}
}

// next returns the next state, whatever it is.
func (r *rig) next(t *testing.T) usbkey.State {
	t.Helper()
	select {
	case st := <-r.states:
		return st
	case <-time.After(10 * time.Second):
		t.Fatalf("no state within 10 s (calls: %s)", r.edge.Calls())
		return usbkey.State{}
	}
}

// TestController_EjectedKeyLeaves: udisks2's power-off removes the device
// at once; "you can remove the key" stays on the screen until the
// resident opens the overlay again (Dismiss), and a key plugged in
// meanwhile is read as usual.
func TestController_EjectedKeyLeaves(t *testing.T) {
	r := newRig(t, newFakeEdge(key(t)), scanner{})
	r.edge.plugIn(dev)
	r.wait(t, usbkey.StatusReady)
	r.c.Eject()
	r.wait(t, usbkey.StatusRemovable)
	r.edge.pullOut(usbkey.Device{Object: dev.Object}) // the power-off's removal
	other := usbkey.Device{Object: "/org/freedesktop/UDisks2/block_devices/sdc1"}
	r.edge.plugIn(other)
	if st := r.next(t); st.Status != usbkey.StatusReading {
		t.Fatalf("after the power-off's removal the state went %q, want %q until a new key", st.Status, usbkey.StatusReading)
	}
	r.wait(t, usbkey.StatusReady)
	r.c.Eject()
	r.wait(t, usbkey.StatusRemovable)
	r.c.Dismiss() // still there (no removal yet): the notice stays
	r.edge.pullOut(other)
	r.c.Dismiss()
	if st := r.next(t); st.Status != usbkey.StatusNone {
		t.Errorf("Dismiss after the key left: %q, want %q", st.Status, usbkey.StatusNone)
	}
}

// TestController_ReplugCountsOnce: a key plugged in again during the
// session is listed again, its threat still shown, but the file is counted
// once for the admin page.
func TestController_ReplugCountsOnce(t *testing.T) {
	r := newRig(t, newFakeEdge(key(t)), scanner{})
	for i := 0; i < 2; i++ {
		r.edge.plugIn(dev)
		st := r.wait(t, usbkey.StatusReady)
		threats := 0
		for _, f := range st.Files {
			if f.Reason == usbdoc.ReasonThreat {
				threats++
			}
		}
		if threats != 1 {
			t.Errorf("plug %d: %d files shown as threats, want 1", i+1, threats)
		}
		r.edge.pullOut(usbkey.Device{Object: dev.Object})
		r.wait(t, usbkey.StatusNone)
	}
	if sig := <-r.threats; sig != "Test.Virus" {
		t.Errorf("threat reported %q", sig)
	}
	select {
	case sig := <-r.threats:
		t.Errorf("the same file counted again when the key came back: %q", sig)
	default:
	}
	if n := strings.Count(r.logs.String(), "threat detected on a USB key"); n != 2 {
		t.Errorf("%d threat lines in the log, want one per listing (2)", n)
	}
}

// TestController_SessionEnd: the end of the session (Run's context)
// unmounts the key and powers it off before Run returns.
func TestController_SessionEnd(t *testing.T) {
	r := newRig(t, newFakeEdge(key(t)), scanner{})
	r.edge.plugIn(dev)
	r.wait(t, usbkey.StatusReady)
	r.cancel()
	if err := <-r.ran; err != nil {
		t.Errorf("Run = %v", err)
	}
	r.ran <- nil
	if calls := r.edge.Calls(); calls != "mount:"+dev.Object+" unmount:"+dev.Object+" poweroff:"+dev.Drive {
		t.Errorf("udisks2 calls: %s", calls)
	}
	select {
	case <-r.c.Done():
	default:
		t.Error("Done not closed after Run")
	}
}

// TestController_NoAntivirus: with clamd unavailable nothing is offered.
func TestController_NoAntivirus(t *testing.T) {
	for _, tc := range []struct {
		name string
		sc   usbdoc.Scanner
	}{{"down", scanner{down: true}}, {"none", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, newFakeEdge(key(t)), tc.sc)
			r.edge.plugIn(dev)
			st := r.wait(t, usbkey.StatusNoAntivirus)
			if len(st.Files) != 0 {
				t.Errorf("files offered without an antivirus: %d", len(st.Files))
			}
			if _, _, err := r.c.Copy(context.Background(), 0, t.TempDir()); err == nil {
				t.Error("Copy succeeded without an antivirus")
			}
			r.c.Eject()
			r.wait(t, usbkey.StatusRemovable)
		})
	}
}

// TestController_PluggedBefore: a key there when the session started (a
// previous resident's) is not mounted until plugged in again; a second
// key is ignored while one is in use.
func TestController_PluggedBefore(t *testing.T) {
	r := newRig(t, newFakeEdge(key(t)), scanner{})
	old := dev
	old.AtStart = true
	r.edge.plugIn(old)
	r.wait(t, usbkey.StatusReplug)
	r.edge.pullOut(usbkey.Device{Object: dev.Object})
	r.wait(t, usbkey.StatusNone)
	if calls := r.edge.Calls(); calls != "" {
		t.Errorf("udisks2 calls for a key plugged before the session: %s", calls)
	}
	r.edge.plugIn(dev)
	r.wait(t, usbkey.StatusReady)
	r.edge.plugIn(usbkey.Device{Object: "/org/freedesktop/UDisks2/block_devices/sdc1"})
	r.c.Eject()
	r.wait(t, usbkey.StatusRemovable)
	if calls := r.edge.Calls(); strings.Contains(calls, "sdc1") {
		t.Errorf("a second key was used: %s", calls)
	}
}

// TestController_MountFails: a key udisks2 cannot mount is reported, and
// not unmounted.
func TestController_MountFails(t *testing.T) {
	e := newFakeEdge(t.TempDir())
	e.mountErr = errors.New("org.freedesktop.UDisks2.Error.NotAuthorized")
	r := newRig(t, e, scanner{})
	r.edge.plugIn(dev)
	r.wait(t, usbkey.StatusFailed)
	r.edge.pullOut(usbkey.Device{Object: dev.Object})
	r.wait(t, usbkey.StatusNone)
	if calls := r.edge.Calls(); calls != "mount:"+dev.Object {
		t.Errorf("udisks2 calls: %s", calls)
	}
}
