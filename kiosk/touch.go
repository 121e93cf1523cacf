package kiosk

import "fmt"

// TouchMode says when the on-screen keyboard opens by itself on a text
// field (docs/shell.md, "On-screen keyboard"). As a flag, `--touch` alone
// is TouchOn.
type TouchMode string

// The touch modes.
const (
	// TouchAuto (the default, also "") opens it where no physical
	// keyboard is found (browser.HasPhysicalKeyboard).
	TouchAuto TouchMode = "auto"
	// TouchOn always opens it: a touch-screen terminal.
	TouchOn TouchMode = "on"
	// TouchOff never opens it by itself; "Clavier" still does.
	TouchOff TouchMode = "off"
)

// String returns the mode's name.
func (m *TouchMode) String() string {
	if m == nil || *m == "" {
		return string(TouchAuto)
	}
	return string(*m)
}

// Set parses a mode: auto, on, off (or true, false, as `--touch` alone).
func (m *TouchMode) Set(s string) error {
	switch s {
	case "auto", "":
		*m = TouchAuto
	case "on", "true", "yes":
		*m = TouchOn
	case "off", "false", "no":
		*m = TouchOff
	default:
		return fmt.Errorf("touch mode %q: want auto, on or off", s)
	}
	return nil
}

// IsBoolFlag lets `--touch` stand alone for `--touch=on`.
func (m *TouchMode) IsBoolFlag() bool { return true }
