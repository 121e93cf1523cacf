package allowlist_test

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/communes/kiosk/allowlist"
)

var update = flag.Bool("update", false, "rewrite the golden files of TestParse")

// TestParse parses every testdata/TestParse/NAME.yaml and compares the
// outcome with NAME.golden: either a summary of the list or every error,
// one per line, as `kiosk allowlist check` prints them.
func TestParse(t *testing.T) {
	files, err := filepath.Glob("testdata/TestParse/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got := parseOutcome(t, data, filepath.Base(file))
			golden := strings.TrimSuffix(file, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("reading golden file (run go test -run TestParse -update): %v", err)
			}
			if got != string(want) {
				t.Errorf("Parse(%s):\n--- got\n%s--- want\n%s", file, got, want)
			}
			if strings.HasPrefix(name, "ok-") != strings.HasPrefix(got, "ok\n") {
				t.Errorf("Parse(%s): files named ok-* must parse, others must fail", file)
			}
		})
	}
}

// parseOutcome describes the result of Parse for a golden file.
func parseOutcome(t *testing.T, data []byte, filename string) string {
	t.Helper()
	l, err := allowlist.Parse(data, filename)
	var b strings.Builder
	if err != nil {
		if l != nil {
			t.Errorf("Parse returned a List and an error")
		}
		var errs allowlist.Errors
		if !errors.As(err, &errs) || len(errs) == 0 {
			t.Fatalf("Parse error %v is not a non-empty Errors", err)
		}
		b.WriteString(err.Error())
		b.WriteByte('\n')
		return b.String()
	}
	b.WriteString("ok\n")
	for _, s := range l.Sites {
		group := s.Group.String()
		if s.SelfService {
			group += " (self_service)"
		}
		fmt.Fprintf(&b, "%s %q category=%q home=%q icon=%q line %d\n", group, s.Name, s.Category, s.Home, s.Icon, s.Line)
		for _, p := range s.Patterns {
			kind := "subdomains"
			if p.Exact {
				kind = "exact"
			}
			fmt.Fprintf(&b, "  %q -> %s %s port %d at %d:%d\n", p.Raw, p.Host, kind, p.Port, p.Line, p.Col)
		}
	}
	return b.String()
}

func TestParse_everyProblemAtOnce(t *testing.T) {
	data := []byte("version: 1\nsites:\n  - name: A\n    hosts: [\"*\", fr, https://a.fr]\n  - name: a\n    hots: [x]\n")
	_, err := allowlist.Parse(data, "f.yaml")
	var errs allowlist.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Parse error = %v, want Errors", err)
	}
	if len(errs) != 5 {
		t.Fatalf("got %d errors, want 5 (3 patterns, duplicate name, unknown key):\n%v", len(errs), err)
	}
	for _, e := range errs {
		if e.File != "f.yaml" || e.Line == 0 || e.Col == 0 {
			t.Errorf("error %q has no position", e)
		}
	}
}

func TestLoad_missingFile(t *testing.T) {
	_, err := allowlist.Load(filepath.Join(t.TempDir(), "none.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) error = %v, want ErrNotExist", err)
	}
}

func TestError_Error(t *testing.T) {
	e := &allowlist.Error{File: "a.yaml", Line: 3, Col: 7, Msg: "bad"}
	if got := e.Error(); got != "a.yaml:3:7: bad" {
		t.Errorf("Error() = %q", got)
	}
	es := allowlist.Errors{e, {File: "a.yaml", Line: 4, Col: 1, Msg: "worse"}}
	if got := es.Error(); got != "a.yaml:3:7: bad\na.yaml:4:1: worse" {
		t.Errorf("Errors.Error() = %q", got)
	}
}
