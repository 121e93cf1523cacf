package kiosk

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// Messages of the heartbeat pipe, one per line. The supervisor writes
// MsgPing on the browser's fd 3; the browser answers on fd 4 from its GTK
// main loop and also tells what it shows.
const (
	MsgPing       = "ping"
	MsgPong       = "pong"
	MsgReady      = "ready"      // the welcome screen finished loading
	MsgSession    = "session"    // a resident session opened in this process
	MsgOutOfOrder = "outoforder" // the built-in out-of-order screen is shown
	MsgExiting    = "exiting"    // the session is over, the clipboard is empty: kill me
	MsgPrinted    = "printed"    // a print job was handed to the printer
)

// EnvHandles passes the browser process its inherited handles on Windows,
// "IN,OUT,JOB" in decimal: Windows has no fds 3 and 4 (os/exec refuses
// ExtraFiles there), so the heartbeat pipes and the job object travel as
// explicitly inherited handles instead.
const EnvHandles = "KIOSK_BROWSER_HANDLES"

// Exit codes of a browser process. Anything but ExitDone is a crash.
const (
	ExitDone    = 0 // the session is over (or never started): wipe, next
	ExitCrashed = 3 // the web process died
)

// childResult says how a browser process ended.
type childResult struct {
	crashed bool   // died, was killed as hung, or exited with an error
	why     string // for the log
	session bool   // a session had opened in it
	ready   bool   // it showed the welcome screen at least once
	drew    bool   // it showed a screen: the welcome, a session or the out-of-order one
	heard   bool   // it sent at least one message
	printed bool   // it printed something
}

// child is one running browser process.
type child struct {
	cmd     *exec.Cmd
	profile string
	l       *slog.Logger
	toChild *os.File

	mu       sync.Mutex
	heard    bool // a first message came
	wasReady bool // MsgReady came at least once
	exiting  time.Time
	lastPong time.Time
	session  bool
	printed  bool
	hung     bool

	started time.Time
	// ready receives when the welcome screen is ready (buffered, latest wins).
	ready chan struct{}
	done  chan struct{}
	// readyGrace, when not zero, kills a process that has shown no
	// screen (drawn) that long after its start: a start that failed.
	readyGrace time.Duration
	// drawn is closed when the process first shows a screen.
	drawn    chan struct{}
	drewOnce sync.Once
	late     bool // killed for showing nothing within readyGrace
}

// startChild starts a browser process in profile with the given flags.
func startChild(conf *Config, profile string, flags []string, l *slog.Logger) (*child, error) {
	exe := conf.Browser
	if exe == "" {
		var err error
		if exe, err = BrowserPath(); err != nil {
			return nil, err
		}
	}
	args := append(append([]string{}, conf.BrowserArgs...), flags...)
	cmd := exec.Command(exe, args...)
	cmd.Env = profileEnv(os.Environ(), profile)
	cmd.Dir = profile
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("making heartbeat pipe: %w", err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, fmt.Errorf("making heartbeat pipe: %w", err)
	}
	cmd.ExtraFiles = []*os.File{inR, outW} // fd 3, fd 4
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		inR.Close()
		inW.Close()
		outR.Close()
		outW.Close()
		return nil, fmt.Errorf("starting browser process: %w", err)
	}
	inR.Close()
	outW.Close()
	c := &child{
		cmd: cmd, profile: profile, toChild: inW, lastPong: time.Now(), started: time.Now(),
		l:     l.With("pid", cmd.Process.Pid),
		ready: make(chan struct{}, 1), done: make(chan struct{}), drawn: make(chan struct{}),
	}
	go c.read(outR)
	return c, nil
}

// read handles the browser's messages until the pipe closes.
func (c *child) read(r *os.File) {
	defer r.Close()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		msg, _, _ := strings.Cut(sc.Text(), " ")
		c.mu.Lock()
		c.heard = true
		c.lastPong = time.Now()
		switch msg {
		case MsgReady, MsgSession, MsgOutOfOrder:
			c.drewOnce.Do(func() { close(c.drawn) })
		}
		switch msg {
		case MsgSession:
			c.session = true
		case MsgPrinted:
			c.printed = true
		case MsgExiting:
			// Nothing of the process is needed any more, and WebKit's
			// teardown at exit takes up to a few hundred milliseconds:
			// end it now (a clean end, not a crash).
			c.exiting = time.Now()
			go c.kill()
		case MsgReady:
			c.wasReady = true
			c.l.Info("welcome ready", "after", time.Since(c.started).Round(time.Millisecond))
			select {
			case c.ready <- struct{}{}:
			default:
			}
		}
		c.mu.Unlock()
		if msg != MsgPong {
			c.l.Debug("browser says", "msg", msg)
		}
	}
}

// watch pings the browser every period and kills it when it has not
// answered for hangAfter. Until its first message, startGrace is allowed
// (GTK and WebKit start-up). It returns when the process has exited.
func (c *child) watch(ctx context.Context, period, hangAfter, startGrace time.Duration) childResult {
	waitErr := make(chan error, 1)
	go func() { waitErr <- c.cmd.Wait() }()
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case err := <-waitErr:
			return c.result(err)
		case <-ctx.Done():
			c.kill()
			err := <-waitErr
			r := c.result(err)
			r.crashed, r.why = false, "shell stopping"
			return r
		case <-t.C:
			_, _ = c.toChild.WriteString(MsgPing + "\n")
			c.mu.Lock()
			silent, limit := time.Since(c.lastPong), hangAfter
			if !c.heard {
				limit = startGrace
			}
			exiting := !c.exiting.IsZero()
			c.mu.Unlock()
			if exiting {
				continue
			}
			if c.showsNothing() {
				c.l.Warn("browser process showed nothing in time: killing it", "grace", c.readyGrace)
				c.mu.Lock()
				c.late = true
				c.mu.Unlock()
				c.kill()
				continue
			}
			if silent > limit {
				c.l.Warn("browser process not answering: killing it", "silent", silent.Round(time.Millisecond))
				c.mu.Lock()
				c.hung = true
				c.mu.Unlock()
				c.kill()
			}
		}
	}
}

func (c *child) result(err error) childResult {
	close(c.done)
	c.toChild.Close()
	// Whatever happened, no process of the browser may survive it.
	killProcessGroup(c.cmd.Process.Pid)
	c.mu.Lock()
	defer c.mu.Unlock()
	r := childResult{session: c.session, ready: c.wasReady, printed: c.printed, heard: c.heard}
	select {
	case <-c.drawn:
		r.drew = true
	default:
	}
	var ee *exec.ExitError
	switch {
	case c.late:
		r.crashed, r.why = true, "showed nothing within "+c.readyGrace.String()
	case c.hung:
		r.crashed, r.why = true, "hung"
	case !c.exiting.IsZero():
		r.why = "exited after the session"
	case err == nil:
		r.why = "exited"
	case errors.As(err, &ee):
		r.crashed, r.why = true, ee.String()
	default:
		r.crashed, r.why = true, err.Error()
	}
	return r
}

// showsNothing reports whether the process has shown no screen for longer
// than its readyGrace (zero: never).
func (c *child) showsNothing() bool {
	if c.readyGrace <= 0 || time.Since(c.started) <= c.readyGrace {
		return false
	}
	select {
	case <-c.drawn:
		return false
	default:
		return true
	}
}

// kill ends the browser process and every process it started.
func (c *child) kill() { killProcessGroup(c.cmd.Process.Pid) }
