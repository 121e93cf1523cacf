package proxy

import (
	"log/slog"
	"net/http"
	"time"
)

// Server returns the http.Server to serve p on addr. Use it (or copy its
// settings): Go's default server answers "OPTIONS *" itself with 200
// instead of letting the proxy refuse it with 400, and would accept
// HTTP/2 on a TLS listener.
func (p *Proxy) Server(addr string) *http.Server {
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	return &http.Server{
		Addr:                         addr,
		Handler:                      p,
		DisableGeneralOptionsHandler: true,
		Protocols:                    &protocols,
		ReadHeaderTimeout:            10 * time.Second,
		IdleTimeout:                  2 * time.Minute,
		MaxHeaderBytes:               64 << 10,
		ErrorLog:                     slog.NewLogLogger(p.log.Handler(), slog.LevelDebug),
		ConnState:                    connState, // the connection cap's idle connections (Listener)
	}
}
