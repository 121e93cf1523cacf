package proxy

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Request kinds, the "kind" label of the requests counter.
const (
	kindHTTP     = "http"
	kindConnect  = "connect"
	kindInternal = "internal"
)

// badRequest answers 400 with a one-line reason (design.md §3 rule 2).
func (p *Proxy) badRequest(w http.ResponseWriter, kind string, err error) {
	if kind == kindConnect {
		p.metrics.connectBad.Inc()
	} else {
		p.metrics.httpBad.Inc()
	}
	if p.debugOn() {
		p.log.Debug("bad request", "kind", kind, "err", err)
	}
	writeText(w, http.StatusBadRequest, "400 Requête invalide / Bad request: "+err.Error()+"\n")
}

// refuseConnect answers a refused CONNECT with a real "HTTP/1.1 403" status
// line, then closes the connection (the client may already have sent its
// TLS hello, which must not be read as a request).
func (p *Proxy) refuseConnect(w http.ResponseWriter, host string) {
	w.Header().Set("Connection", "close")
	writeText(w, http.StatusForbidden, "403 Site non autorisé sur cette borne / Blocked by the kiosk policy: "+host+"\n")
}

// refusePlain answers a refused plain request: the blocked page for a page
// request, a short text otherwise. Status 403 either way.
func (p *Proxy) refusePlain(w http.ResponseWriter, r *http.Request, host string) {
	if !isPageRequest(r) {
		writeText(w, http.StatusForbidden, "403 Site non autorisé sur cette borne / Blocked by the kiosk policy: "+host+"\n")
		return
	}
	if p.conf.BlockedPage != nil {
		p.conf.BlockedPage(w, r, host)
		return
	}
	writeBlockedPage(w, r, host)
}

// isPageRequest reports whether r loads a page (a document or frame) rather
// than a resource: GET or HEAD, and Sec-Fetch-Dest document/frame/iframe,
// or, without Sec-Fetch-Dest, an Accept header that names text/html.
func isPageRequest(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if dest := r.Header.Get("Sec-Fetch-Dest"); dest != "" {
		return dest == "document" || dest == "iframe" || dest == "frame"
	}
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// writeText writes a short plain-text answer that keeps the connection
// usable (explicit length, no sniffing, no caching).
func writeText(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	h["Content-Type"] = textPlain
	h["X-Content-Type-Options"] = noSniff
	h["Cache-Control"] = noStore
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// Shared header values (never modified).
var (
	textPlain = []string{"text/plain; charset=utf-8"}
	textHTML  = []string{"text/html; charset=utf-8"}
	noSniff   = []string{"nosniff"}
	noStore   = []string{"no-store"}
)

// The built-in blocked page (design.md §3 rule 11), French first, English
// below. The host is the only variable part.
const (
	pageHead = `<!doctype html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Site non autorisé</title>
<style>
body{font-family:sans-serif;background:#f4f4f4;color:#1e1e1e;margin:0}
main{max-width:46rem;margin:10vh auto;background:#fff;padding:2.5rem;border-radius:1rem}
h1{font-size:2rem;margin-top:0}
p{font-size:1.3rem;line-height:1.5}
.host{font-weight:bold;word-break:break-all}
.actions a{display:inline-block;font-size:1.4rem;padding:1rem 2rem;margin:.5rem 1rem .5rem 0;border-radius:.6rem;background:#000091;color:#fff;text-decoration:none}
.actions a.agent{background:#fff;color:#000091;border:2px solid #000091}
.en{color:#555;font-size:1.1rem;border-top:1px solid #ddd;padding-top:1rem;margin-top:2rem}
</style></head>
<body><main>
<h1>Ce site n’est pas disponible sur cette borne</h1>
<p>Le site <span class="host">`
	pageMiddle = `</span> ne fait pas partie des sites autorisés.</p>
<p class="actions"><a href="javascript:history.back()">Retour</a><a class="agent" href="http://` + InternalHost + `/aide?site=`
	pageTail = `">Demander à un agent</a></p>
<p class="en" lang="en">This site is not available on this kiosk. Press “Retour” to go back, or “Demander à un agent” to ask a member of staff for help.</p>
</main></body></html>
`
)

var pageBufPool = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// writeBlockedPage writes the built-in French page with status 403.
func writeBlockedPage(w http.ResponseWriter, r *http.Request, host string) {
	bp := pageBufPool.Get().(*[]byte)
	b := append((*bp)[:0], pageHead...)
	b = appendSafeHost(b, host)
	b = append(b, pageMiddle...)
	b = appendSafeHost(b, host)
	b = append(b, pageTail...)
	h := w.Header()
	h["Content-Type"] = textHTML
	h["X-Content-Type-Options"] = noSniff
	h["Cache-Control"] = noStore
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(http.StatusForbidden)
	if r.Method != http.MethodHead {
		_, _ = w.Write(b)
	}
	*bp = b
	pageBufPool.Put(bp)
}

// appendSafeHost appends a canonical host (or IP text) for both HTML text
// and a URL query: any byte outside [a-z0-9._:-] is replaced with '-', so
// nothing needs escaping.
func appendSafeHost(b []byte, host string) []byte {
	for i := 0; i < len(host); i++ {
		c := host[i]
		if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_' || c == ':' {
			b = append(b, c)
		} else {
			b = append(b, '-')
		}
	}
	return b
}

// fromHost returns the host part of a Referer or Origin value, lower case,
// without userinfo, port, path or query; "" when there is none.
func fromHost(v string) string {
	i := strings.Index(v, "://")
	if i < 0 {
		return ""
	}
	v = v[i+3:]
	if end := strings.IndexAny(v, "/?#"); end >= 0 {
		v = v[:end]
	}
	if at := strings.LastIndexByte(v, '@'); at >= 0 {
		v = v[at+1:]
	}
	if strings.HasPrefix(v, "[") {
		if end := strings.IndexByte(v, ']'); end > 0 {
			return strings.ToLower(v[1:end])
		}
		return ""
	}
	if c := strings.LastIndexByte(v, ':'); c >= 0 {
		v = v[:c]
	}
	v = strings.TrimSuffix(v, ".")
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_') {
			return ""
		}
	}
	return strings.ToLower(v)
}
