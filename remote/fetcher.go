package remote

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path"
	"sync"
	"time"
)

// Limits on what is downloaded.
const (
	maxListSize      = 4 << 20
	maxSignatureSize = 16 << 10

	// DefaultInterval is the time between two fetches when Config.Interval is 0.
	DefaultInterval = 5 * time.Minute
)

// Errors of a validly signed file that is still refused. Each one means the
// list in force (or the kept copy) stays.
var (
	// ErrRollback means a validly signed file is older than the one in
	// force or kept on disk.
	ErrRollback = errors.New("signed file is older than the one in force")

	// ErrSameTimestamp means a signed file has the timestamp of the one in
	// force but other content: one timestamp names one file.
	ErrSameTimestamp = errors.New("signed file has the timestamp of the one in force but other content")

	// ErrNoTimestamp means the trusted comment has no "timestamp:" field,
	// without which an old file could be replayed.
	ErrNoTimestamp = errors.New(`trusted comment has no "timestamp:" field`)

	// ErrWrongFile means the signature was made for another file name (the
	// "file:" field of its trusted comment), such as another town's list
	// signed with the same key.
	ErrWrongFile = errors.New("signature made for another file")
)

// Config configures a Fetcher.
type Config struct {
	// Logger receives one line per change or failure. If nil, nothing is logged.
	Logger *slog.Logger

	// URL is the https:// address of the allowlist. It must not be empty.
	URL string

	// FileName is the file name the signature must name in the "file:"
	// field of its trusted comment (as minisign and kiosk allowlist sign
	// write it). If empty, the last element of URL's path is used.
	FileName string

	// SignatureURL is the address of the detached signature. If empty,
	// URL + ".minisig" is used (minisign's naming).
	SignatureURL string

	// PublicKey is the trusted minisign public key: its base64 line, the
	// content of a minisign .pub file, or the path of such a file. It must
	// not be empty.
	PublicKey string

	// Dir is the directory where the last good copy is kept
	// (remote-allowlist.yaml and remote-allowlist.yaml.minisig). It must
	// exist and be writable by the service.
	Dir string

	// Interval is the time between fetches. If 0, DefaultInterval is used.
	Interval time.Duration

	// Proxy is the upstream proxy to fetch through. If nil, the fetch is
	// direct. The environment (HTTPS_PROXY…) is never read.
	Proxy *url.URL

	// RootCAs verifies the server's certificate. If nil, the system roots are used.
	RootCAs *x509.CertPool

	// Apply receives the verified YAML bytes. It must not be nil. It is called
	// from Run's goroutine only, never concurrently. If it returns an error
	// the bytes are not kept and the list in force stays.
	Apply func(data []byte) error

	// Now returns the current time. If nil, time.Now is used.
	Now func() time.Time
}

// Status is what a Fetcher reports about the remote allowlist.
type Status struct {
	// URL is the configured address.
	URL string
	// KeyID is the trusted key's number.
	KeyID string
	// LastCheck is the time of the last attempt; zero before the first.
	LastCheck time.Time
	// LastSuccess is the time of the last verified download.
	LastSuccess time.Time
	// LastChange is when the list in force was last applied.
	LastChange time.Time
	// TrustedComment is the signed comment of the list in force.
	TrustedComment string
	// SHA256 is the hex SHA-256 of the list in force; empty when none.
	SHA256 string
	// Err is the last attempt's error; empty when it succeeded.
	Err string
}

// Fetcher keeps a remote, signed allowlist up to date. Its methods are safe
// for concurrent use.
type Fetcher struct {
	conf   Config
	logger *slog.Logger
	key    PublicKey
	client *http.Client
	store  store

	// check serialises Check; the fields below are read and written under it.
	check   sync.Mutex
	current []byte // the list in force; nil when none
	// newest and newestT are the newest verified file, in force or kept on
	// disk, and its trusted timestamp: nothing older is accepted, nor
	// other bytes with the same timestamp. newest is nil when none.
	newest     []byte
	newestT    int64
	keptLoaded bool // the kept copy's timestamp was read

	mu     sync.Mutex
	status Status
}

