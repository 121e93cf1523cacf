// Package testcups starts a private CUPS scheduler for tests: Debian's
// default configuration and access policy, but its own spool, state and
// Unix socket in a temporary directory, no TCP listener, no browsing. Its
// queues are raw queues that print to /dev/null; a stopped queue keeps its
// jobs (and their spool files), as a printer out of paper does. Clients
// reach it through CUPS_SERVER (Env). It needs root (cupsd runs its jobs
// as lp) and Debian's cups-daemon and cups-client. Linux only.
package testcups

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Server is a running private cupsd.
type Server struct {
	// Dir holds the configuration; Spool the queued jobs' files.
	Dir, Spool string
	// Socket is the scheduler's Unix socket (CUPS_SERVER).
	Socket string
	t      testing.TB
}

// Start starts a scheduler for the test and stops it at its end. Besides
// Debian's defaults it keeps no document after its job ends and no job
// history (PreserveJobFiles No, PreserveJobHistory No), as docs/install.md
// asks of a kiosk's CUPS.
func Start(t testing.TB) *Server {
	t.Helper()
	for _, p := range []string{"cupsd", "lpadmin", "lpstat", "cancel", "lp", "cupsdisable"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Fatalf("%s is missing: `make test` installs cups-daemon and cups-client", p)
		}
	}
	if os.Geteuid() != 0 {
		t.Fatal("a private CUPS scheduler needs root (run the tests as make test does)")
	}
	lp, err := user.LookupGroup("lp")
	if err != nil {
		t.Fatalf("group lp: %v", err)
	}
	gid, _ := strconv.Atoi(lp.Gid)
	// cupsd refuses files in directories others can write: not t.TempDir's
	// parent (/tmp), a directory of its own.
	dir, err := os.MkdirTemp("", "kiosk-cups-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	s := &Server{Dir: dir, Spool: filepath.Join(dir, "spool"), Socket: filepath.Join(dir, "run", "cups.sock"), t: t}
	for _, d := range []string{"spool", "spool/tmp", "cache", "state", "state/certs", "log", "run", "ppd"} {
		p := filepath.Join(dir, d)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(p, 0, gid); err != nil {
			t.Fatal(err)
		}
		_ = os.Chmod(p, 0o775)
	}
	_ = os.Chmod(dir, 0o755)
	if err := os.Chown(dir, 0, gid); err != nil {
		t.Fatal(err)
	}
	base, err := os.ReadFile("/usr/share/cups/cupsd.conf.default")
	if err != nil {
		t.Fatalf("Debian's default cupsd.conf: %v", err)
	}
	var conf strings.Builder
	// The kiosk's documented settings (docs/install.md): no document kept
	// after its job ends, no job history.
	fmt.Fprintf(&conf, "Listen %s\nBrowsing No\nWebInterface No\nLogLevel info\nPreserveJobFiles No\nPreserveJobHistory No\n", s.Socket)
	for _, line := range strings.Split(string(base), "\n") {
		switch f := strings.Fields(line); {
		case len(f) > 0 && (f[0] == "Listen" || f[0] == "Port" || f[0] == "Browsing" || f[0] == "BrowseLocalProtocols" ||
			f[0] == "WebInterface" || f[0] == "LogLevel" || f[0] == "IdleExitTimeout" || strings.HasPrefix(f[0], "Preserve")):
			continue
		}
		conf.WriteString(line + "\n")
	}
	files := fmt.Sprintf(`ServerRoot %[1]s
RequestRoot %[1]s/spool
TempDir %[1]s/spool/tmp
CacheDir %[1]s/cache
StateDir %[1]s/state
ErrorLog %[1]s/log/error_log
AccessLog %[1]s/log/access_log
PageLog %[1]s/log/page_log
Printcap %[1]s/printcap
User lp
Group lp
SystemGroup root
Sandboxing Relaxed
`, dir)
	write := func(name, text string) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o640); err != nil {
			t.Fatal(err)
		}
		_ = os.Chown(p, 0, gid)
	}
	write("cupsd.conf", conf.String())
	write("cups-files.conf", files)
	cmd := exec.Command("cupsd", "-f", "-c", filepath.Join(dir, "cupsd.conf"), "-s", filepath.Join(dir, "cups-files.conf"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting cupsd: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "log", "error_log"))
			t.Logf("cupsd output:\n%s\nerror_log:\n%s", out.String(), log)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("unix", s.Socket)
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "log", "error_log"))
			t.Fatalf("cupsd exited: %s\n%s", out.String(), log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("cupsd does not listen on %s: %v", s.Socket, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return s
}

// Env is the environment of a CUPS client of this scheduler.
func (s *Server) Env() []string { return []string{"CUPS_SERVER=" + s.Socket, "LC_ALL=C"} }

// Run runs a CUPS client program against the scheduler and returns its
// output; it fails the test on error.
func (s *Server) Run(prog string, args ...string) string {
	s.t.Helper()
	out, err := s.Try(prog, args...)
	if err != nil {
		s.t.Fatal(err)
	}
	return out
}

// Try is Run that returns the error.
func (s *Server) Try(prog string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Env = append(os.Environ(), s.Env()...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w\n%s", prog, strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// AddQueue adds a raw queue that prints to /dev/null. A stopped queue
// accepts jobs and keeps them.
func (s *Server) AddQueue(name string, stopped bool) {
	s.t.Helper()
	// "Raw queues are deprecated" is a warning, not an error.
	s.Run("lpadmin", "-p", name, "-E", "-v", "file:///dev/null", "-m", "raw")
	if stopped {
		s.Run("cupsdisable", name)
	}
}

// Jobs lists the queue's jobs that are not completed ("queue-id").
func (s *Server) Jobs(queue string) []string {
	s.t.Helper()
	var ids []string
	for _, line := range strings.Split(s.Run("lpstat", "-o", queue), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			ids = append(ids, f[0])
		}
	}
	return ids
}

// DataFiles returns the spool files of queued documents (d<job>-<n>).
func (s *Server) DataFiles() []string {
	s.t.Helper()
	m, err := filepath.Glob(filepath.Join(s.Spool, "d*"))
	if err != nil {
		s.t.Fatal(err)
	}
	return m
}
