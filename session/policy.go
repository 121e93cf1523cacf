package session

// Supervised reports whether an agent-supervised session is open, so that
// the proxy opens the allowlist's supervised sites (proxy.Policy). It's
// cheap enough for every request.
func (c *Controller) Supervised() bool { return c.supervised.Load() }

// Override reports whether an agent opened host (canonical, as the proxy
// passes it) for the current session only (proxy.Policy). The hosts are
// forgotten when the session ends. It's cheap enough for every request.
func (c *Controller) Override(host string) bool {
	m := c.overrides.Load()
	if m == nil {
		return false
	}
	_, ok := (*m)[host]
	return ok
}

// Visited notes that the open session used the allowlist site named site
// (called by main for each allowed request of the proxy). The names go to
// the Recorder with the session's end; outside a session it does nothing.
func (c *Controller) Visited(site string) {
	if site == "" {
		return
	}
	c.mu.Lock()
	if c.state.inSession() {
		c.cur.sites[site] = struct{}{}
	}
	c.mu.Unlock()
}
