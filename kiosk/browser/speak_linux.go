package browser

import (
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/communes/kiosk/kiosk"
	"github.com/communes/kiosk/kiosk/browser/speech"
)

// readAloud is the session's read-aloud (main loop). It lives in the
// browser process, so the next session starts without it.
type readAloud struct {
	sp speech.Speaker
	// sinkDir (kiosktest builds, speechSinkDir) gets each utterance as a
	// WAV file instead of the sound card.
	sinkDir string
	seq     int
	// used: the resident pressed "Écouter" in this process, that is this
	// session (or on the welcome page that opened it).
	used     bool
	speaking bool
	// auto: the utterance is the shell's own (the countdown, the warning).
	auto bool
	// gen counts utterances and stops, so that the end of an old one
	// does not turn "Stop" back into "Écouter" under a new one.
	gen int
	// clock is the state seen last (spokenByShell).
	clock sessionClock
}

// speak answers kioskSpeak(request) (main loop).
func (b *Browser) speak(c *bindingCall) {
	if !b.conf.Speech {
		b.reply(c.id, false, jsonString(refusedSpeechOff))
		return
	}
	r, err := parseSpeak(c.args)
	if err != nil {
		b.l.Warn("read-aloud request refused", "err", err)
		b.reply(c.id, false, jsonString(refusedSpeakBad))
		return
	}
	if r.Do == "stop" {
		b.stopSpeech("stop pressed")
		b.reply(c.id, true, speechJSON(true, false))
		return
	}
	b.mu.Lock()
	lang := ""
	if b.state != nil {
		lang = b.state.Lang
	}
	b.mu.Unlock()
	blocked := !isPortalURL(c.page) && b.nav.pinCallAllowed(c.page, b.pageStatus(c.page), hostOf(c.page))
	u, err := speakable(r, c.page, blocked, lang)
	if err != nil {
		b.l.Info("read-aloud: nothing to read", "host", hostOf(c.page), "err", err)
		b.reply(c.id, false, jsonString(refusedNoText))
		return
	}
	if err := b.say(u, false); err != nil {
		b.reply(c.id, false, jsonString(refusedSpeech))
		return
	}
	b.spk.used = true
	b.reply(c.id, true, speechJSON(true, true))
}

// say starts reading u, cutting what was being read (main loop). auto
// marks the shell's own utterances. The text is never logged.
func (b *Browser) say(u utterance, auto bool) error {
	s := &b.spk
	if s.sinkDir != "" {
		s.seq++
		s.sp.Sink = filepath.Join(s.sinkDir, fmt.Sprintf("%03d-%s-%s.wav", s.seq, u.lang, u.what))
	}
	if err := s.sp.Say(u.lang, u.text); err != nil {
		b.l.Error("read-aloud failed", "what", u.what, "lang", u.lang, "err", err)
		return err
	}
	s.gen++
	s.speaking, s.auto = true, auto
	b.l.Info("reading aloud", "what", u.what, "lang", u.lang, "voice", speech.Voices[u.lang], "chars", len([]rune(u.text)), "auto", auto)
	b.pushSpeech()
	gen := s.gen
	go func() {
		s.sp.Wait()
		b.onMain(func() {
			if s.gen == gen && s.speaking {
				s.speaking = false
				b.l.Debug("read-aloud done", "what", u.what)
				b.pushSpeech()
			}
		})
	}()
	return nil
}

// stopSpeech cuts what is being read, if anything (main loop): "Stop", a
// new page, the session's end.
func (b *Browser) stopSpeech(why string) {
	s := &b.spk
	if !s.speaking {
		return
	}
	s.sp.Stop()
	s.gen++
	s.speaking = false
	b.l.Info("read-aloud stopped", "why", why)
	b.pushSpeech()
}

// pushSpeech tells the toolbar of the page shown whether "Écouter" is
// shown and whether it reads (main loop).
func (b *Browser) pushSpeech() {
	if b.conf.OutOfOrder != "" {
		return
	}
	b.v.ToolbarEval("window.kioskSpeech && window.kioskSpeech(" + speechJSON(b.conf.Speech, b.spk.speaking) + ")")
}

// speechState follows the service's state (main loop): the countdown and
// the time warning are read by themselves once the resident used
// read-aloud; "Continuer" cuts the countdown's; the session's end cuts
// anything.
func (b *Browser) speechState(st *kiosk.State) {
	if !b.conf.Speech {
		return
	}
	s := &b.spk
	var now sessionClock
	if err := json.Unmarshal(st.Raw, &now); err != nil || now.State == "" {
		now.State = st.State
	}
	prev := s.clock
	s.clock = now
	switch {
	case now.State == prev.State && now.Warning == prev.Warning:
		return
	case !st.InSession() || now.State == kiosk.StateEnding:
		if prev.State == kiosk.StateActive || prev.State == kiosk.StateCountdown {
			b.stopSpeech("session ended")
		}
		return
	case prev.State == kiosk.StateCountdown && now.State == kiosk.StateActive && s.auto:
		b.stopSpeech("countdown left")
	}
	u, ok := spokenByShell(prev, now)
	switch {
	case ok && s.used:
		_ = b.say(u, true)
	case ok:
		b.l.Debug("read-aloud: not read, unused in this session", "what", u.what)
	}
}
