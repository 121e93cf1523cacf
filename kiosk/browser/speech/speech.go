// Package speech reads text aloud with espeak-ng, run directly by the
// browser process: one utterance at a time, in the voice of the kiosk's
// language, stopped on request (issue 14, part 3). It has no cgo.
package speech

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Voices are the espeak-ng voices of the kiosk's languages.
var Voices = map[string]string{
	"fr": "fr-fr", "en": "en-gb", "ar": "ar", "es": "es", "pt": "pt", "ru": "ru", "tr": "tr",
}

// MaxText is the longest text read at once, in bytes; longer text is cut at
// a rune boundary (a page's main content can be long).
const MaxText = 20000

// Speaker speaks one text at a time. Its methods are safe for concurrent
// use.
type Speaker struct {
	// Bin is the espeak-ng program; "" means "espeak-ng" on PATH.
	Bin string
	// Sink, when set, is a WAV file that gets the audio instead of the
	// sound card (espeak-ng --stdout), written at the pace a sound card
	// plays it, so that Stop cuts it as it cuts the speakers: the tests'
	// sink, through the same code path.
	Sink string

	mu      sync.Mutex
	cmd     *exec.Cmd
	done    chan struct{}
	stopped *atomic.Bool // the current utterance's
}

// ErrLanguage is returned for a language without a voice.
var ErrLanguage = errors.New("no voice for this language")

// Say stops what is being spoken and starts reading text in lang's voice.
// It returns once espeak-ng has started; Wait waits for the end.
func (s *Speaker) Say(lang, text string) error {
	voice, ok := Voices[lang]
	if !ok {
		return fmt.Errorf("speaking %q: %w", lang, ErrLanguage)
	}
	text = clean(text)
	if text == "" {
		return errors.New("speaking: no text")
	}
	s.Stop()
	bin := s.Bin
	if bin == "" {
		bin = "espeak-ng"
	}
	args := []string{"-v", voice, "-s", "150", "--stdin"}
	stopped := new(atomic.Bool)
	var sink *os.File
	if s.Sink != "" {
		f, err := os.Create(s.Sink)
		if err != nil {
			return fmt.Errorf("speaking: %w", err)
		}
		sink = f
		args = append(args, "--stdout")
	}
	// The text goes through stdin: it never shows in the process list.
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(text)
	if sink != nil {
		cmd.Stdout = &pacedWriter{w: sink, stopped: stopped, start: time.Now()}
	}
	if err := cmd.Start(); err != nil {
		if sink != nil {
			_ = sink.Close()
		}
		return fmt.Errorf("starting %s: %w", bin, err)
	}
	done := make(chan struct{})
	s.mu.Lock()
	s.cmd, s.done, s.stopped = cmd, done, stopped
	s.mu.Unlock()
	go func() {
		_ = cmd.Wait()
		if sink != nil {
			_ = sink.Close()
		}
		close(done)
		s.mu.Lock()
		if s.cmd == cmd {
			s.cmd, s.done = nil, nil
		}
		s.mu.Unlock()
	}()
	return nil
}

// Stop cuts what is being spoken, if anything, and returns once espeak-ng
// has exited.
func (s *Speaker) Stop() {
	s.mu.Lock()
	cmd, done, stopped := s.cmd, s.done, s.stopped
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	stopped.Store(true)
	_ = cmd.Process.Kill()
	<-done
}

// Speaking reports whether a text is being read.
func (s *Speaker) Speaking() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cmd != nil
}

// Wait waits until the text being read ends (at once if none).
func (s *Speaker) Wait() {
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	if done != nil {
		<-done
	}
}

// clean returns text as espeak-ng reads it: valid UTF-8, no control
// characters but line breaks, at most MaxText bytes.
func clean(text string) string {
	text = strings.ToValidUTF8(text, " ")
	text = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, text)
	if len(text) > MaxText {
		cut := MaxText
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	return strings.TrimSpace(text)
}

// wavRate is espeak-ng's output: 22050 Hz, 16-bit mono.
const wavRate = 22050 * 2

// pacedWriter writes espeak-ng's WAV output no faster than it plays, and
// refuses the rest once stopped.
type pacedWriter struct {
	w       io.Writer
	stopped *atomic.Bool
	start   time.Time
	n       int64
}

func (p *pacedWriter) Write(b []byte) (int, error) {
	written := 0
	for len(b) > 0 {
		if p.stopped.Load() {
			return written, errors.New("stopped")
		}
		chunk := min(len(b), wavRate/20) // 50 ms
		due := p.start.Add(time.Duration(p.n) * time.Second / wavRate)
		if d := time.Until(due); d > 0 {
			time.Sleep(d) // the sound card's pace
		}
		n, err := p.w.Write(b[:chunk])
		p.n += int64(n)
		written += n
		if err != nil {
			return written, err
		}
		b = b[chunk:]
	}
	return written, nil
}
