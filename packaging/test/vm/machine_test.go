//go:build vm

package vmtest

import (
	"errors"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Screen size of the virtual PC (virtio-vga's mode; -vga std's is chosen by
// the guest).
const screenW, screenH = 1280, 800

// machine is one QEMU process running the test image, driven only through
// QMP (screen, pointer, keyboard) and observed through the guest agent.
type machine struct {
	dir     string // sockets, serial log, screendumps
	disk    string
	vga     string // "virtio" or "std"
	accel   string // "kvm" or "tcg"
	cmd     *exec.Cmd
	exited  chan error
	q       *qmp
	ga      *qga
	started time.Time
	offset  time.Duration // guest clock minus host clock
	dumps   int
	last    string // path of the last screendump
	logf    func(format string, args ...any)
}

// qemuArgs is the virtual PC: 2 vCPUs, 2.5 GB, the disk on virtio, a
// display cage can use (virtio-vga) or a plain VGA (-vga std, bochs), a USB
// tablet for the pointer, the guest agent's port, and no network card.
func (m *machine) qemuArgs(accel string) []string {
	a := []string{
		"-name", "kiosk-vm", "-nodefaults", "-no-user-config",
		"-machine", "pc", "-m", "2560", "-smp", "2",
		"-drive", "file=" + m.disk + ",format=raw,if=virtio,cache=unsafe",
		"-nic", "none",
		"-device", "qemu-xhci", "-device", "usb-tablet",
		"-device", "virtio-serial-pci",
		"-chardev", "socket,id=qga0,path=" + filepath.Join(m.dir, "qga.sock") + ",server=on,wait=off",
		"-device", "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0",
		"-qmp", "unix:" + filepath.Join(m.dir, "qmp.sock") + ",server=on,wait=off",
		"-serial", "file:" + m.serialLog(),
		"-display", "none",
	}
	if m.vga == "std" {
		a = append(a, "-vga", "std")
	} else {
		a = append(a, "-device", fmt.Sprintf("virtio-vga,xres=%d,yres=%d", screenW, screenH))
	}
	if accel == "kvm" {
		a = append(a, "-accel", "kvm")
	} else {
		a = append(a, "-accel", "tcg,thread=multi")
	}
	return a
}

func (m *machine) serialLog() string { return filepath.Join(m.dir, "serial-"+m.vga+".log") }

// start runs QEMU with accel ("auto": KVM if a guest kernel gets going with
// it within a short probe, else TCG).
func (m *machine) start(accel string) error {
	if accel == "auto" {
		if f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0); err != nil {
			m.logf("accel: /dev/kvm does not open (%v): TCG", err)
			accel = "tcg"
		} else {
			f.Close()
			if err := m.launch("kvm"); err != nil {
				return err
			}
			// On these machines /dev/kvm opens but a guest kernel may hang
			// in its real-mode setup: the kernel reaching its init within
			// the probe decides.
			if err := m.waitSerial("Run /init", 25*time.Second); err == nil {
				m.logf("accel: KVM (the guest kernel started within the probe)")
				return m.connect()
			}
			m.logf("accel: KVM probe failed (no guest kernel init within 25s): TCG, thread=multi, 2 vCPUs")
			m.kill()
			accel = "tcg"
		}
	}
	if err := m.launch(accel); err != nil {
		return err
	}
	m.logf("accel: %s", strings.ToUpper(accel))
	return m.connect()
}

func (m *machine) launch(accel string) error {
	for _, f := range []string{"qmp.sock", "qga.sock"} {
		os.Remove(filepath.Join(m.dir, f))
	}
	os.Remove(m.serialLog())
	m.accel = accel
	m.cmd = exec.Command("qemu-system-x86_64", m.qemuArgs(accel)...)
	out, err := os.Create(filepath.Join(m.dir, "qemu-"+m.vga+"-"+accel+".log"))
	if err != nil {
		return fmt.Errorf("creating the QEMU log: %w", err)
	}
	m.cmd.Stdout, m.cmd.Stderr = out, out
	m.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	m.started = time.Now()
	if err := m.cmd.Start(); err != nil {
		return fmt.Errorf("starting qemu-system-x86_64: %w", err)
	}
	m.exited = make(chan error, 1)
	go func() { m.exited <- m.cmd.Wait(); out.Close() }()
	return nil
}

func (m *machine) connect() error {
	q, err := dialQMP(filepath.Join(m.dir, "qmp.sock"), 30*time.Second)
	if err != nil {
		return err
	}
	m.q = q
	m.ga = &qga{path: filepath.Join(m.dir, "qga.sock")}
	return nil
}

// waitSerial waits for text on the serial console (kernel and systemd).
func (m *machine) waitSerial(text string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(m.serialLog())
		if strings.Contains(string(b), text) {
			return nil
		}
		select {
		case err := <-m.exited:
			return fmt.Errorf("qemu exited: %v", err)
		case <-time.After(250 * time.Millisecond): // a file has no event to wait on
		}
	}
	return fmt.Errorf("%q not on the serial console within %s", text, timeout)
}

func (m *machine) kill() {
	if m.q != nil {
		m.q.close()
		m.q = nil
	}
	if m.ga != nil {
		m.ga.reset()
	}
	if m.cmd != nil && m.cmd.Process != nil {
		_ = m.cmd.Process.Kill()
		<-m.exited
	}
	m.cmd = nil
}

