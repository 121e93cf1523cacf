package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The import rules of the layout (style.md §1, issue 16), checked on what
// `go list` says for each build the project makes, the way tailscale's
// cmd/tailscaled/deps_test.go does.

const mod = "github.com/communes/kiosk"

// owned are the imports only one part of the tree may make: the prefix of
// the import path (the module and its subpackages), and the packages that
// may import it directly.
var owned = []struct {
	prefix string
	owners []string
	why    string
}{
	{"C", []string{mod + "/kiosk/browser/webkit", mod + "/kiosk/browser/webview2"},
		"only the browser's glue uses cgo; everything else builds with CGO_ENABLED=0"},
	{"github.com/webview/webview_go", []string{mod + "/kiosk/browser/webkit", mod + "/kiosk/browser/webview2"},
		"webview_go (and its pkg-config) stays in the browser's glue"},
	{"go.etcd.io/bbolt", []string{mod + "/usage"}, "the usage store is the only bbolt user (bbolt locks its file)"},
	{"github.com/elazarl/goproxy", []string{mod + "/proxy"}, "the proxy is the only goproxy user"},
}

// forbidden are the packages a package (or a tree of them, with "/...")
// may not depend on, directly or not.
var forbidden = []struct {
	pkg  string
	deps []string
	why  string
}{
	{mod + "/proxy", []string{mod + "/usage", mod + "/admin"}, "the proxy declares the small interfaces it needs"},
	{mod + "/usage", []string{mod + "/proxy"}, "the store knows nothing of the proxy"},
	{mod + "/kiosk/...", []string{mod + "/usage", mod + "/admin", mod + "/session"},
		"the shell reaches the service over its local API only"},
	{mod + "/cmd/kiosk-browser", []string{mod + "/usage", mod + "/admin", mod + "/session", mod + "/proxy"},
		"the browser process reaches the service over its local API only"},
	{mod + "/session", []string{mod + "/kiosk/..."}, "the service's session controller knows nothing of the shell"},
	// The supervisor (`kiosk shell`, in the kiosk binary) never maps GTK
	// or WebKit: only kiosk-browser does.
	{mod, []string{mod + "/kiosk/browser/...", "github.com/webview/webview_go"},
		"the kiosk binary is pure Go: the browser is the separate kiosk-browser"},
}

// builds are the configurations the project builds and tests.
var builds = []struct {
	goos, tags string
	cgo        bool
}{
	{"linux", "", false},
	{"linux", "webview,kiosktest,e2e", true},
	{"windows", "", false},
	{"windows", "webview", true},
}

// listedPackage is what `go list -json` says of a package.
type listedPackage struct {
	ImportPath string
	Imports    []string
	Deps       []string
	Incomplete bool
	Error      *struct{ Err string }
}

func TestDeps(t *testing.T) {
	for _, b := range builds {
		name := fmt.Sprintf("GOOS=%s CGO_ENABLED=%v tags=%q", b.goos, b.cgo, b.tags)
		t.Run(name, func(t *testing.T) {
			pkgs, err := goList(b.goos, b.tags, b.cgo, "./...")
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range checkDeps(pkgs) {
				t.Error(v)
			}
		})
	}
}

// TestDeps_KioskIsPureGo: the kiosk binary (service, commands, the shell's
// supervisor) builds without cgo.
func TestDeps_KioskIsPureGo(t *testing.T) {
	for _, goos := range []string{"linux", "windows"} {
		out := filepath.Join(t.TempDir(), "kiosk")
		cmd := exec.Command("go", "build", "-o", out, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("GOOS=%s CGO_ENABLED=0 go build .: %v\n%s", goos, err, msg)
		}
	}
}

