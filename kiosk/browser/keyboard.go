package browser

import (
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/communes/kiosk/kiosk"
)

// keyTyper is a view that can type into the page as the toolkit's own key
// events (WebKitGTK): the on-screen keyboard's keys.
type keyTyper interface {
	// TypeText types text into the page's focused element, one key event
	// per character.
	TypeText(text string)
	// PressKey presses a key of KeyNames; false for another name.
	PressKey(name string) bool
}

// KeyNames are the keys the on-screen keyboard presses besides characters.
// There is no Alt, no Super, no Escape nor function key: nothing that
// would reach the toolkit or the window manager rather than the page.
var KeyNames = []string{"Backspace", "Enter", "Tab", "Left", "Right"}

// maxKeyText is the most characters one key types (".com").
const maxKeyText = 8

// keyText reports whether text may be typed by one key of the on-screen
// keyboard: 1 to maxKeyText printable characters, no control character.
func keyText(text string) bool {
	n := utf8.RuneCountInString(text)
	if n == 0 || n > maxKeyText || !utf8.ValidString(text) {
		return false
	}
	for _, r := range text {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// isKeyName reports whether name is one of KeyNames.
func isKeyName(name string) bool {
	for _, k := range KeyNames {
		if k == name {
			return true
		}
	}
	return false
}

// typeKey answers kioskKey(text, key) of the on-screen keyboard (main
// loop): it types text, or presses the named key. It learns and keeps
// nothing: the text is not logged.
func (b *Browser) typeKey(c *bindingCall) {
	kt, ok := b.v.(keyTyper)
	if !ok {
		b.reply(c.id, false, jsonString(`{"error":"no on-screen keyboard here","code":"unavailable"}`))
		return
	}
	text, key := c.str(0), c.str(1)
	switch {
	case key != "" && isKeyName(key):
		kt.PressKey(key)
	case key == "" && keyText(text):
		kt.TypeText(text)
	default:
		b.reply(c.id, false, jsonString(`{"error":"not a key","code":"bad_key"}`))
		return
	}
	b.reply(c.id, true, "true")
}

// keyboardAuto is the toolbar script's placeholder for whether the
// on-screen keyboard opens by itself (portal/assets/keyboard.js).
const keyboardAuto = "/*KEYBOARD_AUTO*/false"

// inputDevices is where Linux lists the input devices.
const inputDevices = "/proc/bus/input/devices"

// toolbarScript returns the toolbar's script as the view runs it: the
// on-screen keyboard opens by itself on a touch terminal (--touch) or
// where no physical keyboard is found.
func (b *Browser) toolbarScript(tb []byte) string {
	auto := b.conf.Touch == kiosk.TouchOn
	if b.conf.Touch == kiosk.TouchAuto || b.conf.Touch == "" {
		list, err := os.ReadFile(inputDevices)
		// No list (not Linux, no /proc): it opens from "Clavier" only.
		auto = err == nil && !HasPhysicalKeyboard(list)
	}
	if auto {
		b.l.Info("the on-screen keyboard opens by itself on text fields", "touch", b.conf.Touch.String())
	}
	return strings.Replace(string(tb), keyboardAuto, strconv.FormatBool(auto), 1)
}

// Linux input event codes (linux/input-event-codes.h).
const (
	evKey = 0x01
	// The letter keys of a PC keyboard: KEY_Q..KEY_P, KEY_A..KEY_L,
	// KEY_Z..KEY_M.
	keyQ, keyP = 16, 25
	keyA, keyL = 30, 38
	keyZ, keyM = 44, 50
)

// HasPhysicalKeyboard reports whether list, the text of
// /proc/bus/input/devices, has a keyboard a resident can type on: a device
// whose events include EV_KEY and whose keys include every letter key
// (KEY_A..KEY_Z's codes). Power buttons, lid switches, remote controls and
// touch screens have EV_KEY but not the letters; a bar-code reader that
// declares a full keyboard counts as one.
func HasPhysicalKeyboard(list []byte) bool {
	for _, dev := range strings.Split(string(list), "\n\n") {
		var ev, keys []uint64
		for _, line := range strings.Split(dev, "\n") {
			switch {
			case strings.HasPrefix(line, "B: EV="):
				ev = bitmap(strings.TrimPrefix(line, "B: EV="))
			case strings.HasPrefix(line, "B: KEY="):
				keys = bitmap(strings.TrimPrefix(line, "B: KEY="))
			}
		}
		if !bitSet(ev, evKey) {
			continue
		}
		letters := true
		for _, r := range [][2]int{{keyQ, keyP}, {keyA, keyL}, {keyZ, keyM}} {
			for k := r[0]; k <= r[1]; k++ {
				letters = letters && bitSet(keys, k)
			}
		}
		if letters {
			return true
		}
	}
	return false
}

// bitmap parses a bitmap of /proc/bus/input/devices: hexadecimal words,
// most significant first, 64 bits each (on 64-bit kernels; 32-bit words
// would shift the letters' bits and count no keyboard, so such a kernel
// needs --touch to be told, never the other way round). A bad word gives
// an empty bitmap.
func bitmap(s string) []uint64 {
	words := strings.Fields(s)
	out := make([]uint64, len(words))
	for i, w := range words {
		v, err := strconv.ParseUint(w, 16, 64)
		if err != nil {
			return nil
		}
		out[len(words)-1-i] = v
	}
	return out
}

// bitSet reports whether bit n is set in the bitmap bm (least significant
// word first).
func bitSet(bm []uint64, n int) bool {
	w := n / 64
	return w < len(bm) && bm[w]&(1<<(n%64)) != 0
}
