package kiosk

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/communes/kiosk/internal/wait"
)

// Without the egress lockdown no session opens: the shell says nothing to
// the service (no hello), tries only the out-of-order screen and logs the
// missing table; once the table is back, the terminal is in order.
func TestSupervisor_RequiresEgressLockdown(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("KIOSK_FAKE_BROWSER", "done")
	var loaded, probes atomic.Int32
	probe := func() error {
		probes.Add(1)
		if loaded.Load() == 0 {
			return fmt.Errorf("%w: a datagram to 127.0.0.1:9 was not refused", ErrNoEgressLockdown)
		}
		return nil
	}
	svc, logs := startShell(t, Config{Browser: exe, RequireEgressLockdown: true, EgressProbe: probe})
	wait.UntilErr(t, 20*time.Second, "a failed wipe report (out of order)", func() error {
		for _, c := range svc.of("/api/session/wiped") {
			if c.body["ok"] == false {
				return nil
			}
		}
		return fmt.Errorf("none")
	})
	wait.Until(t, 20*time.Second, "the probe retried", func() bool { return probes.Load() >= 3 })
	if n := len(svc.of("/api/shell/hello")); n != 0 {
		t.Errorf("shell/hello sent %d times without the egress lockdown: no session may start", n)
	}
	if l := logs.String(); !strings.Contains(l, "egress lockdown missing: nftables table inet kiosk is not loaded") {
		t.Errorf("no log line naming the missing table:\n%s", l)
	}
	loaded.Store(1)
	wait.Until(t, 20*time.Second, "shell/hello once the lockdown is in force", func() bool { return len(svc.of("/api/shell/hello")) > 0 })
}

// Off (the default, a developer's machine), the lockdown is never probed.
func TestSupervisor_EgressLockdownOff(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("KIOSK_FAKE_BROWSER", "done")
	var probes atomic.Int32
	svc, _ := startShell(t, Config{Browser: exe, EgressProbe: func() error { probes.Add(1); return ErrNoEgressLockdown }})
	wait.Until(t, 20*time.Second, "a session's wipe reported", func() bool { return len(svc.of("/api/session/wiped")) > 0 })
	if n := probes.Load(); n != 0 {
		t.Errorf("the lockdown was probed %d times with RequireEgressLockdown off", n)
	}
}

// A lockdown lost while the welcome screen waits (the table deleted or
// flushed after the browser process started) ends that process before a
// session opens in it; the terminal is then out of order.
func TestSupervisor_EgressLockdownLostAtWelcome(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("KIOSK_FAKE_BROWSER", "welcome") // ready, then answers forever
	var lost atomic.Bool
	probe := func() error {
		if lost.Load() {
			return ErrNoEgressLockdown
		}
		return nil
	}
	svc, logs := startShell(t, Config{Browser: exe, RequireEgressLockdown: true, EgressProbe: probe})
	// shell/hello comes before the first browser process starts: lose the
	// lockdown only once its welcome screen is ready (else the check before
	// the start finds it missing, another path).
	wait.Until(t, 20*time.Second, "the welcome screen ready", func() bool { return strings.Contains(logs.String(), "welcome ready") })
	lost.Store(true)
	wait.UntilErr(t, 20*time.Second, "a failed wipe report (out of order)", func() error {
		for _, c := range svc.of("/api/session/wiped") {
			if c.body["ok"] == false {
				return nil
			}
		}
		return fmt.Errorf("none")
	})
	if l := logs.String(); !strings.Contains(l, "egress lockdown lost: ending the welcome screen") {
		t.Errorf("no log line for the lost lockdown:\n%s", l)
	}
}

// The out-of-order screen says the lockdown is missing, whether the probe
// saw a packet leave or could not run at all (fail closed).
func TestSupervisor_EgressOutOfOrderScreen(t *testing.T) {
	s := &supervisor{conf: &Config{AdminURL: "http://127.0.0.1:8080", ProxyAddr: "127.0.0.1:3128", DataDir: t.TempDir(), RequireEgressLockdown: true}}
	got := strings.Join(s.outOfOrderFlags(fmt.Errorf("%w: a datagram left", ErrNoEgressLockdown)), " ")
	if !strings.Contains(got, "--out-of-order-kind lockdown") || !strings.Contains(got, "--out-of-order egress lockdown not in force") {
		t.Errorf("out-of-order flags %q, want the lockdown kind and detail", got)
	}
	if got := strings.Join(s.outOfOrderFlags(errors.New("removing profile: busy")), " "); strings.Contains(got, "--out-of-order-kind") {
		t.Errorf("a wipe failure's flags %q name another kind", got)
	}
}
