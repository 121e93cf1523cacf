package browser

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"

	"github.com/communes/kiosk/kiosk/browser/speech"
	"github.com/communes/kiosk/portal"
)

// Read-aloud (issue 14, part 3; docs/shell.md "Read-aloud"): the toolbar's
// "Écouter" calls kioskSpeak(request), the toolbar's only binding, after
// the resident's own touch. On the kiosk's own screens the shell reads its
// own texts (portal.Spoken) in the resident's language; on a site's page
// it reads the text the toolbar took from the page (the selection, else
// the main content). espeak-ng speaks (kiosk/browser/speech); the toolbar
// shows "Stop" while it does. This file decides what is read; speak_linux.go
// plays it.

// speakRequest is the argument of kioskSpeak.
type speakRequest struct {
	// Do is what to read: "page" (the page shown), one of the toolbar's
	// overlays or banners ("idle", "confirm", "help", "help-taken"), or
	// "stop".
	Do string `json:"do"`
	// Lang is the page's language (its <html lang>): the portal's pages'
	// and the voice of a site's text.
	Lang string `json:"lang"`
	// Text is a site's page's text: the selection, else its main content
	// (the toolbar trims it to maxSpeakText).
	Text string `json:"text"`
	// N is the countdown's seconds left ("idle").
	N int `json:"n"`
}

// maxSpeakText is the longest text a kioskSpeak call may carry, in bytes:
// the toolbar sends at most 6,000 characters; more is refused, not cut.
const maxSpeakText = 32 << 10

// Refusals of a kioskSpeak call.
const (
	refusedSpeechOff = `{"error":"read-aloud is off on this terminal","code":"audio_off"}`
	refusedSpeakBad  = `{"error":"bad read-aloud request","code":"bad_request"}`
	refusedNoText    = `{"error":"nothing to read on this page","code":"no_text"}`
	refusedSpeech    = `{"error":"read-aloud failed","code":"speech_failed"}`
)

// overlayScreens are the toolbar's overlays and banners it may ask for.
var overlayScreens = map[string]bool{"idle": true, "confirm": true, "help": true, "help-taken": true}

// parseSpeak reads the argument of kioskSpeak; an unknown request, an
// over-long text or a bad number is an error.
func parseSpeak(args []json.RawMessage) (speakRequest, error) {
	var r speakRequest
	if len(args) != 1 {
		return r, errors.New("kioskSpeak takes one argument")
	}
	dec := json.NewDecoder(strings.NewReader(string(args[0])))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return r, err
	}
	switch {
	case r.Do != "page" && r.Do != "stop" && !overlayScreens[r.Do]:
		return r, errors.New("unknown read-aloud request")
	case len(r.Text) > maxSpeakText:
		return r, errors.New("text too long")
	case r.N < 0 || r.N > 24*3600:
		return r, errors.New("bad count")
	}
	return r, nil
}

// utterance is what is read: its kind (a screen's name, or "text" for a
// site's), the voice's language and the text.
type utterance struct {
	what, lang, text string
}

// voiceLang returns the language of a voice for tag (a BCP 47 tag such as
// "en-GB"), "" when no voice speaks it.
func voiceLang(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	if _, ok := speech.Voices[tag]; ok {
		return tag
	}
	return ""
}

// firstVoice returns the first of tags that a voice speaks, else French.
func firstVoice(tags ...string) string {
	for _, t := range tags {
		if l := voiceLang(t); l != "" {
			return l
		}
	}
	return "fr"
}

// portalScreens are the portal's pages by path, as portal.Spoken names
// them.
var portalScreens = map[string]string{
	"/": "welcome", "": "welcome", "/home": "home", "/blocked": "blocked",
	"/aide": "aide", "/end": "end", "/out-of-order": "ooo",
}

// speakable returns what kioskSpeak(r) reads, r.Do not "stop": page is the
// committed page, blocked whether it is the proxy's blocked page of a
// refused host, sessionLang the resident's language. The kiosk's screens
// are read from the kiosk's own texts, never from the page.
func speakable(r speakRequest, page string, blocked bool, sessionLang string) (utterance, error) {
	if overlayScreens[r.Do] {
		// The toolbar draws them in the session's language.
		lang := firstVoice(sessionLang, r.Lang)
		return utterance{r.Do, lang, portal.Spoken(r.Do, lang, "", r.N)}, nil
	}
	u, err := url.Parse(page)
	if err != nil {
		return utterance{}, err
	}
	switch {
	case isPortal(u):
		screen, ok := portalScreens[u.Path]
		if !ok {
			return utterance{}, errors.New("no text for this portal page")
		}
		// The portal's page is in the language it was asked in (the
		// welcome page's choice), which the toolbar reads from it.
		lang := firstVoice(r.Lang, u.Query().Get("lang"), sessionLang)
		return utterance{screen, lang, portal.Spoken(screen, lang, spokenHost(u.Query().Get("host")), 0)}, nil
	case blocked:
		lang := firstVoice(sessionLang)
		return utterance{"blocked", lang, portal.Spoken("blocked", lang, spokenHost(u.Hostname()), 0)}, nil
	}
	if strings.TrimSpace(r.Text) == "" {
		return utterance{}, errors.New("no text")
	}
	// A site's text is read in its own language's voice (most sites are
	// French whatever the resident's language), French when the page
	// names none that a voice speaks.
	return utterance{"text", firstVoice(r.Lang), r.Text}, nil
}

// spokenHost returns host if it is a plain host name, else "".
func spokenHost(host string) string {
	if host == "" || len(host) > 253 {
		return ""
	}
	for _, c := range host {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return ""
		}
	}
	return host
}

// speechJSON is what the toolbar's window.kioskSpeech(...) receives.
func speechJSON(available, speaking bool) string {
	out, _ := json.Marshal(map[string]bool{"available": available, "speaking": speaking})
	return string(out)
}

// sessionClock is what read-aloud follows of the state: the countdown, the
// time warning.
type sessionClock struct {
	State     string `json:"state"`
	Lang      string `json:"lang"`
	Countdown int    `json:"countdown_s"`
	Remaining int    `json:"remaining_s"`
	Warning   bool   `json:"warning"`
}

// spokenByShell returns what the shell reads by itself when the state
// goes from prev to st, once the resident used read-aloud in the session:
// the idle countdown ("Vous êtes toujours là ?") as it starts, the time
// warning as it appears. ok is false when there is nothing to read.
func spokenByShell(prev, st sessionClock) (u utterance, ok bool) {
	lang := firstVoice(st.Lang)
	switch {
	case st.State == "countdown" && prev.State != "countdown":
		return utterance{"idle", lang, portal.Spoken("idle", lang, "", st.Countdown)}, true
	case st.State == "active" && st.Warning && !prev.Warning:
		mins := (st.Remaining + 59) / 60
		return utterance{"warn", lang, portal.Spoken("warn", lang, "", mins)}, true
	}
	return utterance{}, false
}
