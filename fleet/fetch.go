package fleet

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/communes/kiosk/usage"
)

// Errors of a terminal's fetch, tested with errors.Is.
var (
	// ErrFingerprint means the terminal's certificate is not the pinned one:
	// its figures are refused.
	ErrFingerprint = errors.New("certificate fingerprint does not match the config file")
	// ErrUnauthorized means the terminal refused the account.
	ErrUnauthorized = errors.New("the terminal refused the account")
)

// DefaultTimeout bounds each terminal's fetch when Client.Timeout is zero.
const DefaultTimeout = 20 * time.Second

// maxParallel bounds the terminals read at once. Each terminal's first
// read runs its argon2id check of the password; more at once gains
// nothing over a network and thrashes a machine that hosts several (tests,
// benchmarks).
const maxParallel = 4

// maxBody bounds a terminal's answer.
const maxBody = 64 << 20

// Result is one terminal's figures, or why there are none.
type Result struct {
	// URL is the terminal's base URL.
	URL string
	// Name is the terminal's name (--terminal-name), or when it could not
	// be read its name in the config file, else its URL's host.
	Name string
	// Report is the terminal's usage report; nil when Err is set.
	Report *usage.Report
	// Operators maps the terminal's site names to France Services operators.
	Operators map[string]string
	// Err says why the terminal could not be read.
	Err error
}

// Client reads terminals. The zero value is ready; it's safe for
// concurrent use.
type Client struct {
	// Timeout bounds each terminal's fetch. If zero, DefaultTimeout.
	Timeout time.Duration
	// DialContext opens the connections. If nil, a net.Dialer's is used.
	// The environment's proxy settings are never used.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Fetch reads the figures of the days from..to ("2006-01-02") of every
// terminal, several at once, and returns one Result per terminal in the
// order of ts.
func (c *Client) Fetch(ctx context.Context, ts []Terminal, from, to string) []Result {
	out := make([]Result, len(ts))
	sem := make(chan struct{}, maxParallel)
	var wg sync.WaitGroup
	for i, t := range ts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i] = c.fetchOne(ctx, t, from, to)
		}()
	}
	wg.Wait()
	return out
}

// statsBody is what /stats.json answers (admin.statsJSON).
type statsBody struct {
	usage.Report
	Terminal      string            `json:"terminal"`
	SiteOperators map[string]string `json:"site_operators"`
}

func (c *Client) fetchOne(ctx context.Context, t Terminal, from, to string) Result {
	res := Result{URL: t.URL, Name: t.Name}
	if res.Name == "" {
		res.Name = hostOf(t.URL)
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	q := url.Values{"from": {from}, "to": {to}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.URL+"/stats.json?"+q.Encode(), nil)
	if err != nil {
		res.Err = fmt.Errorf("building request: %w", err)
		return res
	}
	req.SetBasicAuth(t.User, t.Password)
	tr := c.transport(t.pin)
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, CheckRedirect: noRedirect}).Do(req)
	if err != nil {
		if errors.Is(err, ErrFingerprint) {
			res.Err = ErrFingerprint
		} else {
			res.Err = fmt.Errorf("reading %s: %w", t.URL, err)
		}
		return res
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		res.Err = fmt.Errorf("reading %s: %w", t.URL, err)
		return res
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		res.Err = ErrUnauthorized
		return res
	case resp.StatusCode != http.StatusOK:
		res.Err = fmt.Errorf("%s answered %s: %s", t.URL, resp.Status, strings.TrimSpace(string(body)))
		return res
	}
	var sb statsBody
	if err := json.Unmarshal(body, &sb); err != nil {
		res.Err = fmt.Errorf("decoding %s's figures: %w", t.URL, err)
		return res
	}
	if sb.Terminal != "" {
		res.Name = sb.Terminal
	}
	res.Report, res.Operators = &sb.Report, sb.SiteOperators
	return res
}

// transport accepts exactly the certificate whose SHA-256 is pin.
func (c *Client) transport(pin []byte) *http.Transport {
	dial := c.DialContext
	if dial == nil {
		dial = (&net.Dialer{Timeout: 10 * time.Second}).DialContext
	}
	return &http.Transport{
		Proxy:       nil, // never the environment: the terminals are on the town's network
		DialContext: dial,
		TLSClientConfig: &tls.Config{
			MinVersion:         tls.VersionTLS12,
			InsecureSkipVerify: true, // the pin below replaces the chain check
			VerifyConnection: func(cs tls.ConnectionState) error {
				if len(cs.PeerCertificates) == 0 {
					return ErrFingerprint
				}
				sum := sha256.Sum256(cs.PeerCertificates[0].Raw)
				if !bytes.Equal(sum[:], pin) {
					return ErrFingerprint
				}
				return nil
			},
		},
		TLSHandshakeTimeout: 10 * time.Second,
		ForceAttemptHTTP2:   true,
	}
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func hostOf(u string) string {
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		return p.Host
	}
	return u
}
