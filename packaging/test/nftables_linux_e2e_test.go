//go:build e2e

package pkgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/communes/kiosk/internal/testnet"
	"github.com/communes/kiosk/internal/wait"
)

// canaryAddr is put on a dummy interface inside the test's namespace: a
// non-loopback address of the namespace itself, reached by nothing outside.
const (
	canaryAddr  = "192.0.2.1"
	canaryAddr6 = "2001:db8::1"
)

// listener accepts and counts connections inside the namespace.
type listener struct {
	ln       net.Listener
	accepted atomic.Int32
}

func listen(t *testing.T, ns *testnet.NS, addr string) *listener {
	t.Helper()
	ln, err := ns.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listening on %s in the namespace: %v", addr, err)
	}
	l := &listener{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			l.accepted.Add(1)
			c.Close()
		}
	}()
	return l
}

// ensureUser creates a system account for the test when it is missing and
// removes it afterwards.
func ensureUser(t *testing.T, name string) {
	t.Helper()
	if exec.Command("getent", "passwd", name).Run() == nil {
		return
	}
	if out, err := exec.Command("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name).CombinedOutput(); err != nil {
		t.Fatalf("useradd %s: %v\n%s", name, err, out)
	}
	t.Cleanup(func() { _ = exec.Command("userdel", name).Run() })
}

// connect tries a TCP connection (bash's /dev/tcp) from inside the namespace
// as user, and returns nil when it was established.
func connect(ns *testnet.NS, user, network, host, port string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	script := fmt.Sprintf("exec 3<>/dev/%s/%s/%s && echo x >&3", network, host, port)
	args := []string{"bash", "-c", script}
	if user != "root" {
		args = append([]string{"setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups", "--"}, args...)
	}
	out, err := ns.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

func portOf(l *listener) string {
	_, p, _ := net.SplitHostPort(l.ln.Addr().String())
	return p
}

func TestNftables_egressLockdown(t *testing.T) {
	for _, tool := range []string{"nft", "setpriv", "bash", "useradd"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing (scripts/deps.sh test installs nftables, util-linux, passwd): %v", tool, err)
		}
	}
	ensureUser(t, "kiosk")
	ensureUser(t, "kiosk-session")
	ns := testnet.New(t)
	addCanaryAddr(t, ns)
	rules, err := filepath.Abs("../nftables/kiosk.nft")
	if err != nil {
		t.Fatal(err)
	}
	load := func() {
		t.Helper()
		if out, err := ns.Command("nft", "-f", rules).CombinedOutput(); err != nil {
			t.Fatalf("nft -f %s: %v\n%s", rules, err, out)
		}
	}
	load()
	load() // loading twice (a reload) works and leaves one table

	canary := listen(t, ns, canaryAddr+":0")
	proxy := listen(t, ns, "127.0.0.1:3128")
	admin := listen(t, ns, "127.0.0.1:8080")
	other := listen(t, ns, "127.0.0.1:0")
	canary6 := listen(t, ns, "["+canaryAddr6+"]:0")
	proxy6 := listen(t, ns, "[::1]:3128")
	other6 := listen(t, ns, "[::1]:0")

	testCases := []struct {
		name, user, network, host, port string
		allowed                         bool
		l                               *listener
	}{
		{"session to the canary", "kiosk-session", "tcp", canaryAddr, portOf(canary), false, canary},
		{"session to another loopback port", "kiosk-session", "tcp", "127.0.0.1", portOf(other), false, other},
		{"session UDP out", "kiosk-session", "udp", canaryAddr, "53", false, nil},
		{"session to the proxy", "kiosk-session", "tcp", "127.0.0.1", "3128", true, proxy},
		{"session to the local API", "kiosk-session", "tcp", "127.0.0.1", "8080", true, admin},
		{"service to the canary", "kiosk", "tcp", canaryAddr, portOf(canary), true, canary},
		{"service UDP out", "kiosk", "udp", canaryAddr, "53", true, nil},
		{"root to the canary", "root", "tcp", canaryAddr, portOf(canary), true, canary},
		{"session to the IPv6 canary", "kiosk-session", "tcp", canaryAddr6, portOf(canary6), false, canary6},
		{"session to another ::1 port", "kiosk-session", "tcp", "::1", portOf(other6), false, other6},
		{"session to the proxy on ::1", "kiosk-session", "tcp", "::1", "3128", true, proxy6},
		{"service to the IPv6 canary", "kiosk", "tcp", canaryAddr6, portOf(canary6), true, canary6},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			var before int32
			if tc.l != nil {
				before = tc.l.accepted.Load()
			}
			err := connect(ns, tc.user, tc.network, tc.host, tc.port)
			if tc.allowed && err != nil {
				t.Fatalf("%s could not connect to %s:%s: %v", tc.user, tc.host, tc.port, err)
			}
			if !tc.allowed && err == nil {
				t.Fatalf("%s connected to %s:%s; the lockdown should refuse it", tc.user, tc.host, tc.port)
			}
			if tc.l == nil {
				return
			}
			if tc.allowed {
				// The accept loop has no event to wait on: poll its count.
				wait.Until(t, 5*time.Second, "a connection accepted", func() bool { return tc.l.accepted.Load() > before })
			} else if n := tc.l.accepted.Load(); n != before {
				t.Errorf("the listener accepted %d connections from %s", n-before, tc.user)
			}
		})
	}

	// Removing the table (what the package removal does) lifts the lockdown.
	if out, err := ns.Command("nft", "delete", "table", "inet", "kiosk").CombinedOutput(); err != nil {
		t.Fatalf("nft delete table: %v\n%s", err, out)
	}
	if err := connect(ns, "kiosk-session", "tcp", canaryAddr, portOf(canary)); err != nil {
		t.Errorf("after removing the table kiosk-session still cannot connect: %v", err)
	}
	if out, err := ns.Command("nft", "list", "tables").CombinedOutput(); err != nil || strings.Contains(string(out), "kiosk") {
		t.Errorf("nft list tables after delete = %q, %v", out, err)
	}
	if _, err := os.Stat("/run/netns/" + ns.Name); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Log(err)
	}
}

// addCanaryAddr puts canaryAddr on a dummy interface of the namespace, or on
// its lo when the kernel has no dummy driver (some containers): either way
// it is the namespace's own non-loopback address, routed through lo.
func addCanaryAddr(t *testing.T, ns *testnet.NS) {
	t.Helper()
	ip := func(args ...string) error {
		out, err := exec.Command("ip", append([]string{"-n", ns.Name}, args...)...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("ip %v: %v: %s", args, err, out)
		}
		return nil
	}
	dev := "kiosk-dummy0"
	if err := ip("link", "add", dev, "type", "dummy"); err != nil {
		t.Logf("no dummy interface (%v); putting %s on lo", err, canaryAddr)
		dev = "lo"
	} else if err := ip("link", "set", dev, "up"); err != nil {
		t.Fatal(err)
	}
	if err := ip("addr", "add", canaryAddr+"/24", "dev", dev); err != nil {
		t.Fatal(err)
	}
	if err := ip("addr", "add", canaryAddr6+"/64", "dev", dev, "nodad"); err != nil {
		t.Fatal(err)
	}
}
