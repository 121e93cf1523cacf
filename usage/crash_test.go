package usage_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/usage"
)

// Environment of the crash test's child process (the test binary run again).
const (
	crashPathEnv  = "USAGE_CRASH_CHILD_PATH"
	crashStartEnv = "USAGE_CRASH_CHILD_START"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(crashPathEnv); path != "" {
		os.Exit(crashChild(path))
	}
	os.Exit(m.Run())
}

// crashChild opens the store at path and records sessions numbered from
// $USAGE_CRASH_CHILD_START for ever, with counts and flushes in between, printing
// "ack N" once session N is acknowledged. The parent kills it.
func crashChild(path string) int {
	start, err := strconv.Atoi(os.Getenv(crashStartEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)

		return 2
	}
	s, err := usage.Open(&usage.Config{
		Path:          path,
		Now:           func() time.Time { return day0 },
		Location:      zone,
		FlushInterval: time.Millisecond,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)

		return 2
	}
	for i := start; ; i++ {
		s.Count(usage.SessionStarted)
		s.Blocked(fmt.Sprintf("h%d.example", i%50), "www.caf.fr")
		begin := day0.Add(-time.Duration(i%600) * time.Second)
		err = s.SessionEnded(usage.Session{
			Start: begin, End: day0, Active: time.Minute, Reason: usage.EndReasons[i%5],
			Sites: []string{fmt.Sprintf("n%d", i)}, Lang: "fr",
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)

			return 2
		}
		// An unbuffered write: once the parent reads it, the session was acknowledged.
		if _, err = fmt.Fprintf(os.Stdout, "ack %d\n", i); err != nil {
			return 2
		}
	}
}

// TestStore_CrashKill9 kills a process writing session ends with SIGKILL, three times:
// every session it acknowledged must be in the file, which must open.
func TestStore_CrashKill9(t *testing.T) {
	path := filepath.Join(t.TempDir(), "usage.db")
	acked := map[int]bool{}
	next := 1
	const rounds = 3
	for round := range rounds {
		killAt := 25 + 20*round
		last := crashRound(t, path, next, killAt)
		for i := next; i <= last; i++ {
			acked[i] = true
		}
		// Session last+1 may have been committed without its ack: skip its name.
		next = last + 2
	}

	s := open(t, &usage.Config{Path: path, Now: func() time.Time { return day0 }, Location: zone, FlushInterval: -1})
	got := report(t, s, day0).Totals
	missing := 0
	for i := range acked {
		if got.Sites[fmt.Sprintf("n%d", i)] != 1 {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged sessions missing after kill -9", missing, len(acked))
	}
	if got.Sessions < uint64(len(acked)) || got.Sessions > uint64(len(acked)+rounds) {
		t.Errorf("Sessions = %d, want %d acknowledged (+ at most %d unacknowledged)", got.Sessions, len(acked), rounds)
	}
	t.Logf("%d acknowledged sessions, %d stored, %d blocked requests and %d starts flushed before the kills",
		len(acked), got.Sessions, got.BlockedRequests, got.SessionsStarted)
}

// crashRound runs a child from session first, kills it with SIGKILL after killAt acks
// and returns the last acknowledged session.
func crashRound(t *testing.T, path string, first, killAt int) (last int) {
	t.Helper()

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashPathEnv+"="+path, crashStartEnv+"="+strconv.Itoa(first))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err = cmd.Start(); err != nil {
		t.Fatal(err)
	}

	n := 0
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		i, err := strconv.Atoi(strings.TrimPrefix(sc.Text(), "ack "))
		if err != nil || i != first+n {
			t.Errorf("child said %q, want ack %d", sc.Text(), first+n)
		}
		last = i
		n++
		if n == killAt {
			// Process.Kill sends SIGKILL on Unix: no deferred code, no Close.
			if err = cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
		}
	}
	err = cmd.Wait()
	if n < killAt {
		t.Fatalf("child stopped after %d acks (%v): %s", n, err, stderr.String())
	}
	if cmd.ProcessState.Success() || !strings.Contains(cmd.ProcessState.String(), "killed") {
		t.Fatalf("child ended with %v, want killed", cmd.ProcessState)
	}

	return last
}
