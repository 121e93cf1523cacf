package kiosk

import (
	"fmt"
	"log/slog"
	"os/exec"
)

// AudioMode says whether the terminal reads aloud (the toolbar's
// "Écouter", docs/shell.md "Read-aloud"). As a flag, `--audio` alone is
// AudioOn.
type AudioMode string

// The audio modes.
const (
	// AudioOn (the default, also "") reads aloud where espeak-ng is found.
	AudioOn AudioMode = "on"
	// AudioOff never does, and hides "Écouter": a terminal without
	// speakers.
	AudioOff AudioMode = "off"
)

// String returns the mode's name.
func (m *AudioMode) String() string {
	if m == nil || *m == "" {
		return string(AudioOn)
	}
	return string(*m)
}

// Set parses a mode: on, off (or true, false, as `--audio` alone).
func (m *AudioMode) Set(s string) error {
	switch s {
	case "on", "true", "yes":
		*m = AudioOn
	case "off", "false", "no":
		*m = AudioOff
	default:
		return fmt.Errorf("audio %q: want on or off", s)
	}
	return nil
}

// IsBoolFlag lets `--audio` stand alone for `--audio=on`.
func (m *AudioMode) IsBoolFlag() bool { return true }

// On reports whether m asks for read-aloud.
func (m AudioMode) On() bool { return m != AudioOff }

// speechOn reports whether the browser processes read aloud: audio on and
// espeak-ng found. A missing espeak-ng is logged once, at the shell's
// start; "Écouter" is then hidden.
func speechOn(m AudioMode, l *slog.Logger) bool {
	if !m.On() {
		l.Info("read-aloud off (--audio=off)")
		return false
	}
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		l.Warn("read-aloud off: espeak-ng not found (apt-get install espeak-ng); \"Écouter\" is hidden", "err", err)
		return false
	}
	return true
}
