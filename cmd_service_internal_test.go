package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kardianos/service"
)

// fakeService stands in for the OS service manager (the process edge).
type fakeService struct {
	i    service.Interface
	conf *service.Config

	installErr error

	installed bool
	status    service.Status
	statusErr error
	calls     []string
	stop      chan struct{} // Run returns after a value (the "signal")
}

var _ service.Service = (*fakeService)(nil)

func (f *fakeService) Run() error {
	f.calls = append(f.calls, "run")
	if err := f.i.Start(f); err != nil {
		return err
	}
	<-f.stop
	return f.i.Stop(f)
}
func (f *fakeService) Start() error   { f.calls = append(f.calls, "start"); return nil }
func (f *fakeService) Stop() error    { f.calls = append(f.calls, "stop"); return nil }
func (f *fakeService) Restart() error { f.calls = append(f.calls, "restart"); return nil }
func (f *fakeService) Install() error {
	f.calls = append(f.calls, "install")
	if f.installErr != nil {
		return f.installErr
	}
	f.installed = true
	return nil
}
func (f *fakeService) Uninstall() error {
	f.calls = append(f.calls, "uninstall")
	f.installed = false
	return nil
}
func (f *fakeService) Logger(chan<- error) (service.Logger, error)       { return nil, nil }
func (f *fakeService) SystemLogger(chan<- error) (service.Logger, error) { return nil, nil }
func (f *fakeService) String() string                                    { return "kiosk" }
func (f *fakeService) Platform() string                                  { return "fake" }
func (f *fakeService) Status() (service.Status, error) {
	if f.statusErr != nil {
		return service.StatusUnknown, f.statusErr
	}
	if !f.installed {
		return service.StatusUnknown, service.ErrNotInstalled
	}
	return f.status, nil
}

// harness builds a serviceCmd wired to a fake service manager and a fake serve.
type harness struct {
	fake           *fakeService
	stdout, stderr bytes.Buffer
	served         chan *serveFlags
	exitCode       chan int
	packaged       string
}

func newHarness() *harness {
	return &harness{
		fake:     &fakeService{stop: make(chan struct{})},
		served:   make(chan *serveFlags, 1),
		exitCode: make(chan int, 1),
	}
}

func (h *harness) cmd() *serviceCmd {
	return &serviceCmd{
		stdout: &h.stdout,
		stderr: &h.stderr,
		newService: func(i service.Interface, c *service.Config) (service.Service, error) {
			h.fake.i, h.fake.conf = i, c
			return h.fake, nil
		},
		serve: func(ctx context.Context, f *serveFlags, _ io.Writer) error {
			h.served <- f
			<-ctx.Done()
			return ctx.Err()
		},
		exit:         func(code int) { h.exitCode <- code },
		packagedUnit: func() string { return h.packaged },
	}
}

func TestServiceCmd_install(t *testing.T) {
	h := newHarness()
	args := []string{"install", "--allowlist", "/srv/a.yaml", "--proxy-listen", "127.0.0.1:3129", "--upstream-proxy", "http://proxy.mairie.example:8080"}
	if code := h.cmd().run(args); code != 0 {
		t.Fatalf("install = %d, want 0; stderr: %s", code, h.stderr.String())
	}
	if !slices.Equal(h.fake.calls, []string{"install"}) {
		t.Errorf("calls = %v, want [install]", h.fake.calls)
	}
	want := []string{"service", "run", "--allowlist", "/srv/a.yaml", "--proxy-listen", "127.0.0.1:3129", "--upstream-proxy", "http://proxy.mairie.example:8080"}
	if !slices.Equal(h.fake.conf.Arguments, want) {
		t.Errorf("Arguments = %q, want %q", h.fake.conf.Arguments, want)
	}
	if h.fake.conf.Option["Restart"] != "always" || h.fake.conf.Option["OnFailure"] != "restart" {
		t.Errorf("Option = %v, want restart on failure on systemd and Windows", h.fake.conf.Option)
	}

	// A second install is harmless: nothing called, exit 0, a clear message.
	h.fake.calls, h.fake.status = nil, service.StatusRunning
	h.stdout.Reset()
	if code := h.cmd().run(args); code != 0 {
		t.Fatalf("second install = %d, want 0", code)
	}
	if len(h.fake.calls) != 0 {
		t.Errorf("second install called %v", h.fake.calls)
	}
	if !strings.Contains(h.stdout.String(), "already installed (running)") {
		t.Errorf("second install said %q", h.stdout.String())
	}
}

