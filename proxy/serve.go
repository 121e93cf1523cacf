package proxy

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// errUpgrade refuses every protocol upgrade but WebSocket, including h2c.
var errUpgrade = errors.New("protocol upgrade refused (only WebSocket is allowed)")

// errHTTPVersion refuses anything but HTTP/1.x on the proxy port.
var errHTTPVersion = errors.New("only HTTP/1.x is accepted")

// ServeHTTP judges one request from its request line and either answers it
// (400, 403, the internal pages) or hands it to goproxy to forward or
// tunnel. Every request is judged on its own, also on a kept-alive
// connection.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if r.Method == http.MethodConnect {
		p.serveConnect(w, r)
	} else {
		p.servePlain(w, p.withBodyIdle(w, r))
	}
	p.metrics.duration.Observe(time.Since(start).Seconds())
}

// servePlain handles an absolute-form request (design.md §3 rules 2, 6, 7).
func (p *Proxy) servePlain(w http.ResponseWriter, r *http.Request) {
	if r.ProtoMajor != 1 {
		p.badRequest(w, kindHTTP, errHTTPVersion)
		return
	}
	t, err := parseAbsolute(r.RequestURI)
	if err != nil {
		p.badRequest(w, kindHTTP, err)
		return
	}
	if !t.ip && t.host == InternalHost && (t.port == 0 || t.port == httpPort) {
		p.serveInternal(w, r)
		return
	}
	if err := checkUpgrade(r); err != nil {
		p.badRequest(w, kindHTTP, err)
		return
	}
	v := p.judge(t, false)
	if !v.allowed {
		p.metrics.httpDenied.Inc()
		p.recordBlocked(r, t.host)
		if p.debugOn() {
			p.log.Debug("refused", "kind", kindHTTP, "host", t.host, "port", t.port)
		}
		p.refusePlain(w, r, t.host)
		return
	}
	p.metrics.httpAllowed.Inc()
	if v.site != nil && p.conf.Recorder != nil {
		p.conf.Recorder.Allowed(v.site.Name)
	}
	// Forward exactly the judged target: the URL's authority and the Host
	// header sent upstream are rebuilt from it.
	r.URL.Scheme = "http"
	r.URL.Host = t.authority(httpPort)
	r.URL.User = nil
	r.URL.Opaque = ""
	r.URL.Fragment, r.URL.RawFragment = "", ""
	r.Host = r.URL.Host
	// The client's "Connection: close" is honoured by the server on the
	// client side (read before this point); the upstream connection is
	// kept in the pool.
	r.Close = false
	removeConnectionHeaders(r.Header)
	bw := bodyWriterPool.Get().(*bodyWriter)
	bw.ResponseWriter = w
	p.gp.ServeHTTP(bw, r)
	bw.ResponseWriter, bw.plain.Writer = nil, nil
	bodyWriterPool.Put(bw)
}

// serveConnect handles a CONNECT request (design.md §3 rules 2, 6, 10).
func (p *Proxy) serveConnect(w http.ResponseWriter, r *http.Request) {
	if r.ProtoMajor != 1 {
		p.badRequest(w, kindConnect, errHTTPVersion)
		return
	}
	t, err := parseConnect(r.RequestURI)
	if err != nil {
		w.Header().Set("Connection", "close")
		p.badRequest(w, kindConnect, err)
		return
	}
	v := p.judge(t, true)
	if !v.allowed {
		p.metrics.connectDenied.Inc()
		p.recordBlocked(r, t.host)
		if p.debugOn() {
			p.log.Debug("refused", "kind", kindConnect, "host", t.host, "port", t.port)
		}
		p.refuseConnect(w, t.host)
		return
	}
	p.metrics.connectAllowed.Inc()
	if v.site != nil && p.conf.Recorder != nil {
		p.conf.Recorder.Allowed(v.site.Name)
	}
	addr := t.dialAddr(connectPort)
	r.URL = &url.URL{Host: addr}
	r.Host = addr
	p.gp.ServeHTTP(connectHijacker{w}, r)
}

// serveInternal passes a request for http://kiosk.invalid/ to Internal.
func (p *Proxy) serveInternal(w http.ResponseWriter, r *http.Request) {
	p.metrics.internal.Inc()
	r.Host = InternalHost
	r.URL.Host = InternalHost
	r.URL.User = nil
	if p.conf.Internal == nil {
		http.NotFound(w, r)
		return
	}
	p.conf.Internal.ServeHTTP(w, r)
}

// recordBlocked tells the Recorder about a refused host and the host of the
// page that asked (Referer, else Origin). Nothing else of the request is
// passed on.
func (p *Proxy) recordBlocked(r *http.Request, host string) {
	if p.conf.Recorder == nil {
		return
	}
	from := r.Header.Get("Referer")
	if from == "" {
		from = r.Header.Get("Origin")
	}
	p.conf.Recorder.Blocked(host, fromHost(from))
}

// checkUpgrade allows a WebSocket handshake (GET, "Upgrade: websocket",
// "Connection: upgrade") and refuses every other upgrade: h2c, TLS
// upgrades, anything with HTTP2-Settings.
func checkUpgrade(r *http.Request) error {
	up := r.Header["Upgrade"]
	connUp := headerHasToken(r.Header["Connection"], "upgrade")
	if len(up) == 0 && !connUp && r.Header["Http2-Settings"] == nil {
		return nil
	}
	if r.Method == http.MethodGet && connUp && len(up) == 1 &&
		strings.EqualFold(strings.TrimSpace(up[0]), "websocket") &&
		r.Header["Http2-Settings"] == nil {
		return nil
	}
	return errUpgrade
}

// headerHasToken reports whether a comma-separated header holds token,
// case-insensitively.
func headerHasToken(values []string, token string) bool {
	for _, v := range values {
		for v != "" {
			var tok string
			tok, v, _ = strings.Cut(v, ",")
			if strings.EqualFold(strings.TrimSpace(tok), token) {
				return true
			}
		}
	}
	return false
}

// removeConnectionHeaders drops the hop-by-hop headers a client named in
// Connection (goproxy drops Connection itself, except for WebSocket) and
// Keep-Alive.
func removeConnectionHeaders(h http.Header) {
	for _, v := range h["Connection"] {
		for v != "" {
			var tok string
			tok, v, _ = strings.Cut(v, ",")
			tok = strings.TrimSpace(tok)
			switch {
			case tok == "", strings.EqualFold(tok, "close"), strings.EqualFold(tok, "keep-alive"),
				strings.EqualFold(tok, "upgrade"):
			default:
				h.Del(tok)
			}
		}
	}
	delete(h, "Keep-Alive")
}

// debugOn reports whether Debug logs are wanted; checking it first keeps
// the request path free of the log arguments' allocations.
func (p *Proxy) debugOn() bool {
	return p.log.Enabled(context.Background(), slog.LevelDebug)
}
