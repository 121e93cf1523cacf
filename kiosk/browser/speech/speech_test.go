package speech_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/kiosk/browser/speech"
	"github.com/communes/kiosk/kiosk/browser/speech/speechtest"
	"github.com/communes/kiosk/portal"
)

// The kiosk's own texts that "Écouter" reads: the welcome screen, the
// countdown, the blocked page, the end question, the help confirmation.
var kioskTexts = []string{"welcome.title", "idle.title", "blocked.title", "end.title", "help.sent"}

// Every kiosk text in every language is spoken: non-silent audio of a
// plausible length for its words, in a voice espeak-ng has.
func TestSpeaker_KioskTextsInEveryLanguage(t *testing.T) {
	speechtest.NeedTools(t)
	out, err := exec.Command("espeak-ng", "--voices").Output()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, l := range portal.Languages {
		t.Run(l.Code, func(t *testing.T) {
			t.Parallel() // each utterance plays in real time
			speakAll(t, dir, l.Code, out)
		})
	}
}

// speakAll speaks every kiosk text in lang to WAV files in dir and checks
// them; voices is espeak-ng's list of voices.
func speakAll(t *testing.T, dir, lang string, voices []byte) {
	voice, ok := speech.Voices[lang]
	if !ok {
		t.Fatalf("no voice for %s", lang)
	}
	if !regexp.MustCompile(`(?m)^\s*\d+\s+` + regexp.QuoteMeta(voice) + `\s`).Match(voices) {
		t.Errorf("espeak-ng has no voice %q (%s)", voice, lang)
	}
	for _, key := range kioskTexts {
		text := portal.Message(lang, key)
		if text == "" {
			t.Fatalf("no text %s", key)
		}
		wav := filepath.Join(dir, lang+"-"+key+".wav")
		sp := &speech.Speaker{Sink: wav}
		if err := sp.Say(lang, text); err != nil {
			t.Fatalf("%s %s: %v", lang, key, err)
		}
		sp.Wait()
		length, rms := speechtest.Stat(t, wav)
		words := len(strings.Fields(text))
		// 150 words a minute, give or take: 0.15 s to 1.5 s a word.
		if length < 0.15*float64(words) || length > 1.5*float64(words)+1 {
			t.Errorf("%s %s (%d words): %.2f s of audio", lang, key, words, length)
		}
		if rms < 0.01 {
			t.Errorf("%s %s: silent (RMS %.4f)", lang, key, rms)
		}
	}
}

// Stop cuts the audio: a long text stopped after a second leaves about a
// second of audio, and nothing more is written afterwards.
func TestSpeaker_StopCutsIt(t *testing.T) {
	speechtest.NeedTools(t)
	wav := filepath.Join(t.TempDir(), "long.wav")
	sp := &speech.Speaker{Sink: wav}
	long := strings.Repeat(portal.Message("fr", "idle.title")+" ", 60) // about a minute
	if err := sp.Say("fr", long); err != nil {
		t.Fatal(err)
	}
	if !sp.Speaking() {
		t.Fatal("not speaking after Say")
	}
	time.Sleep(time.Second) // the length of audio the test lets play: the clock is the subject
	sp.Stop()
	if sp.Speaking() {
		t.Fatal("still speaking after Stop")
	}
	fi, err := os.Stat(wav)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if fi2, _ := os.Stat(wav); fi2.Size() != fi.Size() {
		t.Errorf("audio written after Stop: %d then %d bytes", fi.Size(), fi2.Size())
	}
	length, _ := speechtest.Stat(t, wav)
	if length < 0.5 || length > 3 {
		t.Errorf("after a second and Stop: %.2f s of audio, want about 1", length)
	}
}

// A language without a voice and an empty text are refused.
func TestSpeaker_RefusesBadInput(t *testing.T) {
	sp := &speech.Speaker{Sink: filepath.Join(t.TempDir(), "x.wav")}
	if err := sp.Say("de", "Hallo"); err == nil {
		t.Error("a language without a voice was accepted")
	}
	if err := sp.Say("fr", " \x00\x01 "); err == nil {
		t.Error("an empty text was accepted")
	}
}
