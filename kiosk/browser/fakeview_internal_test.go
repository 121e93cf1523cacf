package browser

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// fakeView is a View without a toolkit: Dispatch runs f at once (the test
// is the main loop), and it records what the browser asked of it.
type fakeView struct {
	mu        sync.Mutex
	replies   map[string]reply
	navigated []string
	html      []string
	toolbarJS []string
	quit      bool
	back      bool // what GoBack answers
}

type reply struct {
	ok     bool
	result string
}

func newFakeView() *fakeView { return &fakeView{replies: map[string]reply{}} }

func (v *fakeView) Dispatch(f func()) { f() }
func (v *fakeView) Navigate(uri string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.navigated = append(v.navigated, uri)
}
func (v *fakeView) LoadHTML(html string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.html = append(v.html, html)
}
func (v *fakeView) Toolbar(string) {}
func (v *fakeView) ToolbarEval(js string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.toolbarJS = append(v.toolbarJS, js)
}
func (v *fakeView) Eval(string)     {}
func (v *fakeView) GoBack() bool    { return v.back }
func (v *fakeView) ClearClipboard() {}
func (v *fakeView) Quit()           { v.mu.Lock(); v.quit = true; v.mu.Unlock() }
func (v *fakeView) Reply(id string, ok bool, result string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.replies[id] = reply{ok, result}
}

// replyOf returns the answer to the call id, if there is one yet.
func (v *fakeView) replyOf(id string) (reply, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	r, ok := v.replies[id]
	return r, ok
}

func (v *fakeView) lastNavigation() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.navigated) == 0 {
		return ""
	}
	return v.navigated[len(v.navigated)-1]
}

// fakeAPI is the service's local API as far as these tests need it: every
// POST answers the state "active" and is recorded.
type fakeAPI struct {
	mu    sync.Mutex
	posts []string
}

func (a *fakeAPI) paths() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.posts...)
}

// testBrowser returns a browser with v as its view, talking to a fake API,
// with testNavigator's allowlist.
func testBrowser(t *testing.T, v View) (*Browser, *fakeAPI) {
	t.Helper()
	api := &fakeAPI{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		api.mu.Lock()
		api.posts = append(api.posts, r.Method+" "+r.URL.Path)
		api.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"version": 1, "state": "active"})
	}))
	t.Cleanup(srv.Close)
	token := filepath.Join(t.TempDir(), "api.token")
	if err := os.WriteFile(token, []byte("tok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := newBrowser(&Config{
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		AdminURL: srv.URL, TokenFile: token, ProxyAddr: "127.0.0.1:1",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.cancel)
	b.v = v
	n := testNavigator(t)
	b.nav.list.Store(n.list.Load())
	b.nav.lang.Store(n.lang.Load())
	return b, api
}
