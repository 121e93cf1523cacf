package testnet

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// OriginAddr is the documentation address (TEST-NET-2) put on the
// namespace's lo: public for the proxy, local to the namespace.
const OriginAddr = "198.51.100.10"

// NS is a network namespace made for one test. It is removed at the end of
// the test.
type NS struct {
	// Name is the namespace's name for `ip netns`.
	Name string
	path string
}

// New creates a namespace with lo up, OriginAddr on lo, and an
// /etc/netns/NAME/hosts file mapping each of hosts to OriginAddr (processes
// started with Command see it as /etc/hosts). It fails the test when it
// cannot (not root, no iproute2).
func New(t testing.TB, hosts ...string) *NS {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("testnet: this end-to-end test needs root (it creates a network namespace); run it through `make test`")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Fatal("testnet: `ip` (iproute2) is missing; `make test` installs it")
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	ns := &NS{Name: "ktest-" + hex.EncodeToString(b[:]), path: ""}
	ns.path = filepath.Join("/run/netns", ns.Name)
	run(t, "ip", "netns", "add", ns.Name)
	t.Cleanup(func() {
		// Stop anything still running inside, then remove the namespace.
		if out, err := exec.Command("ip", "netns", "pids", ns.Name).Output(); err == nil {
			self := strconv.Itoa(os.Getpid())
			for _, pid := range strings.Fields(string(out)) {
				if pid == self {
					continue
				}
				_ = exec.Command("kill", "-9", pid).Run()
			}
		}
		_ = exec.Command("ip", "netns", "del", ns.Name).Run()
		_ = os.RemoveAll(filepath.Join("/etc/netns", ns.Name))
	})
	run(t, "ip", "-n", ns.Name, "link", "set", "lo", "up")
	run(t, "ip", "-n", ns.Name, "addr", "add", OriginAddr+"/32", "dev", "lo")

	etc := filepath.Join("/etc/netns", ns.Name)
	if err := os.MkdirAll(etc, 0o755); err != nil {
		t.Fatalf("testnet: %v", err)
	}
	sort.Strings(hosts)
	var hf strings.Builder
	hf.WriteString("127.0.0.1 localhost\n::1 localhost\n")
	for _, h := range hosts {
		fmt.Fprintf(&hf, "%s %s\n", OriginAddr, h)
	}
	files := map[string]string{
		"hosts":         hf.String(),
		"resolv.conf":   "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n",
		"nsswitch.conf": "hosts: files dns\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(etc, name), []byte(content), 0o644); err != nil {
			t.Fatalf("testnet: %v", err)
		}
	}
	return ns
}

func run(t testing.TB, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("testnet: %s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// Command returns a command that runs inside the namespace (with its hosts
// file as /etc/hosts).
func (ns *NS) Command(name string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", ns.Name, name}, args...)...)
}

// CommandContext is Command with a context.
func (ns *NS) CommandContext(ctx context.Context, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns.Name, name}, args...)...)
}

// Do runs f on an OS thread switched into the namespace. Sockets created by
// f belong to the namespace and keep working from any goroutine afterwards.
// The thread is switched back before it is released; if that fails, the
// goroutine exits still locked and the runtime discards the thread.
func (ns *NS) Do(f func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- fmt.Errorf("opening own netns: %w", err)
			return
		}
		defer unix.Close(orig)
		fd, err := unix.Open(ns.path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- fmt.Errorf("opening %s: %w", ns.path, err)
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns %s: %w", ns.Name, err)
			return
		}
		ferr := f()
		if err := unix.Setns(orig, unix.CLONE_NEWNET); err == nil {
			runtime.UnlockOSThread()
		}
		errc <- ferr
	}()
	return <-errc
}

// Listen listens inside the namespace.
func (ns *NS) Listen(network, addr string) (net.Listener, error) {
	var ln net.Listener
	err := ns.Do(func() (err error) {
		ln, err = net.Listen(network, addr)
		return err
	})
	return ln, err
}

// DialContext dials from inside the namespace; use it as an
// http.Transport's DialContext to reach the kiosk's listeners there.
func (ns *NS) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	var c net.Conn
	err := ns.Do(func() (err error) {
		var d net.Dialer
		c, err = d.DialContext(ctx, network, addr)
		return err
	})
	return c, err
}
