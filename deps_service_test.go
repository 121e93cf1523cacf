package main

import (
	"slices"
	"testing"
)

// TestDeps_Service checks the thin root's import rules on the Linux build
// (issue 16): only the root wires the service, the packages the service
// wires never reach back into it, and the file watcher (fsnotify) stays in
// the service's allowlist/watch, out of the browser process, which imports
// package allowlist for its navigation policy.
func TestDeps_Service(t *testing.T) {
	pkgs, err := goList("linux", "webview,kiosktest,e2e", true, "./...")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		if p.ImportPath != mod && slices.Contains(p.Imports, mod+"/service") {
			t.Errorf("%s imports %s/service: only the root (main) may wire the service", p.ImportPath, mod)
		}
		if p.ImportPath != mod && p.ImportPath != mod+"/service" && slices.Contains(p.Deps, mod+"/service") {
			t.Errorf("%s depends on %s/service: the packages it wires must not reach back", p.ImportPath, mod)
		}
		owner := p.ImportPath == mod+"/allowlist/watch"
		if !owner && slices.Contains(p.Imports, "github.com/fsnotify/fsnotify") {
			t.Errorf("%s imports fsnotify: only allowlist/watch watches files", p.ImportPath)
		}
		if (p.ImportPath == mod+"/allowlist" || p.ImportPath == mod+"/cmd/kiosk-browser") &&
			slices.Contains(p.Deps, "github.com/fsnotify/fsnotify") {
			t.Errorf("%s depends on fsnotify: the file watcher belongs to the service only", p.ImportPath)
		}
	}
	if !slices.ContainsFunc(pkgs, func(p listedPackage) bool { return p.ImportPath == mod+"/cmd/kiosk-browser" }) {
		t.Errorf("go list did not list %s/cmd/kiosk-browser: the rule above checked nothing", mod)
	}
}
