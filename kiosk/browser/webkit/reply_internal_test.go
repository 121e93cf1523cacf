//go:build webview && linux

package webkit

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// webview_eval and webview_return evaluate through a library handle that
// webview finds only when libwebkit2gtk-4.0-dev's symlink exists: on an
// installed kiosk they did nothing, no binding's promise ever settled, and
// "Commencer" left the resident on the welcome screen (seen on the virtual
// PC, packaging/test/vm). The glue must not call them.
func TestGlue_NoWebviewEval(t *testing.T) {
	call := regexp.MustCompile(`\bC\.webview_(eval|return)\b|[^/ ]\s*webview_(eval|return)\s*\(`)
	files, err := filepath.Glob("*")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if !strings.HasSuffix(f, ".go") && !strings.HasSuffix(f, ".c") || strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for i, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			if call.MatchString(line) {
				t.Errorf("%s:%d calls webview's eval: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
	if checked < 3 {
		t.Fatalf("only %d source files checked", checked)
	}
}

func TestReplyJS(t *testing.T) {
	js := replyJS("7", true, `{"state":"active","x":"</script>\u2028"}`)
	for _, want := range []string{`seq="7"`, `JSON.parse("{\"state\":\"active\"`, `if(true)`} {
		if !strings.Contains(js, want) {
			t.Errorf("replyJS = %s\nwant it to contain %s", js, want)
		}
	}
	if strings.ContainsRune(js, '\u2028') {
		t.Errorf("replyJS keeps a raw U+2028 (a line terminator inside a JS string literal): %q", js)
	}
	if js := replyJS("8", false, `"refused"`); !strings.Contains(js, "if(false)") {
		t.Errorf("a refusal: %s", js)
	}
}