// New checks c and returns a Fetcher. It does no I/O.
func New(c *Config) (*Fetcher, error) {
	u, err := url.Parse(c.URL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("allowlist URL %q: want an https:// URL", c.URL)
	}
	if c.SignatureURL == "" {
		c.SignatureURL = c.URL + ".minisig"
	} else if s, err := url.Parse(c.SignatureURL); err != nil || s.Scheme != "https" || s.Host == "" {
		return nil, fmt.Errorf("signature URL %q: want an https:// URL", c.SignatureURL)
	}
	key, err := ParsePublicKey(c.PublicKey)
	if err != nil && c.PublicKey != "" {
		if data, ferr := os.ReadFile(c.PublicKey); ferr == nil {
			key, err = ParsePublicKey(string(data))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("allowlist public key: %w", err)
	}
	if c.Apply == nil {
		return nil, errors.New("remote: Apply must not be nil")
	}
	if c.Dir == "" {
		return nil, errors.New("remote: Dir must not be empty")
	}
	f := &Fetcher{conf: *c, key: key, store: store{dir: c.Dir}}
	if f.conf.FileName == "" {
		f.conf.FileName = path.Base(u.Path)
		if f.conf.FileName == "/" || f.conf.FileName == "." {
			return nil, fmt.Errorf("allowlist URL %q names no file: give the file name its signature names", c.URL)
		}
	}
	if f.conf.Interval <= 0 {
		f.conf.Interval = DefaultInterval
	}
	if f.conf.Now == nil {
		f.conf.Now = time.Now
	}
	f.logger = c.Logger
	if f.logger == nil {
		f.logger = slog.New(slog.DiscardHandler)
	}
	f.logger = f.logger.With("component", "remote")
	f.client = newClient(c.Proxy, c.RootCAs)
	f.status = Status{URL: c.URL, KeyID: key.ID.String()}
	return f, nil
}

func newClient(proxy *url.URL, roots *x509.CertPool) *http.Client {
	tr := &http.Transport{
		Proxy:                 nil, // never the environment
		TLSClientConfig:       &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	if proxy != nil {
		tr.Proxy = http.ProxyURL(proxy)
	}
	return &http.Client{
		Transport: tr,
		Timeout:   time.Minute,
		CheckRedirect: func(r *http.Request, via []*http.Request) error {
			if r.URL.Scheme != "https" || len(via) > 5 {
				return errors.New("refusing redirect: not https or too many")
			}
			return nil
		},
	}
}

// Run applies the last good copy from disk (after verifying it again), then
// fetches at once and every Interval until ctx is done. It returns nil when
// ctx is done; failed fetches are reported in Status and the log, never
// returned.
func (f *Fetcher) Run(ctx context.Context) error {
	f.loadLastGood()
	t := time.NewTicker(f.conf.Interval)
	defer t.Stop()
	for {
		if err := f.Check(ctx); err != nil && ctx.Err() == nil {
			f.logger.Warn("remote allowlist not updated; the list in force stays", "url", f.conf.URL, "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// loadKept reads the kept copy's signature, once, so that from the first
// fetch on nothing older than it is accepted, even if the copy itself
// cannot be applied. It must be called with f.check held.
func (f *Fetcher) loadKept() {
	if f.keptLoaded {
		return
	}
	f.keptLoaded = true
	data, sigData, err := f.store.load()
	if err != nil {
		return // no copy, or loadLastGood reports it
	}
	sig, ts, err := f.verify(data, sigData)
	if err != nil {
		return // loadLastGood reports it
	}
	f.newest, f.newestT = bytes.Clone(data), ts
	f.logger.Debug("kept remote allowlist", "timestamp", ts, "trusted_comment", sig.TrustedComment)
}

// loadLastGood applies the kept copy if it still verifies.
func (f *Fetcher) loadLastGood() {
	f.check.Lock()
	defer f.check.Unlock()
	f.loadKept()
	data, sigData, err := f.store.load()
	if errors.Is(err, errNoCopy) {
		return
	}
	if err == nil {
		err = f.use(data, sigData)
	}
	if err != nil {
		f.logger.Error("kept remote allowlist refused", "dir", f.conf.Dir, "err", err)
		f.setErr(fmt.Errorf("kept copy: %w", err))
		return
	}
	// The kept copy is what the last verified download saved: its time is
	// the last success until the next one, so that a restart while the URL
	// is down does not make the list look never fetched (/metrics).
	if at := f.store.savedAt(); !at.IsZero() {
		f.mu.Lock()
		f.status.LastSuccess = at
		f.mu.Unlock()
	}
	f.logger.Info("remote allowlist: kept copy applied", "sha256", f.Status().SHA256)
}

// Check makes one attempt: download, verify, apply and keep. It returns why
// the list in force did not change, or nil when it is up to date.
func (f *Fetcher) Check(ctx context.Context) error {
	f.check.Lock()
	defer f.check.Unlock()
	f.loadKept()
	f.mu.Lock()
	f.status.LastCheck = f.conf.Now()
	f.mu.Unlock()
	data, err := f.get(ctx, f.conf.URL, maxListSize)
	if err != nil {
		return f.setErr(err)
	}
	sigData, err := f.get(ctx, f.conf.SignatureURL, maxSignatureSize)
	if err != nil {
		return f.setErr(err)
	}
	if err := f.use(data, sigData); err != nil {
		return f.setErr(err)
	}
	if err := f.store.save(data, sigData); err != nil {
		return f.setErr(err)
	}
	f.mu.Lock()
	f.status.LastSuccess, f.status.Err = f.conf.Now(), ""
	f.mu.Unlock()
	return nil
}

// verify checks sigData against data: the key's signature, the file name
// and the presence of a timestamp, which it returns.
func (f *Fetcher) verify(data, sigData []byte) (Signature, int64, error) {
	sig, err := ParseSignature(sigData)
	if err != nil {
		return sig, 0, err
	}
	if err := f.key.Verify(data, sig); err != nil {
		return sig, 0, fmt.Errorf("verifying allowlist: %w", err)
	}
	name, ok := sig.FileName()
	if !ok {
		return sig, 0, fmt.Errorf("%w: no \"file:\" field in the trusted comment, want file:%s", ErrWrongFile, f.conf.FileName)
	}
	if path.Base(name) != f.conf.FileName {
		return sig, 0, fmt.Errorf("%w: file:%s, want file:%s", ErrWrongFile, name, f.conf.FileName)
	}
	ts, ok := sig.Timestamp()
	if !ok {
		return sig, 0, ErrNoTimestamp
	}
	return sig, ts, nil
}

// use verifies data against sigData and applies it when it differs from the
// list in force. It must be called with f.check held.
func (f *Fetcher) use(data, sigData []byte) error {
	sig, ts, err := f.verify(data, sigData)
	if err != nil {
		return err
	}
	if f.newest != nil {
		switch {
		case ts < f.newestT:
			return fmt.Errorf("%w (timestamp %d < %d)", ErrRollback, ts, f.newestT)
		case ts == f.newestT && !bytes.Equal(data, f.newest):
			return fmt.Errorf("%w (timestamp %d)", ErrSameTimestamp, ts)
		}
	}
	if bytes.Equal(data, f.current) {
		f.newest, f.newestT = f.current, ts // the same list, signed again later
		return nil
	}
	if err := f.conf.Apply(data); err != nil {
		return fmt.Errorf("applying verified allowlist: %w", err)
	}
	f.current = bytes.Clone(data)
	f.newest, f.newestT = f.current, ts
	sum := sha256.Sum256(data)
	hexSum := hex.EncodeToString(sum[:])
	f.mu.Lock()
	f.status.LastChange = f.conf.Now()
	f.status.TrustedComment = sig.TrustedComment
	f.status.SHA256 = hexSum
	f.mu.Unlock()
	f.logger.Info("remote allowlist applied", "sha256", hexSum, "trusted_comment", sig.TrustedComment)
	return nil
}

func (f *Fetcher) get(ctx context.Context, u string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", u, err)
	}
	req.Header.Set("Cache-Control", "no-cache")
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching %s: %s", u, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", u, err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("fetching %s: larger than %d bytes", u, limit)
	}
	return body, nil
}

func (f *Fetcher) setErr(err error) error {
	f.mu.Lock()
	f.status.Err = err.Error()
	f.mu.Unlock()
	return err
}

// Status returns a copy of the current status.
func (f *Fetcher) Status() Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status
}
