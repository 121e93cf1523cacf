package main

import (
	"os"
	"path/filepath"
)

var (
	defaultAllowlist = filepath.Join(programData(), "kiosk", "allowlist.yaml")
	defaultDataDir   = filepath.Join(programData(), "kiosk")
)

func programData() string {
	if d := os.Getenv("ProgramData"); d != "" {
		return d
	}
	return `C:\ProgramData`
}
