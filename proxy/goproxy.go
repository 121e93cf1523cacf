package proxy

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/elazarl/goproxy"
)

// rejectConnect refuses a CONNECT; ctx.Resp must hold the answer, or
// goproxy closes the connection without a status line.
var rejectConnect = &goproxy.ConnectAction{Action: goproxy.ConnectReject}

// newGoproxy builds the goproxy server with every default that matters
// replaced (design.md §3 rule 9) and a last, catch-all refusal for both
// plain requests and CONNECT (rule 1): ServeHTTP judges each request
// before goproxy sees it, and the handlers below judge it again from the
// rebuilt target so that nothing unjudged is ever forwarded.
func (p *Proxy) newGoproxy() *goproxy.ProxyHttpServer {
	gp := goproxy.NewProxyHttpServer()
	gp.Verbose = false
	gp.Logger = slog.NewLogLogger(p.log.Handler(), slog.LevelDebug)
	gp.Tr = p.tr
	gp.KeepAcceptEncoding = true
	gp.KeepDestinationHeaders = false
	gp.AllowHTTP2 = false
	gp.ConnectDial = nil
	gp.ConnectDialWithReq = p.connectDial
	gp.ConnectionErrHandler = p.connectError
	gp.NonproxyHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeText(w, http.StatusBadRequest, "400 Requête invalide / Bad request: "+errNotAbsolute.Error()+"\n")
	})

	// acceptConnect tunnels a judged CONNECT with the kiosk's relay
	// (tunnel.go), which never intercepts TLS (design.md §3 rule 10). It is
	// never ConnectMitm.
	acceptConnect := &goproxy.ConnectAction{Action: goproxy.ConnectHijack, Hijack: p.tunnel}
	gp.OnRequest().HandleConnectFunc(func(host string, ctx *goproxy.ProxyCtx) (*goproxy.ConnectAction, string) {
		// Judge the request line again, and dial only what it names.
		if t, err := parseConnect(ctx.Req.RequestURI); err == nil && host == t.dialAddr(connectPort) &&
			p.judge(t, true).allowed {
			return acceptConnect, host
		}
		// Catch-all: anything not admitted above is refused with a status line.
		ctx.Resp = goproxy.NewResponse(ctx.Req, goproxy.ContentTypeText, http.StatusForbidden, "403 Blocked by the kiosk policy\n")
		ctx.Resp.Header.Set("Connection", "close")
		return rejectConnect, host
	})
	gp.OnRequest().DoFunc(func(r *http.Request, _ *goproxy.ProxyCtx) (*http.Request, *http.Response) {
		// Judge the request line again; the URL must be the one rebuilt
		// from it.
		if t, err := parseAbsolute(r.RequestURI); err == nil && r.URL.Scheme == "http" && r.URL.User == nil &&
			r.URL.Host == t.authority(httpPort) && p.judge(t, false).allowed {
			return r, nil
		}
		// Catch-all refusal.
		return r, goproxy.NewResponse(r, goproxy.ContentTypeText, http.StatusForbidden, "403 Blocked by the kiosk policy\n")
	})
	gp.OnResponse().DoFunc(p.filterResponse)
	return gp
}

// filterResponse turns a transport error into 403 (private destination),
// 504 or 502 (goproxy answers 500), drops hop-by-hop headers of the
// upstream answer, and closes the connection after a request body that
// the idle timeout cut.
func (p *Proxy) filterResponse(resp *http.Response, ctx *goproxy.ProxyCtx) *http.Response {
	if resp == nil {
		status := errorStatus(ctx.Error)
		p.log.Debug("upstream error", "host", ctx.Req.URL.Host, "status", status, "err", ctx.Error)
		resp = goproxy.NewResponse(ctx.Req, "text/plain; charset=utf-8", status, errorText(status))
	} else if resp.StatusCode != http.StatusSwitchingProtocols {
		removeConnectionHeaders(resp.Header)
		delete(resp.Header, "Connection")
		delete(resp.Header, "Proxy-Connection")
	}
	if bodyTimedOut(ctx.Req) {
		// The rest of a cut body must not be read as the next request.
		resp.Header.Set("Connection", "close")
	}
	return resp
}

// connectError answers a CONNECT whose dial failed, with a status line
// (403, 502 or 504). Errors of an established tunnel are ignored: writing
// a status line into a tunnel would corrupt it.
func (p *Proxy) connectError(w io.Writer, ctx *goproxy.ProxyCtx, err error) {
	var de *dialError
	if !asDialError(err, &de) {
		return
	}
	status := errorStatus(err)
	p.log.Debug("connect error", "host", ctx.Req.URL.Host, "status", status, "err", err)
	body := errorText(status)
	_, _ = fmt.Fprintf(w, "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		status, http.StatusText(status), len(body), body)
}
