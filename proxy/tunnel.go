package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"sync"

	"github.com/elazarl/goproxy"
)

// connectHijacker is the ResponseWriter serveConnect hands goproxy for a
// CONNECT: its Hijack returns the client's connection as a *clientConn,
// which keeps the bytes the server had already read past the request (a
// TLS ClientHello sent early) next to the raw socket. goproxy's own
// ConnectHijack path drops those bytes.
type connectHijacker struct{ http.ResponseWriter }

// Hijack takes over the client's connection.
func (w connectHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	return &clientConn{Conn: c, early: brw.Reader}, brw, nil
}

// clientConn is a hijacked client connection and what was read ahead of
// it.
type clientConn struct {
	net.Conn
	early *bufio.Reader
}

// tunnel is goproxy's Hijack function for a CONNECT its handler accepted
// (after serveConnect did): it dials the target, with the private-address
// check, answers a dial error with a status line, otherwise answers 200
// and relays bytes both ways without looking at them (design.md §3
// rule 10).
//
// The relay is the kiosk's own rather than goproxy's ConnectAccept loop:
// on Linux it splices through a kernel pipe with bare system calls
// (relay_linux.go), which measured 8 % faster through a tunnel than
// goproxy's io.Copy (docs/benchmarks.md).
func (p *Proxy) tunnel(r *http.Request, c net.Conn, ctx *goproxy.ProxyCtx) {
	client, early := c, (*bufio.Reader)(nil)
	if cc, ok := c.(*clientConn); ok {
		client, early = cc.Conn, cc.early
	}
	up, err := p.connectDial(r, "tcp", r.URL.Host)
	if err != nil {
		p.connectError(client, ctx, err)
		client.Close()
		return
	}
	if _, err := io.WriteString(client, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		client.Close()
		up.Close()
		return
	}
	go relay(client, early, up)
}

// relay copies client to up and up to client until both directions end,
// passing each end of stream on as a half-close, then closes both. early,
// when not nil, holds bytes the client sent before the 200; they go first.
func relay(client net.Conn, early *bufio.Reader, up net.Conn) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if early != nil && early.Buffered() > 0 {
			b, _ := early.Peek(early.Buffered())
			if _, err := up.Write(b); err != nil {
				client.Close()
				up.Close()
				return
			}
		}
		pipe(up, client)
	}()
	pipe(client, up)
	wg.Wait()
	client.Close()
	up.Close()
}

// pipe copies src to dst until src ends, then half-closes dst. On an
// error it closes both, which also ends the other direction.
func pipe(dst, src net.Conn) {
	_, handled, err := spliceCopy(dst, src)
	if !handled {
		_, err = io.Copy(dst, src)
	}
	if err != nil {
		dst.Close()
		src.Close()
		return
	}
	if cw, ok := dst.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
}
