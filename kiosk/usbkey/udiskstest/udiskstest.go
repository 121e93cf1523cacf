// Package udiskstest plays udisks2 for tests, at the process edge: it
// starts a private dbus-daemon (Debian's dbus-daemon) and owns
// org.freedesktop.UDisks2 on it with the objects of one removable drive,
// whose file system "mounts" at a directory the test mounted itself (no
// udisksd runs on a test machine). Processes reach it through
// DBUS_SYSTEM_BUS_ADDRESS (Env). Every call is recorded with its options.
package udiskstest

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// Object paths of the fake drive: the drive's is named after a model and
// a serial, as udisks2 names them, so tests can check it is never logged.
const (
	Root    = dbus.ObjectPath("/org/freedesktop/UDisks2")
	Block   = dbus.ObjectPath("/org/freedesktop/UDisks2/block_devices/sdz1")
	Drive   = dbus.ObjectPath("/org/freedesktop/UDisks2/drives/Kiosk_Test_Key_SN4C5301TEST")
	Fixed   = dbus.ObjectPath("/org/freedesktop/UDisks2/block_devices/nvme0n1p2")
	Serial  = "SN4C5301TEST"
	manager = "org.freedesktop.DBus.ObjectManager"
)

// Bus is a private bus with a fake udisks2 on it.
type Bus struct {
	// Address is the bus's address (unix:path=...).
	Address string
	conn    *dbus.Conn

	mu      sync.Mutex
	dir     string // what Mount answers
	plugged bool
	calls   []string
	changed chan struct{}
}

// Start starts dbus-daemon and the fake udisks2; the test's cleanup stops
// them. A non-removable ext4 file system (the terminal's own disk) is
// always there, and must never be mounted.
func Start(t testing.TB) *Bus {
	t.Helper()
	dir, err := os.MkdirTemp("", "dbus")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "bus")
	conf := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>custom</type>
  <listen>unix:path=`+sock+`</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
    <allow own="*"/>
  </policy>
