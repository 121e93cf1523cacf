package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps checks the import rules of the layout: only the shell package uses
// webview_go (and so cgo), and only the usage store imports bbolt.
func TestDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-tags", "webview", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	owners := map[string]string{
		"github.com/webview/webview_go": "github.com/communes/kiosk/kiosk",
		"go.etcd.io/bbolt":              "github.com/communes/kiosk/usage",
		"github.com/elazarl/goproxy":    "github.com/communes/kiosk/proxy",
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		pkg, imports := f[0], f[1:]
		for _, imp := range imports {
			if owner, ok := owners[imp]; ok && owner != pkg {
				t.Errorf("%s imports %s; only %s may", pkg, imp, owner)
			}
		}
	}
}
