//go:build linux && e2e

package usbkey_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/kiosk/usbkey"
	"github.com/communes/kiosk/kiosk/usbkey/udiskstest"
)

// TestUDisks_WatchMount runs the real D-Bus edge against a udisks2 played
// on a private bus: a key there before the watch is reported as such, the
// terminal's own disk never, a key plugged and pulled is followed; Mount
// asks read-only, nosuid, nodev, noexec without user interaction and gets
// the mount point; a failed Mount's error keeps udisks2's error name, not
// its message (which names the label and the mount point).
func TestUDisks_WatchMount(t *testing.T) {
	bus := udiskstest.Start(t)
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", bus.Address)
	u, err := usbkey.DialUDisks()
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	dir := t.TempDir()
	bus.Plug(t, dir)

	added, removed := make(chan usbkey.Device, 8), make(chan usbkey.Device, 8)
	ctx, cancel := context.WithCancel(context.Background())
	watched := make(chan error, 1)
	go func() {
		watched <- u.Watch(ctx, func(d usbkey.Device) { added <- d }, func(d usbkey.Device) { removed <- d })
	}()
	next := func(ch chan usbkey.Device, what string) usbkey.Device {
		t.Helper()
		select {
		case d := <-ch:
			return d
		case <-time.After(10 * time.Second):
			t.Fatalf("no %s within 10 s", what)
		}
		return usbkey.Device{}
	}
	d := next(added, "key present at start")
	if d.Object != string(udiskstest.Block) || d.Drive != string(udiskstest.Drive) || !d.CanPowerOff || !d.AtStart {
		t.Errorf("key present at start: %+v", d)
	}
	bus.Pull(t)
	if d := next(removed, "removal"); d.Object != string(udiskstest.Block) {
		t.Errorf("removed %+v", d)
	}
	bus.Plug(t, dir)
	d = next(added, "key plugged in")
	if d.Object != string(udiskstest.Block) || d.AtStart {
		t.Errorf("key plugged in: %+v", d)
	}
	select {
	case d := <-added:
		t.Errorf("another file system reported: %+v (the terminal's own disk?)", d)
	default:
	}

	got, err := u.Mount(ctx, d)
	if err != nil || got != dir {
		t.Fatalf("Mount = %q, %v; want %q", got, err, dir)
	}
	if c := bus.WaitCall(t, "Mount", 5*time.Second); c != "Mount "+usbkey.MountOptions+" no_interaction" {
		t.Errorf("udisks2 was asked %q", c)
	}
	if err := u.Unmount(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := u.PowerOff(ctx, d); err != nil {
		t.Fatal(err)
	}
	bus.WaitCall(t, "Unmount no_interaction", 5*time.Second)
	bus.WaitCall(t, "PowerOff no_interaction", 5*time.Second)

	bus.Plug(t, "")
	_, err = u.Mount(ctx, d)
	if err == nil || !strings.Contains(err.Error(), "org.freedesktop.UDisks2.Error.Failed") ||
		strings.Contains(err.Error(), "CLE-TEST") || strings.Contains(err.Error(), "/media") {
		t.Errorf("failed Mount's error: %v", err)
	}
	cancel()
	if err := <-watched; err != context.Canceled {
		t.Errorf("Watch = %v, want context.Canceled", err)
	}
}
