package proxy

import (
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// DefaultMaxConns is the cap on open client connections when
// Config.MaxConns is zero. One browser opens about 6 connections per host
// and keeps them alive for a while; 512 leaves room for many hosts while a
// runaway page cannot take every file descriptor of the service.
const DefaultMaxConns = 512

// capLogEvery is how often, at most, the proxy logs that the connection cap
// was reached (once per burst, not once per connection).
const capLogEvery = time.Minute

// Listener returns ln limited to Config.MaxConns open client connections:
// once that many are open, Accept waits until one closes, so that further
// clients wait in the kernel's backlog instead of starving the service. It
// returns ln itself when the cap is off (MaxConns < 0). Serve the proxy's
// http.Server on the returned listener.
func (p *Proxy) Listener(ln net.Listener) net.Listener {
	if p.maxConns <= 0 {
		return ln
	}
	return &limitListener{
		Listener: ln,
		sem:      make(chan struct{}, p.maxConns),
		done:     make(chan struct{}),
		p:        p,
	}
}

// limitListener is a net.Listener with a semaphore of open connections
// (golang.org/x/net/netutil.LimitListener, plus a log line and metrics).
type limitListener struct {
	net.Listener
	sem       chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	p         *Proxy
	lastLog   atomic.Int64 // unix nanoseconds of the last "cap reached" log
}

// Accept waits for a free slot, then accepts a connection that holds the
// slot until it is closed.
func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	default:
		l.capReached()
		select {
		case l.sem <- struct{}{}:
		case <-l.done:
			return nil, net.ErrClosed
		}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	l.p.metrics.connsOpen.Inc()
	if tc, ok := c.(*net.TCPConn); ok {
		// Keep *net.TCPConn's methods (SyscallConn for the tunnel's splice,
		// CloseWrite, ReadFrom) on the connection.
		return &limitedTCPConn{TCPConn: tc, l: l}, nil
	}
	return &limitedConn{Conn: c, l: l}, nil
}

// release frees the slot of a closed connection.
func (l *limitListener) release() {
	l.p.metrics.connsOpen.Dec()
	<-l.sem
}

// capReached counts a wait for a free slot and logs it, at most once per
// capLogEvery.
func (l *limitListener) capReached() {
	l.p.metrics.connCapReached.Inc()
	now := time.Now().UnixNano()
	last := l.lastLog.Load()
	if now-last >= int64(capLogEvery) && l.lastLog.CompareAndSwap(last, now) {
		l.p.log.Warn("proxy connection cap reached: new client connections wait until one closes",
			"max_conns", cap(l.sem), "flag", "--proxy-max-conns")
	}
}

// Close closes the listener and ends an Accept waiting for a slot.
func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitedTCPConn is an accepted TCP connection that frees its slot once,
// when closed.
type limitedTCPConn struct {
	*net.TCPConn
	l    *limitListener
	once sync.Once
}

// Close closes the connection and frees its slot.
func (c *limitedTCPConn) Close() error {
	err := c.TCPConn.Close()
	c.once.Do(c.l.release)
	return err
}

// limitedConn is limitedTCPConn for other connection types.
type limitedConn struct {
	net.Conn
	l    *limitListener
	once sync.Once
}

// Close closes the connection and frees its slot.
func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.l.release)
	return err
}

// connMetrics are the series of the connection cap and the body idle
// timeout.
type connMetrics struct {
	connsOpen      prometheus.Gauge
	connCapReached prometheus.Counter
	bodyTimeouts   prometheus.Counter
}

func newConnMetrics() (connMetrics, []prometheus.Collector) {
	m := connMetrics{
		connsOpen: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "kiosk_proxy_client_connections",
			Help: "Client connections open on the proxy port (counted when the connection cap is on).",
		}),
		connCapReached: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kiosk_proxy_connection_cap_reached_total",
			Help: "Times the proxy had --proxy-max-conns client connections open and new ones had to wait.",
		}),
		bodyTimeouts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kiosk_proxy_body_timeouts_total",
			Help: "Request bodies cut because the client sent nothing for --proxy-body-timeout.",
		}),
	}
	return m, []prometheus.Collector{m.connsOpen, m.connCapReached, m.bodyTimeouts}
}
