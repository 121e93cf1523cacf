package proxy

import (
	"net"
	"net/http"
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
// once that many are open, Accept closes the connection that has waited
// longest for a request (a kept-alive idle one, or one that has not sent
// a whole request line and headers yet, as Server's ConnState reports
// them) and takes its place, so that connections held open without a
// request (a runaway page's keep-alives, a client that opens connections
// and sends nothing) cannot keep the resident's requests waiting. When
// every connection is busy (a request in progress, a CONNECT tunnel),
// Accept waits until one closes, and further clients wait in the kernel's
// backlog instead of starving the service. It returns ln itself when the
// cap is off (MaxConns < 0). Serve the proxy's http.Server (Server) on the
// returned listener.
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

	mu    sync.Mutex
	conns map[*connSlot]struct{} // the open connections, for evictIdle
}

// connSlot is the cap's view of one accepted connection: whether it waits
// for a request, and since when.
type connSlot struct {
	l     *limitListener
	conn  net.Conn // the accepted connection, closed to evict it
	once  sync.Once
	idle  bool      // new or kept-alive idle: no request in progress
	since time.Time // when it became idle
}

// Accept accepts a connection, then takes a slot for it that it holds
// until it is closed: when none is free, it closes the connection that has
// waited longest for a request (waitSlot), or else waits for one to
// close. It accepts first so that it evicts only for a client really
// waiting; so at most one connection over the cap is open, waiting here.
func (l *limitListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	select {
	case l.sem <- struct{}{}:
	default:
		l.capReached()
		if !l.waitSlot() {
			c.Close()
			return nil, net.ErrClosed
		}
	}
	l.p.metrics.connsOpen.Inc()
	slot := &connSlot{l: l, idle: true, since: time.Now()}
	if tc, ok := c.(*net.TCPConn); ok {
		// Keep *net.TCPConn's methods (SyscallConn for the tunnel's splice,
		// CloseWrite, ReadFrom) on the connection.
		slot.conn = &limitedTCPConn{TCPConn: tc, connSlot: slot}
	} else {
		slot.conn = &limitedConn{Conn: c, connSlot: slot}
	}
	l.mu.Lock()
	if l.conns == nil {
		l.conns = map[*connSlot]struct{}{}
	}
	l.conns[slot] = struct{}{}
	l.mu.Unlock()
	return slot.conn, nil
}

// release frees the slot of a closed connection, once.
func (s *connSlot) release() {
	s.once.Do(func() {
		l := s.l
		l.mu.Lock()
		delete(l.conns, s)
		l.mu.Unlock()
		l.p.metrics.connsOpen.Dec()
		<-l.sem
	})
}

// setState records what Server's ConnState says of the connection.
func (s *connSlot) setState(state http.ConnState) {
	idle := state == http.StateNew || state == http.StateIdle
	s.l.mu.Lock()
	defer s.l.mu.Unlock()
	if idle && !s.idle {
		s.since = time.Now()
	}
	s.idle = idle
}

// minEvictAge is how long a connection must have waited for a request
// before the cap may close it: a connection just accepted, or just
// answered, has its next request on the way.
const minEvictAge = time.Second

// waitSlot takes a slot for an accepted connection when all are taken:
// it closes the connection that has waited longest for a request once it
// is minEvictAge old, and otherwise waits for one to close, looking again
// as connections age or turn idle. It returns false when the listener is
// closed.
func (l *limitListener) waitSlot() bool {
	for {
		wait := l.evictIdle()
		var retry <-chan time.Time
		if wait > 0 {
			t := time.NewTimer(wait)
			retry = t.C
			defer t.Stop()
		}
		select {
		case l.sem <- struct{}{}:
			return true
		case <-l.done:
			return false
		case <-retry:
		}
	}
}

// evictIdle closes the connection that has waited longest for a request,
// if it has waited minEvictAge, freeing its slot, and returns 0; else it
// returns when to look again.
func (l *limitListener) evictIdle() time.Duration {
	var oldest *connSlot
	now := time.Now()
	l.mu.Lock()
	for s := range l.conns {
		if s.idle && (oldest == nil || s.since.Before(oldest.since)) {
			oldest = s
		}
	}
	if oldest == nil {
		l.mu.Unlock()
		return minEvictAge // every connection is busy: one may turn idle
	}
	if age := now.Sub(oldest.since); age < minEvictAge {
		l.mu.Unlock()
		return minEvictAge - age
	}
	oldest.idle = false // evicted once
	l.mu.Unlock()
	l.p.metrics.connsEvicted.Inc()
	l.p.log.Debug("proxy connection cap: closing the connection idle the longest", "remote", oldest.conn.RemoteAddr().String())
	_ = oldest.conn.Close()
	return 0
}

// connState is the proxy server's http.Server.ConnState: it tells the
// connection cap which connections wait for a request.
func connState(c net.Conn, state http.ConnState) {
	switch c := c.(type) {
	case *limitedTCPConn:
		c.setState(state)
	case *limitedConn:
		c.setState(state)
	}
}

// capReached counts a wait for a free slot and logs it, at most once per
// capLogEvery.
func (l *limitListener) capReached() {
	l.p.metrics.connCapReached.Inc()
	now := time.Now().UnixNano()
	last := l.lastLog.Load()
	if now-last >= int64(capLogEvery) && l.lastLog.CompareAndSwap(last, now) {
		l.p.log.Warn("proxy connection cap reached: a new client connection closes the one idle the longest, or waits until one closes",
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
	*connSlot
}

// Close closes the connection and frees its slot.
func (c *limitedTCPConn) Close() error {
	err := c.TCPConn.Close()
	c.release()
	return err
}

// limitedConn is limitedTCPConn for other connection types.
type limitedConn struct {
	net.Conn
	*connSlot
}

// Close closes the connection and frees its slot.
func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}

// connMetrics are the series of the connection cap and the body idle
// timeout.
type connMetrics struct {
	connsOpen      prometheus.Gauge
	connCapReached prometheus.Counter
	connsEvicted   prometheus.Counter
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
		connsEvicted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kiosk_proxy_idle_connections_closed_total",
			Help: "Client connections waiting for a request that the proxy closed to make room under --proxy-max-conns.",
		}),
		bodyTimeouts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kiosk_proxy_body_timeouts_total",
			Help: "Request bodies cut because the client sent nothing for --proxy-body-timeout.",
		}),
	}
	return m, []prometheus.Collector{m.connsOpen, m.connCapReached, m.connsEvicted, m.bodyTimeouts}
}
