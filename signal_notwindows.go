//go:build !windows

package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// forwardSIGHUP sends a value on reload for each SIGHUP until ctx is done.
func forwardSIGHUP(ctx context.Context, reload chan<- struct{}) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGHUP)
	defer signal.Stop(sig)
	for {
		select {
		case <-ctx.Done():
			return
		case <-sig:
			select {
			case reload <- struct{}{}:
			default:
			}
		}
	}
}
