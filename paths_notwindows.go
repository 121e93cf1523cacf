//go:build !windows

package main

const (
	defaultAllowlist = "/etc/kiosk/allowlist.yaml"
	defaultDataDir   = "/var/lib/kiosk"
)
