package main

import (
	"fmt"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxTerminalName bounds --terminal-name (a label on every report and alert).
const maxTerminalName = 64

// terminalNameEnv is the environment variable that gives the default of
// --terminal-name: the package's /etc/default/kiosk sets it, since
// systemd splits $KIOSK_ARGS at spaces and a name often has some.
const terminalNameEnv = "KIOSK_TERMINAL_NAME"

// defaultTerminalName is the default of --terminal-name: $KIOSK_TERMINAL_NAME,
// else the host name.
func defaultTerminalName() string {
	if n := os.Getenv(terminalNameEnv); n != "" {
		return n
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "kiosk"
}

// checkTerminalName refuses an empty, overlong or unprintable name.
func checkTerminalName(name string) error {
	if strings.TrimSpace(name) == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxTerminalName ||
		strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return fmt.Errorf("--terminal-name %q: want 1 to %d printable characters", name, maxTerminalName)
	}
	return nil
}
