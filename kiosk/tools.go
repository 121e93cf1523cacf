package kiosk

import (
	"context"
	"time"
)

// RunTool runs a device tool (CUPS's clients, scanimage) in the C locale
// for at most timeout and returns its output; its error says what the tool
// printed on stderr. The browser process runs lp and scanimage with it.
func RunTool(ctx context.Context, timeout time.Duration, prog string, args ...string) ([]byte, error) {
	return runTool(ctx, timeout, prog, args...)
}

// PrintFile queues file (a PDF) on queue with lp(1), titled "Document":
// the page's title, which may name the resident, does not reach CUPS.
func PrintFile(ctx context.Context, queue, file string) error {
	_, err := runTool(ctx, cupsTimeout, "lp", "-d", queue, "-t", "Document", "--", file)
	return err
}