// TestDeps_RulesCatchViolations proves that each rule can fail: every
// violation written into a made-up tree is reported.
func TestDeps_RulesCatchViolations(t *testing.T) {
	pkgs := []listedPackage{
		{ImportPath: mod, Deps: []string{mod + "/kiosk", mod + "/kiosk/browser"}},
		{ImportPath: mod + "/kiosk", Imports: []string{"C", "go.etcd.io/bbolt/errors"}, Deps: []string{mod + "/session"}},
		{ImportPath: mod + "/kiosk/browser", Imports: []string{"github.com/webview/webview_go"}, Deps: []string{mod + "/admin"}},
		{ImportPath: mod + "/kiosk/browser/webkit", Imports: []string{"C", "github.com/webview/webview_go"}},
		{ImportPath: mod + "/proxy", Imports: []string{"github.com/elazarl/goproxy"}, Deps: []string{mod + "/usage"}},
		{ImportPath: mod + "/admin", Imports: []string{"github.com/elazarl/goproxy/ext"}},
		{ImportPath: mod + "/usage", Imports: []string{"go.etcd.io/bbolt"}, Deps: []string{mod + "/proxy"}},
		{ImportPath: mod + "/session", Deps: []string{mod + "/kiosk/browser"}},
	}
	got := strings.Join(checkDeps(pkgs), "\n")
	for _, want := range []string{
		mod + "/kiosk imports C",
		mod + "/kiosk imports go.etcd.io/bbolt/errors",
		mod + "/kiosk/browser imports github.com/webview/webview_go",
		mod + "/admin imports github.com/elazarl/goproxy/ext",
		mod + "/proxy depends on " + mod + "/usage",
		mod + "/usage depends on " + mod + "/proxy",
		mod + "/kiosk depends on " + mod + "/session",
		mod + "/kiosk/browser depends on " + mod + "/admin",
		mod + "/session depends on " + mod + "/kiosk/browser",
		mod + " depends on " + mod + "/kiosk/browser",
	} {
		if !strings.Contains(got, want+" ") && !strings.Contains(got, want+":") {
			t.Errorf("the rules missed %q; they reported:\n%s", want, got)
		}
	}
	for _, allowed := range []string{mod + "/kiosk/browser/webkit imports", mod + "/proxy imports", mod + "/usage imports"} {
		if strings.Contains(got, allowed) {
			t.Errorf("the rules refused an owner's import (%s...):\n%s", allowed, got)
		}
	}
}

// checkDeps returns the rule violations of pkgs.
func checkDeps(pkgs []listedPackage) []string {
	var bad []string
	for _, p := range pkgs {
		// A package whose files all need another build (cmd/kiosk-browser
		// without the webview tag) is not part of this one.
		if p.Error != nil && !strings.Contains(p.Error.Err, "build constraints exclude all Go files") {
			bad = append(bad, fmt.Sprintf("%s: %s", p.ImportPath, p.Error.Err))
		}
		for _, imp := range p.Imports {
			for _, o := range owned {
				if under(imp, o.prefix) && !slices.Contains(o.owners, p.ImportPath) {
					bad = append(bad, fmt.Sprintf("%s imports %s: only %s may (%s)", p.ImportPath, imp, strings.Join(o.owners, ", "), o.why))
				}
			}
		}
		for _, f := range forbidden {
			if !matches(p.ImportPath, f.pkg) {
				continue
			}
			for _, d := range p.Deps {
				for _, no := range f.deps {
					if matches(d, no) {
						bad = append(bad, fmt.Sprintf("%s depends on %s (%s)", p.ImportPath, d, f.why))
					}
				}
			}
		}
	}
	return bad
}

// under reports whether path is prefix or one of its subpackages.
func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// matches reports whether path matches pattern, a package or, ending in
// "/...", a tree of them.
func matches(path, pattern string) bool {
	if tree, ok := strings.CutSuffix(pattern, "/..."); ok {
		return under(path, tree)
	}
	return path == pattern
}

// goList lists patterns for one build configuration.
func goList(goos, tags string, cgo bool, patterns ...string) ([]listedPackage, error) {
	args := []string{"list", "-e", "-json=ImportPath,Imports,Deps,Incomplete,Error"}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	cmd := exec.Command("go", append(args, patterns...)...)
	cgoEnv := "CGO_ENABLED=0"
	if cgo {
		cgoEnv = "CGO_ENABLED=1"
	}
	cmd.Env = append(os.Environ(), "GOOS="+goos, cgoEnv)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("decoding go list: %w", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		return nil, errors.New("go list found no package")
	}
	return pkgs, nil
}
