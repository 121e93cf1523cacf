// Package clamdtest starts a real clamd for tests, with a signature
// database built by sigtool from the EICAR test string and one custom
// signature (freshclam cannot reach the internet on the test machines).
package clamdtest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/kiosk/clamd"
)

// EICAR is the antivirus test file (eicar.org), which every antivirus
// detects. It is assembled here so that this source file is not one.
var EICAR = []byte(`X5O!P%@AP[4\PZX54(P^)7CC)7}$` + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")

// Custom is the content the custom signature matches, anywhere in a file.
var Custom = []byte("KIOSK-TEST-CUSTOM-SIGNATURE-7f3a9c")

// Signature names clamd reports for the test database (clamd appends
// ".UNOFFICIAL" to signatures outside ClamAV's own databases).
const (
	EICARName  = "Kiosk.Test.EICAR.UNOFFICIAL"
	CustomName = "Kiosk.Test.Custom.UNOFFICIAL"
)

// Daemon is a clamd started by a test.
type Daemon struct {
	// Socket is clamd's local socket.
	Socket string
	cmd    *exec.Cmd
	done   chan struct{}
}

// Start starts clamd (Debian's clamav-daemon and clamav for sigtool must
// be installed: scripts/deps.sh) and waits until it answers PING; the
// test's cleanup stops it.
func Start(t testing.TB) *Daemon {
	t.Helper()
	// A short directory: a unix socket's path is limited to 107 bytes.
	dir, err := os.MkdirTemp("", "clamd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	db := filepath.Join(dir, "db")
	tmp := filepath.Join(dir, "tmp")
	for _, d := range []string{db, tmp} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var ndb strings.Builder
	for _, s := range []struct {
		name string
		data []byte
	}{{"Kiosk.Test.EICAR", EICAR}, {"Kiosk.Test.Custom", Custom}} {
		fmt.Fprintf(&ndb, "%s:0:*:%s\n", s.name, hexDump(t, s.data))
	}
	if err := os.WriteFile(filepath.Join(db, "kiosktest.ndb"), []byte(ndb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	d := &Daemon{Socket: filepath.Join(dir, "clamd.sock"), done: make(chan struct{})}
	conf := filepath.Join(dir, "clamd.conf")
	if err := os.WriteFile(conf, []byte(strings.Join([]string{
		"LocalSocket " + d.Socket,
		"DatabaseDirectory " + db,
		"TemporaryDirectory " + tmp,
		"LogFile " + filepath.Join(dir, "clamd.log"),
		"Foreground yes",
		"StreamMaxLength 25M",
		"MaxThreads 4",
		"",
	}, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	d.cmd = exec.Command("clamd", "--config-file="+conf)
	var out bytes.Buffer
	d.cmd.Stdout, d.cmd.Stderr = &out, &out
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("starting clamd (package clamav-daemon): %v", err)
	}
	go func() { _ = d.cmd.Wait(); close(d.done) }()
	t.Cleanup(d.Stop)
	c := &clamd.Client{Socket: d.Socket, Timeout: 5 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if c.Ping(context.Background()) == nil {
			return d
		}
		select {
		case <-d.done:
			log, _ := os.ReadFile(filepath.Join(dir, "clamd.log"))
			t.Fatalf("clamd exited: %s\n%s", out.String(), log)
		case <-time.After(50 * time.Millisecond): // polling the socket: clamd sends no readiness event
		}
		if time.Now().After(deadline) {
			t.Fatalf("clamd did not answer PING within a minute: %s", out.String())
		}
	}
}

// Stop stops clamd and waits for it to exit; it may be called twice.
func (d *Daemon) Stop() {
	select {
	case <-d.done:
		return
	default:
	}
	_ = d.cmd.Process.Kill()
	<-d.done
}

// hexDump is sigtool --hex-dump of data.
func hexDump(t testing.TB, data []byte) string {
	t.Helper()
	cmd := exec.Command("sigtool", "--hex-dump")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sigtool --hex-dump (package clamav): %v", err)
	}
	return strings.TrimSpace(string(out))
}
