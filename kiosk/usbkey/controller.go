package usbkey

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/communes/kiosk/kiosk/usbdoc"
)

// Status is where the key stands, as the document panel shows it.
type Status string

// The statuses of a key.
const (
	StatusNone        Status = ""             // no key
	StatusReading     Status = "reading"      // mounted, being listed and scanned
	StatusReady       Status = "ready"        // listed with the antivirus's verdicts
	StatusNoAntivirus Status = "no-antivirus" // clamd gave no verdict: nothing offered
	StatusFailed      Status = "failed"       // the key could not be mounted or read
	StatusReplug      Status = "replug"       // plugged before the session: plug it in again
	StatusRemovable   Status = "removable"    // unmounted: the key can be pulled out
)

// State is what the panel shows of the key.
type State struct {
	// Status is where the key stands.
	Status Status
	// Files are the key's entries with their verdicts (StatusReady only).
	// Never log their paths.
	Files []usbdoc.File
	// Truncated says the key holds more entries than are listed.
	Truncated bool
}

// Config is the configuration of a Controller.
type Config struct {
	// Edge is udisks2; must not be nil.
	Edge Edge
	// Scanner is the antivirus; if nil, nothing is offered (fail closed).
	Scanner usbdoc.Scanner
	// Logger must not be nil. It receives counts and durations only.
	Logger *slog.Logger
	// Changed is called with each new state, on the controller's
	// goroutine; if nil, nothing is called.
	Changed func(State)
	// Threat is called with the signature name of each file the antivirus
	// detected, on the controller's goroutine; if nil, nothing is called.
	Threat func(signature string)
	// HEIFConvert is usbdoc.Config.HEIFConvert.
	HEIFConvert string
	// Timeout bounds one udisks2 call; if zero, 15 s.
	Timeout time.Duration
}

// Controller follows the keys plugged in during one session. Run drives
// it; Eject, Copy and State are safe for concurrent use.
type Controller struct {
	conf   Config
	l      *slog.Logger
	events chan func(ctx context.Context)
	done   chan struct{}

	mu    sync.RWMutex // guards key and state; Copy holds it shared
	key   *usbdoc.Key
	state State

	// The run loop's own.
	dev     *Device
	mounted bool
	// ejected is the file system "Retirer la clé" released; gone says it
	// has left the system since (udisks2's power-off removes the device
	// at once): the notice stays until Dismiss.
	ejected string
	gone    bool
	// counted holds each refused file already passed to Config.Threat
	// this session (memory only).
	counted map[threatKey]bool
}

// threatKey is a refused file as the session counts it once.
type threatKey struct {
	signature, path string
	size            int64
}

// New returns the controller of conf.
func New(conf Config) (*Controller, error) {
	if conf.Edge == nil || conf.Logger == nil {
		return nil, errors.New("usbkey: Edge and Logger are required")
	}
	if conf.Timeout == 0 {
		conf.Timeout = 15 * time.Second
	}
	return &Controller{
		conf:    conf,
		l:       conf.Logger,
		events:  make(chan func(context.Context), 16),
		done:    make(chan struct{}),
		counted: map[threatKey]bool{},
	}, nil
}

// Run follows the keys until ctx ends, then unmounts the key in use (and
// powers its drive off) before it returns. It returns nil when ctx ended,
// or why the watch stopped, once the key is released.
func (c *Controller) Run(ctx context.Context) error {
	defer close(c.done)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	watched := make(chan error, 1)
	go func() {
		watched <- c.conf.Edge.Watch(wctx,
			func(d Device) { c.post(func(ctx context.Context) { c.added(ctx, d) }) },
			func(d Device) { c.post(func(context.Context) { c.removed(d) }) })
	}()
	for {
		select {
		case f := <-c.events:
			f(ctx)
		case <-ctx.Done():
			c.release(ctx, false)
			return nil
		case err := <-watched:
			if ctx.Err() != nil {
				continue // ctx.Done is ready too
			}
			c.l.Error("watching for USB keys through udisks2", "err", err)
			c.release(ctx, false)
			c.set(State{Status: StatusFailed})
			return fmt.Errorf("watching udisks2: %w", err)
		}
	}
}

// Done is closed once Run has returned.
func (c *Controller) Done() <-chan struct{} { return c.done }

// post queues f for the run loop; dropped once Run has returned.
func (c *Controller) post(f func(context.Context)) {
	select {
	case c.events <- f:
	case <-c.done:
	}
}

// Eject unmounts the key in use and powers its drive off ("Retirer la
// clé"); the state then says the key can be removed.
func (c *Controller) Eject() {
	c.post(func(ctx context.Context) {
		if c.dev == nil {
			return
		}
		obj := c.dev.Object
		c.release(ctx, false)
		c.ejected, c.gone = obj, false
		c.set(State{Status: StatusRemovable})
	})
}

// Dismiss tells the controller the resident opened the documents overlay
// again: a "you can remove the key" state whose key has left the system
// goes back to "plug your key in". While the overlay that said it is
// open, the notice stays, although udisks2's power-off removed the device
// a moment after it appeared.
func (c *Controller) Dismiss() {
	c.post(func(context.Context) {
		if c.gone { // set only while the state is removable and no key is in use
			c.ejected, c.gone = "", false
			c.set(State{})
		}
	})
}

// State returns the current state.
func (c *Controller) State() State {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.state
}

