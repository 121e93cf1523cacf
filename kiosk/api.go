package kiosk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// State is the part of the service's state object (docs/api.md) the shell
// acts on. Raw keeps the whole object for the pages.
type State struct {
	Version         int64  `json:"version"`
	State           string `json:"state"`
	Supervised      bool   `json:"supervised"`
	Lang            string `json:"lang"`
	AskSatisfaction bool   `json:"ask_satisfaction"`
	Error           string `json:"error"`
	// Overrides are the hosts an agent opened for the open session.
	Overrides []string `json:"overrides"`

	Raw json.RawMessage `json:"-"`
}

// Session states of the service (docs/api.md).
const (
	StateWelcome    = "welcome"
	StateUnlock     = "unlock"
	StateActive     = "active"
	StateCountdown  = "countdown"
	StateEnding     = "ending"
	StateWiping     = "wiping"
	StateOutOfOrder = "out_of_order"
)

// InSession reports whether s is a state of an open resident session.
func (s *State) InSession() bool {
	switch s.State {
	case StateActive, StateCountdown, StateEnding:
		return true
	}
	return false
}

// RemoteConfig is the part of GET /api/config the shell uses.
type RemoteConfig struct {
	PortalURL     string   `json:"portal_url"`
	Languages     []string `json:"languages"`
	AllowlistYAML string   `json:"allowlist_yaml"`
	AllowlistFile string   `json:"allowlist_file"`
	AllowlistSum  string   `json:"allowlist_sha256"`
}

// APIError is an error answer of the local API.
type APIError struct {
	Status  int
	Code    string `json:"code"`
	Message string `json:"error"`
	// Body is the answer's JSON body as received (for the keypad, which
	// reads code and retry_after_s); nil when it was not JSON.
	Body json.RawMessage `json:"-"`
}

// Error returns the API's message.
func (e *APIError) Error() string {
	return fmt.Sprintf("local API: %d %s: %s", e.Status, e.Code, e.Message)
}

// APIClient talks to the service's local API with the bearer token. It's
// safe for concurrent use.
type APIClient struct {
	base      string
	tokenFile string
	hc        *http.Client

	mu    sync.Mutex
	token string
}

// NewAPIClient returns a client of the local API at base (such as
// "http://127.0.0.1:8080") that reads its bearer token from tokenFile.
func NewAPIClient(base, tokenFile string) *APIClient {
	return &APIClient{
		base:      strings.TrimRight(base, "/"),
		tokenFile: tokenFile,
		// Never through a proxy: the API is on loopback.
		hc: &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 4}},
	}
}

func (c *APIClient) readToken(force bool) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && !force {
		return c.token, nil
	}
	b, err := os.ReadFile(c.tokenFile)
	if err != nil {
		return "", fmt.Errorf("reading API token: %w", err)
	}
	c.token = strings.TrimSpace(string(b))
	return c.token, nil
}

// do sends one request and decodes a JSON answer into out (if not nil). On
// 401 it re-reads the token file once: the service restarted.
func (c *APIClient) do(ctx context.Context, method, path string, body any, out any) error {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return fmt.Errorf("encoding request: %w", err)
		}
	}
	for attempt := 0; ; attempt++ {
		tok, err := c.readToken(attempt > 0)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(raw))
		if err != nil {
			return fmt.Errorf("building request: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			return fmt.Errorf("calling %s %s: %w", method, path, err)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("reading %s %s: %w", method, path, err)
		}
		if resp.StatusCode == http.StatusUnauthorized && attempt == 0 {
			continue
		}
		if resp.StatusCode != http.StatusOK {
			e := &APIError{Status: resp.StatusCode}
			if json.Unmarshal(data, e) == nil && bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
				e.Body = json.RawMessage(data)
			}
			return e
		}
		if out == nil {
			return nil
		}
		if st, ok := out.(*State); ok {
			st.Raw = json.RawMessage(data)
		}
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("decoding %s %s: %w", method, path, err)
		}
		return nil
	}
}

// State returns the state, waiting up to wait for a version other than since
// when since >= 0.
func (c *APIClient) State(ctx context.Context, since int64, wait time.Duration) (*State, error) {
	path := "/api/state"
	if since >= 0 {
		q := url.Values{"since": {strconv.FormatInt(since, 10)}, "wait": {strconv.Itoa(int(wait / time.Second))}}
		path += "?" + q.Encode()
	}
	st := &State{}
	return st, c.do(ctx, http.MethodGet, path, nil, st)
}

// Config returns the session settings and the allowlist.
func (c *APIClient) Config(ctx context.Context) (*RemoteConfig, error) {
	rc := &RemoteConfig{}
	return rc, c.do(ctx, http.MethodGet, "/api/config", nil, rc)
}

// Post sends an action and returns the state it answers with.
func (c *APIClient) Post(ctx context.Context, path string, body any) (*State, error) {
	st := &State{}
	if body == nil {
		body = struct{}{}
	}
	return st, c.do(ctx, http.MethodPost, path, body, st)
}

// wiped reports the result of a wipe. A 409 wrong_state (nothing to wipe
// for the service) is not an error.
func (c *APIClient) wiped(ctx context.Context, wipeErr error) error {
	body := map[string]any{"ok": wipeErr == nil}
	if wipeErr != nil {
		body["error"] = wipeErr.Error()
	}
	_, err := c.Post(ctx, "/api/session/wiped", body)
	return ignoreWrongState(err)
}

// ErrorBody is the API's JSON error body of err, or one made like it (the
// service unreachable).
func ErrorBody(err error) []byte {
	var ae *APIError
	if errors.As(err, &ae) && len(ae.Body) > 0 {
		return ae.Body
	}
	out, _ := json.Marshal(map[string]string{"error": err.Error(), "code": "unavailable"})
	return out
}

func ignoreWrongState(err error) error {
	var ae *APIError
	if errors.As(err, &ae) && ae.Code == "wrong_state" {
		return nil
	}
	return err
}
