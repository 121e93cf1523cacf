//go:build webview && linux

package kiosk_test

import (
	"bufio"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// event is one log line of the shell, parsed.
type event struct {
	at     time.Time
	msg    string
	fields map[string]string
}

func (e event) pid() int { n, _ := strconv.Atoi(e.fields["pid"]); return n }

var kvRe = regexp.MustCompile(`(\w+)=("(?:[^"\\]|\\.)*"|\S+)`)

func parseEvent(line string) event {
	e := event{at: time.Now(), fields: map[string]string{}}
	for _, m := range kvRe.FindAllStringSubmatch(line, -1) {
		v := m[2]
		if uq, err := strconv.Unquote(v); err == nil {
			v = uq
		}
		e.fields[m[1]] = v
	}
	e.msg = e.fields["msg"]
	return e
}

// logWatch collects the shell's log lines.
type logWatch struct {
	mu     sync.Mutex
	cond   *sync.Cond
	lines  []string
	events []event
}

func newLogWatch(rd io.Reader) *logWatch {
	w := &logWatch{}
	w.cond = sync.NewCond(&w.mu)
	go func() {
		sc := bufio.NewScanner(rd)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			w.mu.Lock()
			w.lines = append(w.lines, line)
			w.events = append(w.events, parseEvent(line))
			w.cond.Broadcast()
			w.mu.Unlock()
		}
	}()
	return w
}

func (w *logWatch) len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.events)
}

func (w *logWatch) text() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var b strings.Builder
	for _, l := range w.lines {
		if !strings.Contains(l, "msg=pong") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// count returns how many events with msg came at index from or later.
func (w *logWatch) count(msg string, from int) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, e := range w.events[min(from, len(w.events)):] {
		if e.msg == msg {
			n++
		}
	}
	return n
}

// wait returns the first event with msg at index from or later.
func (w *logWatch) wait(t testing.TB, msg string, from int, timeout time.Duration) event {
	t.Helper()
	e, ok := w.waitOK(msg, from, timeout)
	if !ok {
		t.Fatalf("shell did not log %q within %v", msg, timeout)
	}
	return e
}

func (w *logWatch) waitOK(msg string, from int, timeout time.Duration) (event, bool) {
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, func() { w.mu.Lock(); w.cond.Broadcast(); w.mu.Unlock() })
	defer timer.Stop()
	w.mu.Lock()
	defer w.mu.Unlock()
	for {
		for i := from; i < len(w.events); i++ {
			if w.events[i].msg == msg {
				return w.events[i], true
			}
		}
		if time.Now().After(deadline) {
			return event{}, false
		}
		w.cond.Wait()
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func sanitize(name string) string { return strings.NewReplacer("/", "_", " ", "_").Replace(name) }
