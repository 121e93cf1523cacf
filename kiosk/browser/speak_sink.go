//go:build linux && !kiosktest

package browser

// speechSinkDir is "" in release builds: read-aloud goes to the sound
// card, never to a file.
func speechSinkDir() string { return "" }
