//go:build linux && kiosktest

package browser

import "os"

// speechSinkDir is the tests' audio output: with KIOSK_TEST_SPEECH_DIR set,
// each utterance goes to a WAV file there (NNN-LANG-WHAT.wav, written at
// the sound card's pace through the same code path) instead of the sound
// card. Only kiosktest builds read it.
func speechSinkDir() string { return os.Getenv("KIOSK_TEST_SPEECH_DIR") }
