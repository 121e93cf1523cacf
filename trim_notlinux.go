//go:build !linux

package main

import "log/slog"

// trimStartupPages does nothing outside Linux.
func trimStartupPages(*slog.Logger) {}
