package proxy

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/communes/kiosk/allowlist"
)

// TestNew_GoproxyDefaults checks that every goproxy default design.md §3
// rule 9 names is replaced.
func TestNew_GoproxyDefaults(t *testing.T) {
	var logs bytes.Buffer
	l := testList(t)
	p, err := New(&Config{
		Logger:    slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Allowlist: func() *allowlist.List { return l },
	})
	if err != nil {
		t.Fatal(err)
	}
	gp, tr := p.gp, p.tr
	switch {
	case gp.Tr != tr:
		t.Error("goproxy does not use the proxy's transport")
	case tr.Proxy != nil:
		t.Error("transport Proxy is set without an upstream (environment proxies must be ignored)")
	case tr.TLSClientConfig != nil && tr.TLSClientConfig.InsecureSkipVerify:
		t.Error("transport skips TLS verification")
	case tr.MaxIdleConnsPerHost < 256:
		t.Errorf("MaxIdleConnsPerHost = %d, want >= 256", tr.MaxIdleConnsPerHost)
	case !tr.DisableCompression:
		t.Error("transport compression is on")
	case tr.ForceAttemptHTTP2:
		t.Error("transport attempts HTTP/2")
	case !gp.KeepAcceptEncoding:
		t.Error("KeepAcceptEncoding is false")
	case gp.Verbose:
		t.Error("goproxy Verbose is on")
	case gp.AllowHTTP2:
		t.Error("goproxy AllowHTTP2 is on")
	case gp.ConnectDial != nil:
		t.Error("goproxy ConnectDial is set (environment HTTPS_PROXY?)")
	case gp.ConnectDialWithReq == nil:
		t.Error("CONNECT does not use the checked dialer")
	case gp.KeepHeader:
		t.Error("goproxy forwards Proxy-Authorization")
	}

	// goproxy's own log lines go to slog at Debug.
	gp.Logger.Printf("goproxy says %s", "hello")
	if !strings.Contains(logs.String(), "level=DEBUG") || !strings.Contains(logs.String(), "goproxy says hello") {
		t.Errorf("goproxy log = %q, want a Debug record", logs.String())
	}

	// The non-proxy handler answers 400, not 500.
	w := httptest.NewRecorder()
	gp.NonproxyHandler.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Code != http.StatusBadRequest {
		t.Errorf("NonproxyHandler = %d, want 400", w.Code)
	}

	// With an upstream, the transport uses it, and only it.
	u, _ := url.Parse("http://proxy.mairie.example:8080")
	p2, err := New(&Config{Allowlist: func() *allowlist.List { return l }, Upstream: u})
	if err != nil {
		t.Fatal(err)
	}
	pu, err := p2.tr.Proxy(httptest.NewRequest(http.MethodGet, "http://www.caf.fr/", nil))
	if err != nil || pu.String() != u.String() {
		t.Errorf("transport proxy = %v, %v; want %s", pu, err, u)
	}
	if _, err := p2.tr.DialContext(t.Context(), "tcp", "www.caf.fr:80"); err == nil {
		t.Error("with an upstream, the transport dialled a target directly")
	}
}
