package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/kardianos/service"
)

// type check
var _ service.Interface = (*program)(nil)

// program runs the service under the service manager (style.md §6.1):
// Start returns at once, Stop cancels and waits for serve to return.
type program struct {
	// serve runs the service of flags until ctx is done: serveWith, which
	// calls service.New and Run, in production.
	serve       func(ctx context.Context, flags *serveFlags, stderr io.Writer) error
	flags       *serveFlags // validated
	stderr      io.Writer
	exit        func(code int)
	stopTimeout time.Duration

	cancel context.CancelFunc
	done   chan error
}

// Start implements service.Interface. It must not block.
func (p *program) Start(service.Service) error {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel, p.done = cancel, make(chan error, 1)
	go p.run(ctx)
	return nil
}

func (p *program) run(ctx context.Context) {
	err := p.serve(ctx, p.flags, p.stderr)
	if ctx.Err() == nil {
		// serve ended on its own (bad flags, allowlist, port taken...). Exit
		// with a failure so that systemd (Restart=always) or the SCM
		// (recovery: restart) starts it again; a process that lingers
		// without serving would look healthy.
		if err == nil {
			err = errors.New("stopped on its own")
		}
		fmt.Fprintf(p.stderr, "kiosk service: serve: %v\n", err)
		p.done <- err
		p.exit(1)
		return
	}
	p.done <- err
}

// Stop implements service.Interface: it cancels serve and waits for it.
func (p *program) Stop(service.Service) error {
	if p.cancel == nil {
		return nil
	}
	p.cancel()
	select {
	case err := <-p.done:
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	case <-time.After(p.stopTimeout):
		return fmt.Errorf("serve did not stop within %s", p.stopTimeout)
	}
}