// Copy copies the attachable file i of the current listing into dstDir
// (usbdoc.Key.Copy: read, recognised and scanned again) and returns the
// copy's path and the file.
func (c *Controller) Copy(ctx context.Context, i int, dstDir string) (string, usbdoc.File, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.key == nil || c.state.Status != StatusReady {
		return "", usbdoc.File{}, ErrNoKey
	}
	if i < 0 || i >= len(c.state.Files) {
		return "", usbdoc.File{}, fmt.Errorf("file %d: %w", i, usbdoc.ErrNotAttachable)
	}
	f := c.state.Files[i]
	if !f.Attachable() {
		return "", f, fmt.Errorf("%w: %s", usbdoc.ErrNotAttachable, f.Reason)
	}
	dst, got, err := c.key.Copy(ctx, f.Path, dstDir)
	if err != nil {
		return "", got, fmt.Errorf("copying from the key: %w", err)
	}
	return dst, got, nil
}

// set makes st the state and tells Changed.
func (c *Controller) set(st State) {
	c.mu.Lock()
	c.state = st
	c.mu.Unlock()
	if c.conf.Changed != nil {
		c.conf.Changed(st)
	}
}

// added takes a file system udisks2 reports (run loop): the first one
// plugged during the session is mounted and listed; one there before the
// session, or a second key, is not.
func (c *Controller) added(ctx context.Context, d Device) {
	switch {
	case c.dev != nil:
		c.l.Info("another USB file system ignored while one is in use")
		return
	case d.AtStart:
		c.l.Info("a USB key was plugged in before the session: not offered until plugged in again")
		c.set(State{Status: StatusReplug})
		return
	}
	c.dev = &d
	c.ejected, c.gone = "", false
	c.set(State{Status: StatusReading})
	c.set(c.list(ctx, d))
}

// list mounts d and lists it (run loop).
func (c *Controller) list(ctx context.Context, d Device) State {
	start := time.Now()
	mctx, cancel := context.WithTimeout(ctx, c.conf.Timeout)
	dir, err := c.conf.Edge.Mount(mctx, d)
	cancel()
	if err != nil {
		c.l.Error("mounting the USB key", "err", err)
		return State{Status: StatusFailed}
	}
	c.mounted = true
	k, err := usbdoc.Open(usbdoc.Config{Dir: dir, Scanner: c.conf.Scanner, HEIFConvert: c.conf.HEIFConvert})
	if err != nil {
		c.l.Error("reading the USB key", "err", err)
		return State{Status: StatusFailed}
	}
	l, err := k.List(ctx)
	if err != nil {
		_ = k.Close()
		c.l.Error("listing the USB key", "err", err)
		return State{Status: StatusFailed}
	}
	threats := 0
	for _, f := range l.Files {
		if f.Reason != usbdoc.ReasonThreat {
			continue
		}
		threats++
		c.l.Warn("threat detected on a USB key", "signature", f.Threat)
		// A key plugged in again during the session is scanned again;
		// its files are counted once.
		k := threatKey{f.Threat, f.Path, f.Size}
		if c.counted[k] {
			continue
		}
		c.counted[k] = true
		if c.conf.Threat != nil {
			c.conf.Threat(f.Threat)
		}
	}
	attachable := 0
	for _, f := range l.Files {
		if f.Attachable() {
			attachable++
		}
	}
	c.mu.Lock()
	c.key = k
	c.mu.Unlock()
	if l.ScanErr != nil {
		c.l.Error("antivirus unavailable: nothing offered from the USB key", "err", l.ScanErr, "files", len(l.Files))
		return State{Status: StatusNoAntivirus}
	}
	c.l.Info("USB key listed", "files", len(l.Files), "attachable", attachable, "threats", threats,
		"truncated", l.Truncated, "took", time.Since(start).Round(time.Millisecond))
	return State{Status: StatusReady, Files: l.Files, Truncated: l.Truncated}
}

// removed follows a file system that went (run loop): the key in use was
// pulled out.
func (c *Controller) removed(d Device) {
	if c.dev == nil || c.dev.Object != d.Object {
		if c.dev != nil {
			return
		}
		switch st := c.State().Status; {
		case st == StatusRemovable && d.Object == c.ejected:
			// Powered off by "Retirer la clé" (or pulled out after it):
			// the resident is still reading that it can be removed.
			c.gone = true
		case st == StatusReplug || st == StatusRemovable:
			c.set(State{}) // the key was pulled out: back to "plug your key in"
		}
		return
	}
	c.l.Info("USB key pulled out")
	c.release(context.Background(), true)
	c.set(State{})
}

// release closes the key in use, unmounts it and, unless it was pulled
// out, powers its drive off (run loop).
func (c *Controller) release(ctx context.Context, unplugged bool) {
	if c.dev == nil {
		return
	}
	d := *c.dev
	c.dev = nil
	c.mu.Lock() // waits for a Copy in progress
	if c.key != nil {
		_ = c.key.Close()
		c.key = nil
	}
	c.state = State{}
	c.mu.Unlock()
	if !c.mounted {
		return
	}
	c.mounted = false
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.conf.Timeout)
	defer cancel()
	if err := c.conf.Edge.Unmount(uctx, d); err != nil {
		if !unplugged {
			c.l.Error("unmounting the USB key", "err", err)
		}
		return
	}
	c.l.Info("USB key unmounted")
	if unplugged || !d.CanPowerOff {
		return
	}
	if err := c.conf.Edge.PowerOff(uctx, d); err != nil {
		c.l.Warn("powering the USB key off", "err", err)
	}
}
