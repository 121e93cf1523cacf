package kiosk

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

func TestAPIClient_ErrorBody(t *testing.T) {
	const locked = `{"error":"too many wrong PINs: the keypad is locked for 30s","code":"locked","retry_after_s":30}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/session/unlock":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(locked + "\n"))
		default:
			http.Error(w, "bad gateway", http.StatusBadGateway)
		}
	}))
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "api.token")
	if err := os.WriteFile(file, []byte("tok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := NewAPIClient(srv.URL, file)

	_, err := c.Post(context.Background(), "/api/session/unlock", map[string]any{"pin": "583920"})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != "locked" || ae.Status != http.StatusTooManyRequests {
		t.Fatalf("post = %v, want a 429 locked APIError", err)
	}
	var got, want map[string]any
	if err := json.Unmarshal(ErrorBody(err), &got); err != nil {
		t.Fatalf("ErrorBody = %q: %v", ErrorBody(err), err)
	}
	_ = json.Unmarshal([]byte(locked), &want)
	if got["code"] != want["code"] || got["retry_after_s"] != want["retry_after_s"] || got["error"] != want["error"] {
		t.Errorf("ErrorBody = %v, want the API's body %v", got, want)
	}

	// Not the API's JSON (a proxy in between, a crash page): a body made
	// like it, with the error's text.
	_, err = c.Post(context.Background(), "/api/override", map[string]any{"pin": "583920", "host": "x.example"})
	if !errors.As(err, &ae) || ae.Body != nil {
		t.Fatalf("post to a non-JSON answer = %v (body %q), want an APIError without body", err, ae.Body)
	}
	got = nil
	if err := json.Unmarshal(ErrorBody(err), &got); err != nil || got["code"] != "unavailable" || got["error"] == nil || got["error"] == "" {
		t.Errorf("ErrorBody of a non-JSON answer = %s, want code unavailable and a message", ErrorBody(err))
	}
}
