package portal

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Read-aloud (issue 14, part 3): the toolbar's "Écouter" button reads the
// kiosk's own screens in the resident's language (kiosk/browser/speech).

// readAloudMessages are the button's labels.
var readAloudMessages = map[string]map[string]string{
	"fr": {"bar.listen": "Écouter", "bar.stop": "Stop"},
	"en": {"bar.listen": "Listen", "bar.stop": "Stop"},
	"ar": {"bar.listen": "استمع", "bar.stop": "إيقاف"},
	"es": {"bar.listen": "Escuchar", "bar.stop": "Detener"},
	"pt": {"bar.listen": "Ouvir", "bar.stop": "Parar"},
	"ru": {"bar.listen": "Слушать", "bar.stop": "Стоп"},
	"tr": {"bar.listen": "Dinle", "bar.stop": "Durdur"},
}

func init() { addMessages(readAloudMessages) }

// spokenScreens are the message keys each of the kiosk's screens reads, in
// order: the portal's pages (by their name, the <meta name="kiosk-page">)
// and the toolbar's overlays and banners.
var spokenScreens = map[string][]string{
	"welcome":    {"welcome.title", "welcome.intro", "welcome.lang", "welcome.erase"},
	"home":       {"home.title", "home.intro"},
	"blocked":    {"blocked.title", "blocked.text"},
	"aide":       {"bar.help", "aide.text"},
	"end":        {"end.title", "end.question", "end.anonymous"},
	"ooo":        {"ooo.title", "ooo.text"},
	"idle":       {"idle.title", "idle.text"},
	"warn":       {"warn.text"},
	"confirm":    {"confirm.text"},
	"help":       {"help.sent"},
	"help-taken": {"help.taken"},
}

// SpokenScreens returns the names of the screens Spoken reads.
func SpokenScreens() []string {
	names := make([]string, 0, len(spokenScreens))
	for k := range spokenScreens {
		names = append(names, k)
	}
	return names
}

// Spoken returns the text that "Écouter" reads of the kiosk's screen in
// lang (French where lang has no text), "" for an unknown screen: its
// messages as sentences, "{n}" replaced by n (the countdown's seconds, the
// warning's minutes) and "{host}" by host (the blocked page's; without
// one, the sentence that names none).
func Spoken(screen, lang, host string, n int) string {
	keys, ok := spokenScreens[screen]
	if !ok {
		return ""
	}
	var b strings.Builder
	for _, k := range keys {
		if k == "blocked.text" && host == "" {
			k = "blocked.text_nohost"
		}
		s := Message(lang, k)
		s = strings.ReplaceAll(s, "{n}", strconv.Itoa(n))
		s = strings.ReplaceAll(s, "{host}", host)
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString(s)
		// A title without a full stop still ends its sentence: the voice
		// pauses there.
		if last, _ := utf8.DecodeLastRuneInString(s); !strings.ContainsRune(".?!:;…؟", last) {
			b.WriteString(".")
		}
	}
	return b.String()
}
