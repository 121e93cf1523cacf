//go:build !windows

package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// forwardSIGHUP calls reload for each SIGHUP until ctx is done.
func forwardSIGHUP(ctx context.Context, reload func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGHUP)
	defer signal.Stop(sig)
	for {
		select {
		case <-ctx.Done():
			return
		case <-sig:
			reload()
		}
	}
}
