package proxy

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/communes/kiosk/allowlist"
)

type staticResolver map[string][]netip.Addr

func (r staticResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := r[host]; ok {
		return a, nil
	}
	return nil, errors.New("no such host")
}

// TestDialTarget_UnreachableFirst checks that a first public address that
// never answers does not use up the whole dial time: the next one is tried.
func TestDialTarget_UnreachableFirst(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	l := testList(t)
	var tried []string
	p, err := New(&Config{
		Logger:    quietLogger(),
		Allowlist: func() *allowlist.List { return l },
		Resolver: staticResolver{"www.caf.fr": {
			netip.MustParseAddr("2001:db8::dead"), netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("203.0.113.10"),
		}},
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			tried = append(tried, addr)
			if addr == "[2001:db8::dead]:80" {
				<-ctx.Done() // a black hole
				return nil, ctx.Err()
			}
			var d net.Dialer
			return d.DialContext(ctx, network, ln.Addr().String())
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
	defer cancel()
	c, err := p.dialTarget(ctx, "tcp", "www.caf.fr:80")
	if err != nil {
		t.Fatalf("dialTarget: %v (tried %q)", err, tried)
	}
	c.Close()
	if len(tried) != 2 || tried[1] != "203.0.113.10:80" {
		t.Fatalf("tried %q, want the black hole then 203.0.113.10:80 (never 127.0.0.1)", tried)
	}
}
