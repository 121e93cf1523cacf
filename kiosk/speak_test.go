//go:build webview && linux

package kiosk_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/kiosk/browser/speech"
	"github.com/communes/kiosk/kiosk/browser/speech/speechtest"
	"github.com/communes/kiosk/portal"
)

// Read-aloud's tests: the browser process's audio goes to WAV files
// (KIOSK_TEST_SPEECH_DIR, kiosktest builds), written at the sound card's
// pace through the same code path as the speakers. espeak-ng is
// deterministic, so each file is compared sample for sample with
// espeak-ng's own rendering of the expected text in the expected voice.

// wavHeader is the size of espeak-ng's WAV header.
const wavHeader = 44

// wavRate is espeak-ng's output in bytes a second (22050 Hz, 16-bit mono).
const wavRate = 22050 * 2

// speechRig starts a rig whose read-aloud writes to a directory, returned.
func speechRig(t testing.TB, opts rigOptions) (*rig, string) {
	t.Helper()
	speechtest.NeedTools(t)
	dir := t.TempDir()
	opts.wm = true
	opts.shellEnv = append(opts.shellEnv, "KIOSK_TEST_SPEECH_DIR="+dir)
	return newRig(t, opts), dir
}

// listenJS is the toolbar's "Écouter" in a session, floatJS the portal's
// pages' own outside one.
var (
	listenJS = toolbarButton("listen")
	floatJS  = toolbarButton("float-listen")
)

