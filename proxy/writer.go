package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"sync"
)

// copyBufSize is the buffer for relaying plain-HTTP response bodies.
const copyBufSize = 32 << 10

var copyBufPool = sync.Pool{New: func() any { b := make([]byte, copyBufSize); return &b }}

// bodyWriter wraps the client's ResponseWriter for goproxy. goproxy copies
// response bodies with io.Copy, which ends in net.TCPConn.ReadFrom's
// generic path and allocates a 32 KB buffer per response; ReadFrom here
// copies with a pooled buffer instead. Hijack (WebSocket), Flush and Unwrap
// (http.ResponseController) pass through.
type bodyWriter struct {
	http.ResponseWriter
	// plain is the same writer with Write only, kept here so that passing
	// it to io.CopyBuffer does not allocate.
	plain writerOnly
}

var bodyWriterPool = sync.Pool{New: func() any { return new(bodyWriter) }}

// ReadFrom copies src to the client with a pooled buffer.
func (w *bodyWriter) ReadFrom(src io.Reader) (int64, error) {
	bp := copyBufPool.Get().(*[]byte)
	defer copyBufPool.Put(bp)
	w.plain.Writer = w.ResponseWriter
	return io.CopyBuffer(&w.plain, src, *bp)
}

// Hijack passes through to the server's connection (WebSocket upgrades).
func (w *bodyWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Flush passes through (server-sent events, chunked answers).
func (w *bodyWriter) Flush() {
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *bodyWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// writerOnly hides every method but Write, so io.CopyBuffer uses the buffer.
type writerOnly struct{ io.Writer }
