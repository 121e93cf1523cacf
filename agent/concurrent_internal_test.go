package agent

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The writers below each have their own Store, so they only share the
// file lock, as separate processes do.
func TestStore_ConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	const n = 12
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(path)
			if err == nil {
				_, err = s.Add(fmt.Sprintf("Agent %02d", i), RoleAgent, fmt.Sprintf("7%02d391", i), "")
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Add: %v", err)
		}
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if as, _ := s.List(); len(as) != n {
		t.Errorf("%d accounts after %d concurrent adds, want %d", len(as), n, n)
	}
}

// helperEnv makes the test binary a writer process (TestStore_TwoProcesses).
const helperEnv = "KIOSK_AGENT_HELPER"

// helperMain adds accounts named PREFIX-i to the file named by the
// environment, then exits.
func helperMain() int {
	spec := strings.SplitN(os.Getenv(helperEnv), "|", 3)
	s, err := Open(spec[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for i := range 8 {
		if _, err := s.Add(fmt.Sprintf("%s-%d", spec[1], i), RoleAgent, fmt.Sprintf("%s%d", spec[2], i+1), ""); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

func TestStore_TwoProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	var cmds []*exec.Cmd
	for _, spec := range []string{"A|80461", "B|29573"} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), helperEnv+"="+path+"|"+spec)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	// This process writes too.
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		mustAdd(t, s, fmt.Sprintf("C-%d", i), RoleAgent, fmt.Sprintf("36184%d", i+1), "")
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("writer process: %v", err)
		}
	}
	if as, _ := s.List(); len(as) != 24 {
		t.Errorf("%d accounts after 3 processes added 8 each, want 24", len(as))
	}
}
