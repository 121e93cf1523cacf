package service

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/communes/kiosk/allowlist/watch"
	"github.com/communes/kiosk/remote"
)

// newRemoteFetcher builds the fetcher of a signed allowlist URL: each
// verified copy goes through the same validation as a local file; one that
// does not validate is refused and the list in force stays.
func newRemoteFetcher(c *Config, h *watch.Holder, l *slog.Logger) (*remote.Fetcher, error) {
	f, err := remote.New(&remote.Config{
		Logger:    l,
		URL:       c.AllowlistURL,
		FileName:  c.AllowlistName,
		PublicKey: c.AllowlistKey,
		Dir:       c.DataDir,
		Interval:  c.AllowlistEvery,
		Proxy:     c.Upstream,
		Apply: func(data []byte) error {
			return h.Apply(data, c.AllowlistURL, time.Now())
		},
	})
	if err != nil {
		return nil, fmt.Errorf("--allowlist-url: %w", err)
	}
	return f, nil
}