func TestServiceCmd_install_unitExists(t *testing.T) {
	// The service manager cannot tell the state, but the unit file exists.
	h := newHarness()
	h.fake.installErr = errors.New("Init already exists: /etc/systemd/system/kiosk.service")
	if code := h.cmd().run([]string{"install"}); code != 0 {
		t.Errorf("install over an existing unit = %d, want 0; stderr: %s", code, h.stderr.String())
	}
	if !strings.Contains(h.stdout.String(), "already installed") {
		t.Errorf("stdout = %q", h.stdout.String())
	}
	h = newHarness()
	h.fake.installErr = errors.New("permission denied")
	if code := h.cmd().run([]string{"install"}); code != 1 {
		t.Errorf("failed install = %d, want 1", code)
	}
}

func TestServiceCmd_refused(t *testing.T) {
	testCases := []struct {
		name     string
		args     []string
		packaged string
		want     int
		wantErr  string
	}{
		{"no action", nil, "", 2, "usage"},
		{"unknown action", []string{"reinstall"}, "", 2, "unknown action"},
		{"bad flag", []string{"install", "--no-such-flag"}, "", 2, "no-such-flag"},
		{"bad mode", []string{"install", "--mode", "bogus"}, "", 2, "--mode"},
		{"url without key", []string{"install", "--allowlist-url", "https://x.example/a.yaml"}, "", 2, "go together"},
		{"stray argument", []string{"install", "serve"}, "", 2, "unexpected argument"},
		{"args to stop", []string{"stop", "--now"}, "", 2, "no arguments"},
		{"packaged unit", []string{"install"}, "/lib/systemd/system/kiosk.service", 1, "/etc/default/kiosk"},
		{"uninstall packaged", []string{"uninstall"}, "/lib/systemd/system/kiosk.service", 1, "apt remove"},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness()
			h.packaged = tc.packaged
			if code := h.cmd().run(tc.args); code != tc.want {
				t.Errorf("run(%q) = %d, want %d", tc.args, code, tc.want)
			}
			if !strings.Contains(h.stderr.String(), tc.wantErr) {
				t.Errorf("stderr = %q, want it to mention %q", h.stderr.String(), tc.wantErr)
			}
			if slices.Contains(h.fake.calls, "install") || slices.Contains(h.fake.calls, "uninstall") {
				t.Errorf("calls = %v, want none", h.fake.calls)
			}
		})
	}
}

func TestServiceCmd_status(t *testing.T) {
	testCases := []struct {
		name      string
		installed bool
		status    service.Status
		err       error
		want      string
		code      int
	}{
		{"running", true, service.StatusRunning, nil, "kiosk service: running\n", 0},
		{"stopped", true, service.StatusStopped, nil, "kiosk service: stopped\n", 3},
		{"not installed", false, 0, nil, "kiosk service: not installed\n", 4},
		{"failed", true, 0, errors.New("service in failed state"), "kiosk service: unknown (service in failed state)\n", 1},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness()
			h.fake.installed, h.fake.status, h.fake.statusErr = tc.installed, tc.status, tc.err
			if code := h.cmd().run([]string{"status"}); code != tc.code {
				t.Errorf("status = %d, want %d", code, tc.code)
			}
			if h.stdout.String() != tc.want {
				t.Errorf("status printed %q, want %q", h.stdout.String(), tc.want)
			}
		})
	}
}

func TestServiceCmd_control(t *testing.T) {
	for _, action := range []string{"start", "stop", "restart", "uninstall"} {
		t.Run(action, func(t *testing.T) {
			h := newHarness()
			h.fake.installed = true
			if code := h.cmd().run([]string{action}); code != 0 {
				t.Fatalf("%s = %d; stderr: %s", action, code, h.stderr.String())
			}
			if !slices.Equal(h.fake.calls, []string{action}) {
				t.Errorf("calls = %v, want [%s]", h.fake.calls, action)
			}
		})
	}
	h := newHarness()
	if code := h.cmd().run([]string{"uninstall"}); code != 0 || len(h.fake.calls) != 0 {
		t.Errorf("uninstall when not installed = %d, calls %v; want 0 and nothing done", code, h.fake.calls)
	}
}