// quit powers the machine off (guest shutdown), then ends QEMU.
func (m *machine) quit() {
	if m.cmd == nil {
		return
	}
	_, _ = m.ga.exec("systemctl poweroff", 10*time.Second)
	select {
	case <-m.exited:
		m.cmd = nil
	case <-time.After(90 * time.Second):
		m.kill()
	}
	if m.q != nil {
		m.q.close()
		m.q = nil
	}
}

// waitAgent waits until the guest agent answers, then measures the guest's
// clock against the host's.
func (m *machine) waitAgent(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var err error
	for time.Now().Before(deadline) {
		select {
		case err := <-m.exited:
			return fmt.Errorf("qemu exited: %v", err)
		default:
		}
		if err = m.ga.sync(5 * time.Second); err == nil {
			return m.measureClock()
		}
		time.Sleep(time.Second) // the agent is not there yet: the sync timed out or the socket refused
	}
	return fmt.Errorf("the guest agent did not answer within %s: %w", timeout, err)
}

func (m *machine) measureClock() error {
	before := time.Now()
	r, err := m.ga.exec("date +%s.%N", 30*time.Second)
	if err != nil {
		return err
	}
	after := time.Now()
	g, err := parseUnix(strings.TrimSpace(r.Out))
	if err != nil {
		return err
	}
	mid := before.Add(after.Sub(before) / 2)
	m.offset = g.Sub(mid)
	return nil
}

// host converts a guest time to host time.
func (m *machine) host(guest time.Time) time.Time { return guest.Add(-m.offset) }

func parseUnix(s string) (time.Time, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("parsing the time %q: %w", s, err)
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)), nil
}

// sh runs a script in the guest as root; a non-zero exit is an error.
func (m *machine) sh(script string) (string, error) {
	r, err := m.ga.exec(script, 2*time.Minute)
	if err != nil {
		return "", err
	}
	if r.Code != 0 {
		return r.Out, fmt.Errorf("guest: %q exited %d: %s%s", script, r.Code, r.Out, r.Err)
	}
	return r.Out, nil
}

// guestNow is the guest's clock now.
func (m *machine) guestNow() (time.Time, error) {
	out, err := m.sh("date +%s.%N")
	if err != nil {
		return time.Time{}, err
	}
	return parseUnix(strings.TrimSpace(out))
}

// screen takes a screendump.
func (m *machine) screen(name string) (*image.RGBA, error) {
	m.dumps++
	p := filepath.Join(m.dir, fmt.Sprintf("%03d-%s-%s.ppm", m.dumps, m.vga, name))
	if err := m.q.do("screendump", map[string]any{"filename": p}, nil); err != nil {
		return nil, err
	}
	m.last = p
	return readPPM(p)
}

// touch presses and releases the pointer at p (screen pixels), as a finger
// on a touch screen: the USB tablet takes absolute coordinates 0..32767.
func (m *machine) touch(p image.Point, w, h int) error {
	abs := func(v, size int) int { return v * 32767 / (size - 1) }
	to := func(x, y int) error {
		return m.q.do("input-send-event", map[string]any{"events": []map[string]any{
			{"type": "abs", "data": map[string]any{"axis": "x", "value": abs(x, w)}},
			{"type": "abs", "data": map[string]any{"axis": "y", "value": abs(y, h)}},
		}}, nil)
	}
	// A finger lands from somewhere else: the pointer first moves next to
	// the point, then onto it. The compositor gives a window the pointer
	// only on a motion: a press where the pointer already was, over a
	// window mapped since (a new browser process), reaches nobody.
	near := image.Pt(p.X+12, p.Y+9)
	if near.X >= w {
		near.X = p.X - 12
	}
	if near.Y >= h {
		near.Y = p.Y - 9
	}
	if err := to(near.X, near.Y); err != nil {
		return err
	}
	time.Sleep(60 * time.Millisecond)
	if err := to(p.X, p.Y); err != nil {
		return err
	}
	time.Sleep(60 * time.Millisecond)
	for _, down := range []bool{true, false} {
		ev := []map[string]any{{"type": "btn", "data": map[string]any{"down": down, "button": "left"}}}
		if err := m.q.do("input-send-event", map[string]any{"events": ev}, nil); err != nil {
			return err
		}
		time.Sleep(80 * time.Millisecond) // a press lasts a moment, as a finger's does
	}
	return nil
}

// wheel scrolls down by n notches of the tablet's wheel.
func (m *machine) wheel(n int) error {
	for i := 0; i < n; i++ {
		for _, down := range []bool{true, false} {
			ev := []map[string]any{{"type": "btn", "data": map[string]any{"down": down, "button": "wheel-down"}}}
			if err := m.q.do("input-send-event", map[string]any{"events": ev}, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// keys presses a key combination (QEMU qcodes) and releases it.
func (m *machine) keys(qcodes ...string) error {
	var ks []map[string]any
	for _, k := range qcodes {
		ks = append(ks, map[string]any{"type": "qcode", "data": k})
	}
	return m.q.do("send-key", map[string]any{"keys": ks, "hold-time": 150}, nil)
}

// poll runs cond every period until it is true, fails, or timeout passes.
func poll(what string, timeout, period time.Duration, cond func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		ok, err := cond()
		if ok {
			return nil
		}
		if err != nil {
			last = err
			if !errors.Is(err, errNoAgent) {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
		if time.Now().After(deadline) {
			if last != nil {
				return fmt.Errorf("%s: not within %s (last error: %w)", what, timeout, last)
			}
			return fmt.Errorf("%s: not within %s", what, timeout)
		}
		time.Sleep(period)
	}
}
