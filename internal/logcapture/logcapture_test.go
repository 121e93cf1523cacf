package logcapture_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/communes/kiosk/internal/logcapture"
)

// Lines logged from many goroutines while the test reads are all kept,
// whole (run with -race).
func TestBuffer_ConcurrentLogs(t *testing.T) {
	var b logcapture.Buffer
	l := b.Logger()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				l.Info("event", "g", g, "i", i)
				_ = b.String()
			}
		}()
	}
	wg.Wait()
	out := b.String()
	if n := strings.Count(out, "\n"); n != 8*50 {
		t.Fatalf("%d lines, want %d:\n%s", n, 8*50, out)
	}
	for g := range 8 {
		for i := range 50 {
			if want := fmt.Sprintf("level=INFO msg=event g=%d i=%d\n", g, i); !strings.Contains(out, want) {
				t.Fatalf("no line %q", want)
			}
		}
	}
	l.Debug("below Info")
	if strings.Contains(b.String(), "below Info") {
		t.Error("a Debug line was kept: the logger is from level Info")
	}
}