// wavs returns the WAV files of dir whose names match pattern.
func wavs(t testing.TB, dir, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// waitAudio waits until a WAV file of dir matching pattern holds at least
// secs of audio, and returns its path.
func (r *rig) waitAudio(dir, pattern string, secs float64, timeout time.Duration) string {
	r.t.Helper()
	var path string
	r.waitFor(pattern+" with "+strconv.FormatFloat(secs, 'f', 1, 64)+" s of audio", timeout, func() bool {
		for _, p := range wavs(r.t, dir, pattern) {
			if fi, err := os.Stat(p); err == nil && float64(fi.Size()-wavHeader) >= secs*wavRate {
				path = p
				return true
			}
		}
		return false
	})
	return path
}

// waitSilent waits until the listen button js says nothing is read.
func (r *rig) waitSilent(js string, timeout time.Duration) {
	r.t.Helper()
	r.waitEval("reading over", js+" && "+js+".getAttribute('aria-pressed') === 'false'", timeout)
}

// pcm returns the samples of a WAV file.
func pcm(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || len(b) < wavHeader {
		t.Fatalf("reading %s: %v (%d bytes)", path, err, len(b))
	}
	return b[wavHeader:]
}

// reference returns espeak-ng's samples of text in lang's voice, as the
// speech package runs it.
func reference(t testing.TB, lang, text string) []byte {
	t.Helper()
	cmd := exec.Command("espeak-ng", "-v", speech.Voices[lang], "-s", "150", "--stdin", "--stdout")
	cmd.Stdin = strings.NewReader(text)
	out, err := cmd.Output()
	if err != nil || len(out) < wavHeader {
		t.Fatalf("espeak-ng %s: %v", lang, err)
	}
	return out[wavHeader:]
}

// checkSpoken checks that the WAV file is text read whole in lang's
// voice: the same samples as espeak-ng's, non-silent, of a plausible
// length for its words.
func checkSpoken(t testing.TB, path, lang, text string) {
	t.Helper()
	got, want := pcm(t, path), reference(t, lang, text)
	if !bytes.Equal(got, want) {
		t.Errorf("%s: %d bytes of audio, not espeak-ng's %s rendering of %q (%d bytes)", filepath.Base(path), len(got), speech.Voices[lang], text, len(want))
	}
	length, rms := speechtest.Stat(t, path)
	words := len(strings.Fields(text))
	if length < 0.15*float64(words) || length > 1.5*float64(words)+1 {
		t.Errorf("%s (%d words): %.2f s of audio", filepath.Base(path), words, length)
	}
	if rms < 0.01 {
		t.Errorf("%s: silent (RMS %.4f)", filepath.Base(path), rms)
	}
}

// TestShell_SpeakWelcome: "Listen" on the welcome page in English reads the
// kiosk's welcome text in the English voice, the button saying "Stop"
// meanwhile; in Arabic its Stop cuts the Arabic voice.
func TestShell_SpeakWelcome(t *testing.T) {
	r, dir := speechRig(t, rigOptions{})
	r.log.wait(t, "welcome ready", 0, 15*time.Second)

	r.mustEval("location.href = 'http://kiosk.invalid/?lang=en'; 1")
	r.waitEval("the English welcome page's Listen", "location.search === '?lang=en' && document.readyState === 'complete' && "+floatJS+" && "+floatJS+".getClientRects().length > 0 && "+floatJS+".textContent === 'Listen'", 10*time.Second)
	mark := r.log.len()
	r.press(floatJS)
	wav := r.waitAudio(dir, "*-en-welcome.wav", 0.5, 10*time.Second)
	e := r.log.wait(t, "reading aloud", mark, 5*time.Second)
	if e.fields["what"] != "welcome" || e.fields["lang"] != "en" || e.fields["voice"] != "en-gb" {
		t.Errorf("reading aloud: %v, want the welcome in en-gb", e.fields)
	}
	r.waitEval("Stop while reading", floatJS+".getAttribute('aria-pressed') === 'true' && "+floatJS+".textContent === 'Stop'", 5*time.Second)
	// Its name is written: no tooltip (WebKitGTK showed the one taken as
	// the pointer came, "Listen", over "Stop").
	if got := string(r.mustEval("[" + floatJS + ".hasAttribute('title'), " + floatJS + ".getAttribute('aria-label')].join('|')").Result); got != `"false|Stop"` {
		t.Errorf("while reading, the button's has-title|aria-label: %s, want false|Stop", got)
	}
	if shots := os.Getenv("KIOSK_SCREENSHOTS"); shots != "" {
		r.shot(filepath.Join(shots, "listen-welcome.png"))
	}
	r.waitSilent(floatJS, 60*time.Second)
	if got := string(r.mustEval(floatJS + ".textContent").Result); got != `"Listen"` {
		t.Errorf("after reading, the button says %s", got)
	}
	checkSpoken(t, wav, "en", portal.Spoken("welcome", "en", "", 0))

	r.mustEval("location.href = 'http://kiosk.invalid/?lang=ar'; 1")
	r.waitEval("the Arabic welcome page's button", "location.search === '?lang=ar' && document.readyState === 'complete' && "+floatJS+" && "+floatJS+".getClientRects().length > 0 && "+floatJS+".textContent === '"+portal.Message("ar", "bar.listen")+"'", 10*time.Second)
	r.press(floatJS)
	wav = r.waitAudio(dir, "*-ar-welcome.wav", 1, 10*time.Second)
	r.waitEval("Stop in Arabic", floatJS+".textContent === '"+portal.Message("ar", "bar.stop")+"'", 5*time.Second)
	mark = r.log.len()
	r.movePointerAway() // xdotool's mousemove --sync may wait long where the pointer already is
	r.press(floatJS)    // Stop
	if e := r.log.wait(t, "read-aloud stopped", mark, 5*time.Second); e.fields["why"] != "stop pressed" {
		t.Errorf("stopped: %v", e.fields)
	}
	r.waitSilent(floatJS, 5*time.Second)
	got, full := pcm(t, wav), reference(t, "ar", portal.Spoken("welcome", "ar", "", 0))
	if len(got) < wavRate || len(got) > len(full)/2 || !bytes.HasPrefix(full, got) {
		t.Errorf("Arabic welcome stopped: %d bytes of audio, the whole is %d; a prefix of it: %v", len(got), len(full), bytes.HasPrefix(full, got))
	}
}

// speakPage is a site's page: a menu, the main content, a footer, in
// Spanish.
const speakPage = `document.documentElement.lang = 'es';
document.body.innerHTML = '<nav>Menú principal: Inicio, Contacto</nav><main><h1 id="h">Prestaciones familiares</h1>' +
  '<p>Puede pedir la ayuda en línea. <span id="sel">Esta frase se lee sola.</span></p></main><footer>Aviso legal</footer>';
1`

// TestShell_SpeakSitePage: on a site's page "Écouter" reads the selection
// in the page's language, else the main content (not the menu nor the
// footer); a site's script can neither call the binding, nor press the
// button, nor see read-aloud's state.
func TestShell_SpeakSitePage(t *testing.T) {
	r, dir := speechRig(t, rigOptions{})
	r.log.wait(t, "welcome ready", 0, 15*time.Second)
	r.sessionOn("")
	r.mustEval(speakPage)
	r.mustEval("var rg = document.createRange(); rg.selectNodeContents(document.getElementById('sel')); getSelection().removeAllRanges(); getSelection().addRange(rg); 1")
	r.waitEval("Écouter in the bar", listenJS+" && "+listenJS+".getClientRects().length > 0", 10*time.Second)
	r.press(listenJS)
	wav := r.waitAudio(dir, "*-es-text.wav", 0.2, 10*time.Second)
	if shots := os.Getenv("KIOSK_SCREENSHOTS"); shots != "" {
		r.shot(filepath.Join(shots, "listen-selection.png"))
	}
	r.waitSilent(listenJS, 30*time.Second)
	checkSpoken(t, wav, "es", "Esta frase se lee sola.")
	if got := string(r.mustEval("String(getSelection())").Result); got != `"Esta frase se lee sola."` {
		t.Errorf("the selection after pressing Écouter: %s", got)
	}

	r.mustEval("getSelection().removeAllRanges(); 1")
	r.movePointerAway()
	r.press(listenJS)
	r.waitFor("a second utterance", 10*time.Second, func() bool { return len(wavs(t, dir, "*-es-text.wav")) == 2 })
	r.waitSilent(listenJS, 30*time.Second)
	wav = wavs(t, dir, "*-es-text.wav")[1]
	checkSpoken(t, wav, "es", "Prestaciones familiares Puede pedir la ayuda en línea. Esta frase se lee sola.")

	// A site's script: the binding is the toolbar's only, even right after
	// a touch; the button ignores a script's click; the state is not in
	// the page's world.
	before := len(wavs(t, dir, "*.wav"))
	mark := r.log.len()
	r.touchEval("window.__s = ''; kioskSpeak({do: 'page', text: 'pirate'}).then(function () { window.__s = 'ok'; }, function (e) { window.__s = String(e); }); 1")
	r.waitEval("the page's call answered", "window.__s !== ''", 5*time.Second)
	if res := r.mustEval("window.__s"); !strings.Contains(string(res.Result), "toolbar_only") {
		t.Errorf("a site's kioskSpeak(): %s", res.Result)
	}
	r.touchEval(listenJS + ".click(); 1")
	r.log.wait(t, "toolbar: a press not made by the resident ignored", mark, 5*time.Second)
	if res := r.mustEval("typeof window.kioskSpeech + ' ' + typeof window.__kioskToolbarReply"); string(res.Result) != `"undefined undefined"` {
		t.Errorf("the page's world sees the toolbar's functions: %s", res.Result)
	}
	if n := r.log.count("reading aloud", mark); n != 0 || len(wavs(t, dir, "*.wav")) != before {
		t.Errorf("a site's script made the shell read aloud (%d)", n)
	}
}

// longPage fills the site's page with about two minutes of French text.
const longPage = `document.body.innerHTML = '<main><p>' + Array(40).join('Votre dossier est en cours de traitement par nos services. ') + '</p></main>'; 1`

// TestShell_SpeakStops: "Stop" cuts the reading, so does a new page, so
// does the session's end.
func TestShell_SpeakStops(t *testing.T) {
	r, dir := speechRig(t, rigOptions{})
	r.log.wait(t, "welcome ready", 0, 15*time.Second)
	r.sessionOn("")
	r.mustEval(longPage)

	for i, stop := range []string{"stop pressed", "page changed", "session ended"} {
		r.waitEval("Écouter", listenJS+" && "+listenJS+".getClientRects().length > 0 && "+listenJS+".getAttribute('aria-pressed') !== 'true'", 10*time.Second)
		r.movePointerAway()
		r.press(listenJS)
		r.waitFor("utterance "+strconv.Itoa(i+1), 10*time.Second, func() bool { return len(wavs(t, dir, "*-fr-text.wav")) == i+1 })
		wav := r.waitAudio(dir, filepath.Base(wavs(t, dir, "*-fr-text.wav")[i]), 1, 10*time.Second)
		if i == 0 {
			// The stop square is named "Stop" (its tooltip and aria-label), not "Écouter".
			stopName := portal.Message("fr", "bar.stop")
			r.waitEval("the stop square named "+stopName, listenJS+".getAttribute('aria-pressed') === 'true'", 5*time.Second)
			if got := string(r.mustEval("[" + listenJS + ".title, " + listenJS + ".getAttribute('aria-label')].join('|')").Result); got != `"`+stopName+"|"+stopName+`"` {
				t.Errorf("while reading, the stop square's title|aria-label: %s, want %s|%s", got, stopName, stopName)
			}
		}
		mark := r.log.len()
		switch stop {
		case "stop pressed":
			r.movePointerAway()
			r.press(listenJS)
		case "page changed":
			r.openPage("autre")
		case "session ended":
			r.pressToolbar("end")
			r.pressToolbar("yes")
		}
		e := r.log.wait(t, "read-aloud stopped", mark, 10*time.Second)
		if e.fields["why"] != stop && !(stop == "session ended" && e.fields["why"] == "page changed") {
			t.Errorf("stopped: %v, want %q", e.fields, stop)
		}
		// Stop returns once espeak-ng has exited and the file is closed.
		length, _ := speechtest.Stat(t, wav)
		if length < 0.9 || length > 5 {
			t.Errorf("%s: %.2f s of audio when cut after about 1 s", stop, length)
		}
		if stop == "page changed" {
			r.waitSilent(listenJS, 5*time.Second)
			r.openPage("")
			r.mustEval(longPage)
		}
	}
}

// TestShell_SpeakAudioOff: with --audio=off "Écouter" is hidden on the
// welcome page and in the toolbar.
func TestShell_SpeakAudioOff(t *testing.T) {
	r, dir := speechRig(t, rigOptions{shellArgs: []string{"--audio=off"}})
	r.log.wait(t, "read-aloud off (--audio=off)", 0, 15*time.Second)
	r.log.wait(t, "welcome ready", 0, 15*time.Second)
	r.waitEval("the toolbar on the welcome page", "document.readyState === 'complete' && document.querySelector('kiosk-toolbar')", 10*time.Second)
	if res := r.mustEval(floatJS + ".getClientRects().length"); string(res.Result) != "0" {
		t.Errorf("Écouter on the welcome page with --audio=off: %s boxes", res.Result)
	}
	r.sessionOn("")
	r.waitEval("the toolbar", toolbarButton("help")+" && "+toolbarButton("help")+".getClientRects().length > 0", 10*time.Second)
	if res := r.mustEval(listenJS + ".getClientRects().length"); string(res.Result) != "0" {
		t.Errorf("Écouter in the bar with --audio=off: %s boxes", res.Result)
	}
	if n := len(wavs(t, dir, "*.wav")); n != 0 {
		t.Errorf("%d utterances with --audio=off", n)
	}
}

// TestShell_SpeakCountdown: the idle countdown is read by itself only
// once the resident used read-aloud in the session, in the session's
// language; "Continuer" cuts it.
func TestShell_SpeakCountdown(t *testing.T) {
	r, dir := speechRig(t, rigOptions{serveArgs: []string{"--idle-timeout", "4s", "--idle-countdown", "40s"}})
	r.log.wait(t, "welcome ready", 0, 15*time.Second)
	mark := r.log.len()
	r.startSession()
	idleJS := "document.querySelector('kiosk-toolbar').shadowRoot.querySelector('.idle')"
	r.waitEval("the countdown", idleJS+" && !"+idleJS+".hidden", 20*time.Second)
	if e := r.log.wait(t, "read-aloud: not read, unused in this session", mark, 5*time.Second); e.fields["what"] != "idle" {
		t.Errorf("not read: %v", e.fields)
	}
	if n := len(wavs(t, dir, "*.wav")); n != 0 {
		t.Fatalf("%d utterances before read-aloud was used", n)
	}
	r.pressToolbar("continue")
	r.waitEval("the countdown gone", idleJS+".hidden", 10*time.Second)

	// Used once (the start page's texts), then idle.
	r.press(listenJS)
	r.waitAudio(dir, "*-fr-home.wav", 0.2, 10*time.Second)
	wav := r.waitAudio(dir, "*-fr-idle.wav", 0.5, 30*time.Second)
	r.waitSilent(listenJS, 30*time.Second)
	got := pcm(t, wav)
	match := false
	for n := 30; n <= 40 && !match; n++ {
		match = bytes.Equal(got, reference(t, "fr", portal.Spoken("idle", "fr", "", n)))
	}
	if !match {
		t.Errorf("%s: not the countdown's text read in fr-fr (%d bytes)", filepath.Base(wav), len(got))
	}
	checkSpokenLoosely(t, wav)

	// "Continuer" cuts the next one.
	r.pressToolbar("continue")
	r.waitEval("the countdown gone", idleJS+".hidden", 10*time.Second)
	mark = r.log.len()
	r.waitFor("the second countdown read", 30*time.Second, func() bool { return len(wavs(t, dir, "*-fr-idle.wav")) == 2 })
	r.waitAudio(dir, filepath.Base(wavs(t, dir, "*-fr-idle.wav")[1]), 0.5, 10*time.Second)
	r.movePointerAway() // xdotool's mousemove --sync may wait long where the pointer already is
	r.pressToolbar("continue")
	if e := r.log.wait(t, "read-aloud stopped", mark, 10*time.Second); e.fields["why"] != "countdown left" {
		t.Errorf("stopped: %v", e.fields)
	}
}

// checkSpokenLoosely checks that a WAV file is non-silent speech.
func checkSpokenLoosely(t testing.TB, path string) {
	t.Helper()
	length, rms := speechtest.Stat(t, path)
	if length < 1 || rms < 0.01 {
		t.Errorf("%s: %.2f s, RMS %.4f", filepath.Base(path), length, rms)
	}
}

// TestShell_SpeakWarning: the time warning is read as it appears, once
// read-aloud was used.
func TestShell_SpeakWarning(t *testing.T) {
	r, dir := speechRig(t, rigOptions{serveArgs: []string{"--max-session", "40s", "--time-warning", "30s"}})
	r.log.wait(t, "welcome ready", 0, 15*time.Second)
	r.startSession()
	r.waitEval("Écouter in the bar", listenJS+" && "+listenJS+".getClientRects().length > 0", 10*time.Second)
	r.press(listenJS)
	r.waitAudio(dir, "*-fr-home.wav", 0.2, 10*time.Second)
	wav := r.waitAudio(dir, "*-fr-warn.wav", 0.5, 30*time.Second)
	r.waitSilent(listenJS, 30*time.Second)
	checkSpoken(t, wav, "fr", portal.Spoken("warn", "fr", "", 1))
}

// movePointerAway moves the pointer to the screen's corner.
func (r *rig) movePointerAway() {
	r.t.Helper()
	cmd := exec.Command("xdotool", "mousemove", "--sync", "1", "1")
	cmd.Env = append(os.Environ(), "DISPLAY="+r.display)
	if out, err := cmd.CombinedOutput(); err != nil {
		r.t.Fatalf("xdotool mousemove: %v %s", err, out)
	}
}
