package proxy

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync/atomic"
	"time"
)

// DefaultBodyIdleTimeout is the body idle timeout when
// Config.BodyIdleTimeout is zero.
const DefaultBodyIdleTimeout = 30 * time.Second

// errBodyIdle is the error a request body returns when the client sent
// nothing for the body idle timeout.
var errBodyIdle = errors.New("request body idle for too long")

// idleBody is a request body whose every Read must make progress within
// timeout: before each Read the client connection's read deadline is set
// to now+timeout, so a long upload that keeps sending is never cut, while
// a client that stops sending mid-body is (the deadline is cleared at the
// body's end, so the server's read that watches for the client going away
// is not cut). Only request bodies are covered: CONNECT tunnels and
// WebSockets (hijacked connections) keep no deadline.
type idleBody struct {
	io.ReadCloser
	rc      *http.ResponseController
	timeout time.Duration
	p       *Proxy
	// timedOut is set when the deadline cut the body; the answer then
	// closes the connection (filterResponse), since the rest of the body
	// must not be read as another request.
	timedOut atomic.Bool
}

// Read reads from the body, with the idle deadline.
func (b *idleBody) Read(buf []byte) (int, error) {
	_ = b.rc.SetReadDeadline(time.Now().Add(b.timeout))
	n, err := b.ReadCloser.Read(buf)
	if err == nil {
		return n, nil
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		b.timedOut.Store(true)
		b.p.metrics.bodyTimeouts.Inc()
		b.p.logBodyCut(b.timeout)
		return n, fmt.Errorf("reading request body: %w (%v)", errBodyIdle, b.timeout)
	}
	_ = b.rc.SetReadDeadline(time.Time{})
	return n, err
}

// logBodyCut logs a body cut by the idle timeout: at Warn at most once per
// capLogEvery (a flood of stalled bodies must not flood the log; the
// metric counts them all), at Debug otherwise.
func (p *Proxy) logBodyCut(timeout time.Duration) {
	now := time.Now().UnixNano()
	last := p.bodyLog.Load()
	if now-last >= int64(capLogEvery) && p.bodyLog.CompareAndSwap(last, now) {
		p.log.Warn("request body cut: the client sent nothing (further cuts this minute are logged at debug level)",
			"timeout", timeout, "flag", "--proxy-body-timeout")
		return
	}
	p.log.Debug("request body cut: the client sent nothing", "timeout", timeout)
}

// withBodyIdle returns r with its body (when it has one) under the idle
// timeout; w must be the server's ResponseWriter for r. The first deadline
// is set at once, so that a body nobody reads (a refused request, which
// the server drains) is bounded too.
//
// The wrapped body goes on a shallow copy of r: the server keeps seeing
// its own body type in the original request, which decides whether the
// connection may be reused after the answer (a body left unread, an
// unanswered "Expect: 100-continue").
func (p *Proxy) withBodyIdle(w http.ResponseWriter, r *http.Request) *http.Request {
	if p.bodyIdle <= 0 || r.Body == nil || r.Body == http.NoBody {
		return r
	}
	rc := http.NewResponseController(w)
	if err := rc.SetReadDeadline(time.Now().Add(p.bodyIdle)); err != nil {
		return r // not a server connection (a test recorder)
	}
	r2 := r.WithContext(r.Context())
	r2.Body = &idleBody{ReadCloser: r.Body, rc: rc, timeout: p.bodyIdle, p: p}
	return r2
}

// bodyTimedOut reports whether r's body was cut by the idle timeout.
func bodyTimedOut(r *http.Request) bool {
	b, ok := r.Body.(*idleBody)
	return ok && b.timedOut.Load()
}