func TestServiceCmd_run(t *testing.T) {
	h := newHarness()
	code := make(chan int, 1)
	go func() { code <- h.cmd().run([]string{"run", "--data", "/tmp/kiosk-data"}) }()
	select {
	case f := <-h.served:
		if f.DataDir != "/tmp/kiosk-data" || f.ProxyListen != "127.0.0.1:3128" {
			t.Errorf("serve got --data %q --proxy-listen %q, want the flag given and the default", f.DataDir, f.ProxyListen)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve not started by Run")
	}
	close(h.fake.stop) // the service manager says stop
	select {
	case c := <-code:
		if c != 0 {
			t.Errorf("run = %d, want 0; stderr: %s", c, h.stderr.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after stop")
	}
}

func TestProgram_StartStop(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	var mu sync.Mutex
	returned := false
	p := &program{
		serve: func(ctx context.Context, _ *serveFlags, _ io.Writer) error {
			close(started)
			<-ctx.Done()
			<-release // shutdown takes a moment
			mu.Lock()
			returned = true
			mu.Unlock()
			return ctx.Err()
		},
		stderr:      io.Discard,
		exit:        func(int) { t.Error("exit called on a normal stop") },
		stopTimeout: 5 * time.Second,
	}
	if err := p.Start(nil); err != nil {
		t.Fatal(err)
	}
	<-started // Start returned while serve runs: it does not block
	go func() { time.Sleep(50 * time.Millisecond); close(release) }()
	if err := p.Stop(nil); err != nil {
		t.Errorf("Stop() = %v, want nil", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !returned {
		t.Error("Stop returned before serve did")
	}
}

func TestProgram_serveFails(t *testing.T) {
	var stderr bytes.Buffer
	exit := make(chan int, 1)
	p := &program{
		serve: func(context.Context, *serveFlags, io.Writer) error {
			return errors.New("allowlist /etc/kiosk/allowlist.yaml: 3:1: unknown key")
		},
		stderr:      &stderr,
		exit:        func(code int) { exit <- code },
		stopTimeout: time.Second,
	}
	if err := p.Start(nil); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-exit:
		if code == 0 {
			t.Error("exit(0) after a failure; the service manager would not see it")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the process would linger after serve failed")
	}
	if !strings.Contains(stderr.String(), "unknown key") {
		t.Errorf("stderr = %q, want the reason", stderr.String())
	}
}

func TestProgram_Stop_timeout(t *testing.T) {
	p := &program{
		serve:       func(context.Context, *serveFlags, io.Writer) error { select {} },
		stderr:      io.Discard,
		exit:        func(int) {},
		stopTimeout: 50 * time.Millisecond,
	}
	_ = p.Start(nil)
	if err := p.Stop(nil); err == nil {
		t.Error("Stop() = nil for a serve that never returns, want a timeout error")
	}
}

// fakeLogger records Event Log calls.
type fakeLogger struct{ entries []string }

func (l *fakeLogger) Error(v ...any) error {
	l.entries = append(l.entries, "E "+v[0].(string))
	return nil
}
func (l *fakeLogger) Warning(v ...any) error {
	l.entries = append(l.entries, "W "+v[0].(string))
	return nil
}
func (l *fakeLogger) Info(v ...any) error {
	l.entries = append(l.entries, "I "+v[0].(string))
	return nil
}
func (l *fakeLogger) Errorf(string, ...any) error   { return nil }
func (l *fakeLogger) Warningf(string, ...any) error { return nil }
func (l *fakeLogger) Infof(string, ...any) error    { return nil }

func TestEventLogWriter_Write(t *testing.T) {
	l := &fakeLogger{}
	w := &eventLogWriter{log: l}
	io.WriteString(w, "time=x level=INFO msg=started\ntime=x level=WA")
	io.WriteString(w, "RN msg=slow\n\ntime=x level=ERROR msg=down err=boom\npartial")
	want := []string{
		"I time=x level=INFO msg=started",
		"W time=x level=WARN msg=slow",
		"E time=x level=ERROR msg=down err=boom",
	}
	if !slices.Equal(l.entries, want) {
		t.Errorf("entries = %q, want %q", l.entries, want)
	}
}

func TestServiceConfig_systemdScript(t *testing.T) {
	c := serviceConfig([]string{"--data", "/var/lib/kiosk"})
	for _, s := range []string{"Restart={{Restart}}", "RestartSec=5", "{{range Arguments}}"} {
		if !strings.Contains(c.Option["SystemdScript"].(string), s) {
			t.Errorf("unit template lacks %q", s)
		}
	}
	if c.Name != "kiosk" {
		t.Errorf("Name = %q", c.Name)
	}
}