</busconfig>
`), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("dbus-daemon", "--config-file="+conf, "--nofork", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting dbus-daemon (package dbus-daemon): %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon gave no address: %v", err)
	}
	b := &Bus{Address: strings.TrimSpace(addr), changed: make(chan struct{}, 64)}
	if b.conn, err = dbus.Connect(b.Address); err != nil {
		t.Fatalf("connecting to the test bus: %v", err)
	}
	t.Cleanup(func() { _ = b.conn.Close() })
	if err := b.export(); err != nil {
		t.Fatal(err)
	}
	reply, err := b.conn.RequestName("org.freedesktop.UDisks2", dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning org.freedesktop.UDisks2 on the test bus: %v %v", reply, err)
	}
	return b
}

// Env is the environment that makes a process's "system bus" this one.
func (b *Bus) Env() string { return "DBUS_SYSTEM_BUS_ADDRESS=" + b.Address }

// export puts the objects on the bus.
func (b *Bus) export() error {
	for _, e := range []struct {
		v     any
		path  dbus.ObjectPath
		iface string
	}{
		{objectManager{b}, Root, manager},
		{filesystem{b}, Block, "org.freedesktop.UDisks2.Filesystem"},
		{drive{b}, Drive, "org.freedesktop.UDisks2.Drive"},
		{driveProps{}, Drive, "org.freedesktop.DBus.Properties"},
		{fixedProps{}, "/org/freedesktop/UDisks2/drives/Fixed_Disk", "org.freedesktop.DBus.Properties"},
	} {
		if err := b.conn.Export(e.v, e.path, e.iface); err != nil {
			return fmt.Errorf("exporting %s: %w", e.path, err)
		}
	}
	return nil
}

// Plug reports the key plugged in; Mount will answer dir.
func (b *Bus) Plug(t testing.TB, dir string) {
	t.Helper()
	b.mu.Lock()
	b.dir, b.plugged = dir, true
	b.mu.Unlock()
	if err := b.conn.Emit(Root, manager+".InterfacesAdded", Block, keyInterfaces()); err != nil {
		t.Fatalf("emitting InterfacesAdded: %v", err)
	}
}

// Pull reports the key pulled out.
func (b *Bus) Pull(t testing.TB) {
	t.Helper()
	b.mu.Lock()
	b.plugged = false
	b.mu.Unlock()
	if err := b.conn.Emit(Root, manager+".InterfacesRemoved", Block,
		[]string{"org.freedesktop.UDisks2.Block", "org.freedesktop.UDisks2.Filesystem"}); err != nil {
		t.Fatalf("emitting InterfacesRemoved: %v", err)
	}
}

// Calls are the calls made so far: "GetManagedObjects", "Mount
// ro,nosuid,nodev,noexec no_interaction", "Unmount no_interaction",
// "PowerOff no_interaction".
func (b *Bus) Calls() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.calls...)
}

// WaitCall waits until a call starting with prefix was made and returns
// the first.
func (b *Bus) WaitCall(t testing.TB, prefix string, timeout time.Duration) string {
	t.Helper()
	return b.WaitCalls(t, prefix, 1, timeout)[0]
}

// WaitCalls waits until n calls starting with prefix were made and returns
// them.
func (b *Bus) WaitCalls(t testing.TB, prefix string, n int, timeout time.Duration) []string {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		var got []string
		for _, c := range b.Calls() {
			if strings.HasPrefix(c, prefix) {
				got = append(got, c)
			}
		}
		if len(got) >= n {
			return got
		}
		select {
		case <-b.changed:
		case <-deadline.C:
			t.Fatalf("no %d udisks2 call(s) %q within %s; calls: %q", n, prefix, timeout, b.Calls())
		}
	}
}

func (b *Bus) record(call string) {
	b.mu.Lock()
	b.calls = append(b.calls, call)
	b.mu.Unlock()
	select {
	case b.changed <- struct{}{}:
	default:
	}
}

// keyInterfaces are the key's block device interfaces.
func keyInterfaces() map[string]map[string]dbus.Variant {
	return map[string]map[string]dbus.Variant{
		"org.freedesktop.UDisks2.Block": {
			"IdType": dbus.MakeVariant("vfat"), "IdLabel": dbus.MakeVariant("CLE-TEST"),
			"Drive": dbus.MakeVariant(Drive), "HintIgnore": dbus.MakeVariant(false), "HintSystem": dbus.MakeVariant(false),
		},
		"org.freedesktop.UDisks2.Filesystem": {"MountPoints": dbus.MakeVariant([][]byte{})},
	}
}

// fixedInterfaces are the terminal's own disk's.
func fixedInterfaces() map[string]map[string]dbus.Variant {
	return map[string]map[string]dbus.Variant{
		"org.freedesktop.UDisks2.Block": {
			"IdType": dbus.MakeVariant("ext4"), "Drive": dbus.MakeVariant(dbus.ObjectPath("/org/freedesktop/UDisks2/drives/Fixed_Disk")),
			"HintIgnore": dbus.MakeVariant(false), "HintSystem": dbus.MakeVariant(true),
		},
		"org.freedesktop.UDisks2.Filesystem": {"MountPoints": dbus.MakeVariant([][]byte{[]byte("/")})},
	}
}

type objectManager struct{ b *Bus }

func (m objectManager) GetManagedObjects() (map[dbus.ObjectPath]map[string]map[string]dbus.Variant, *dbus.Error) {
	m.b.record("GetManagedObjects") // the caller has subscribed by now
	objs := map[dbus.ObjectPath]map[string]map[string]dbus.Variant{Fixed: fixedInterfaces()}
	m.b.mu.Lock()
	defer m.b.mu.Unlock()
	if m.b.plugged {
		objs[Block] = keyInterfaces()
	}
	return objs, nil
}

type filesystem struct{ b *Bus }

func (f filesystem) Mount(opts map[string]dbus.Variant) (string, *dbus.Error) {
	f.b.mu.Lock()
	dir := f.b.dir
	f.b.mu.Unlock()
	f.b.record("Mount " + option(opts, "options") + " " + interaction(opts))
	if dir == "" {
		return "", dbus.NewError("org.freedesktop.UDisks2.Error.Failed", []any{"Error mounting /dev/sdz1 at /media/kiosk/CLE-TEST: no key"})
	}
	return dir, nil
}

func (f filesystem) Unmount(opts map[string]dbus.Variant) *dbus.Error {
	f.b.record("Unmount " + interaction(opts))
	return nil
}

type drive struct{ b *Bus }

// PowerOff records the call and, as udisks2 does for a USB drive (it
// writes to the device's sysfs "remove"), makes the key leave the system:
// its objects go, the resident may pull it out.
func (d drive) PowerOff(opts map[string]dbus.Variant) *dbus.Error {
	d.b.record("PowerOff " + interaction(opts))
	d.b.mu.Lock()
	d.b.plugged = false
	d.b.mu.Unlock()
	if err := d.b.conn.Emit(Root, manager+".InterfacesRemoved", Block,
		[]string{"org.freedesktop.UDisks2.Block", "org.freedesktop.UDisks2.Filesystem"}); err != nil {
		return dbus.MakeFailedError(err)
	}
	return nil
}

type driveProps struct{}

func (driveProps) GetAll(iface string) (map[string]dbus.Variant, *dbus.Error) {
	return map[string]dbus.Variant{
		"Removable": dbus.MakeVariant(true), "MediaRemovable": dbus.MakeVariant(true),
		"CanPowerOff": dbus.MakeVariant(true), "ConnectionBus": dbus.MakeVariant("usb"),
		"Serial": dbus.MakeVariant(Serial),
	}, nil
}

type fixedProps struct{}

func (fixedProps) GetAll(iface string) (map[string]dbus.Variant, *dbus.Error) {
	return map[string]dbus.Variant{"Removable": dbus.MakeVariant(false), "MediaRemovable": dbus.MakeVariant(false)}, nil
}

func option(opts map[string]dbus.Variant, name string) string {
	var s string
	if v, ok := opts[name]; ok {
		_ = v.Store(&s)
	}
	return s
}

func interaction(opts map[string]dbus.Variant) string {
	var no bool
	if v, ok := opts["auth.no_user_interaction"]; ok {
		_ = v.Store(&no)
	}
	if no {
		return "no_interaction"
	}
	return "interactive"
}
