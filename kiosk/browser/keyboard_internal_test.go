package browser

import (
	"io"
	"log/slog"
	"testing"

	"github.com/communes/kiosk/kiosk"
)

// Devices of /proc/bus/input/devices as Linux lists them.
const (
	devPower = `I: Bus=0019 Vendor=0000 Product=0001 Version=0000
N: Name="Power Button"
P: Phys=LNXPWRBN/button/input0
H: Handlers=kbd event1
B: PROP=0
B: EV=3
B: KEY=10000000000000 0
`
	devTouch = `I: Bus=0003 Vendor=222a Product=0001 Version=0110
N: Name="ILITEK ILITEK-TP"
H: Handlers=mouse0 event2
B: PROP=2
B: EV=1b
B: KEY=400 0 0 0 0 0
B: ABS=3273800000000003
B: MSC=10
`
	devKeyboard = `I: Bus=0011 Vendor=0001 Product=0001 Version=ab41
N: Name="AT Translated Set 2 keyboard"
H: Handlers=sysrq kbd event0 leds
B: PROP=0
B: EV=120013
B: KEY=402000000 3803078f800d001 feffffdfffefffff fffffffffffffffe
B: MSC=10
B: LED=7
`
	// A numeric keypad: keys, but no letters.
	devKeypad = `I: Bus=0003 Vendor=04d9 Product=1203 Version=0110
N: Name="USB Keypad"
H: Handlers=kbd event3
B: EV=120013
B: KEY=3ff000000 0 0 0 0 0 0 0
`
)

// TestHasPhysicalKeyboard: a device with EV_KEY and every letter key is a
// keyboard; power buttons, touch screens and keypads are not.
func TestHasPhysicalKeyboard(t *testing.T) {
	for _, c := range []struct {
		name, list string
		want       bool
	}{
		{"nothing", "", false},
		{"power button and touch screen", devPower + "\n" + devTouch, false},
		{"keypad", devKeypad, false},
		{"touch screen and keyboard", devPower + "\n" + devTouch + "\n" + devKeyboard, true},
		{"letters but no EV_KEY", "N: Name=\"odd\"\nB: EV=0\nB: KEY=402000000 3803078f800d001 feffffdfffefffff fffffffffffffffe\n", false},
		{"bad bitmap", "N: Name=\"odd\"\nB: EV=120013\nB: KEY=zz fffffffffffffffe\n", false},
	} {
		if got := HasPhysicalKeyboard([]byte(c.list)); got != c.want {
			t.Errorf("%s: HasPhysicalKeyboard = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestKeyText: one key types 1 to 8 printable characters, no control
// character (no Escape, no Alt sequence), nothing empty.
func TestKeyText(t *testing.T) {
	for s, want := range map[string]bool{
		"a": true, "É": true, "ğ": true, "й": true, "ض": true, "لا": true, ".com": true, " ": true,
		"": false, "\x1b": false, "\n": false, "a\tb": false, "123456789": false, "\xff": false,
	} {
		if got := keyText(s); got != want {
			t.Errorf("keyText(%q) = %v, want %v", s, got, want)
		}
	}
	for _, k := range []string{"Backspace", "Enter", "Left"} {
		if !isKeyName(k) {
			t.Errorf("isKeyName(%q) = false", k)
		}
	}
	for _, k := range []string{"Alt", "Super", "Escape", "F4", ""} {
		if isKeyName(k) {
			t.Errorf("isKeyName(%q) = true, want no such key", k)
		}
	}
}

// TestToolbarScript: the keyboard opens by itself with --touch, never
// with --touch=off.
func TestToolbarScript(t *testing.T) {
	tb := []byte("x;(function (AUTO) {})(" + keyboardAuto + ");")
	for mode, want := range map[kiosk.TouchMode]string{
		kiosk.TouchOn:  "x;(function (AUTO) {})(true);",
		kiosk.TouchOff: "x;(function (AUTO) {})(false);",
	} {
		b := &Browser{conf: &Config{Touch: mode}, l: slog.New(slog.NewTextHandler(io.Discard, nil))}
		if got := b.toolbarScript(tb); got != want {
			t.Errorf("touch %s: %q, want %q", mode, got, want)
		}
	}
}

// TestTouchMode: `--touch` alone is on; a bad value is refused.
func TestTouchMode(t *testing.T) {
	var m kiosk.TouchMode
	if m.String() != "auto" {
		t.Errorf("default = %s, want auto", m.String())
	}
	for in, want := range map[string]kiosk.TouchMode{"true": kiosk.TouchOn, "on": kiosk.TouchOn, "false": kiosk.TouchOff, "auto": kiosk.TouchAuto} {
		if err := m.Set(in); err != nil || m != want {
			t.Errorf("Set(%q) = %s, %v; want %s", in, m, err, want)
		}
	}
	if err := m.Set("maybe"); err == nil {
		t.Error(`Set("maybe") accepted`)
	}
}
