package fleet_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/admin"
	"github.com/communes/kiosk/fleet"
	"github.com/communes/kiosk/usage"
)

// testPassword is the terminals' admin password.
const testPassword = "correct horse battery staple"

// day is a day of the reported month.
var day = time.Date(2026, 11, 10, 10, 0, 0, 0, time.Local)

// usageOf says what a test terminal records: sessions (each visiting the
// sites, in turn), "Oui" answers and help requests.
type usageOf struct {
	sessions, yes, help int
	sites               []string
}

// terminal is a real admin page on a real usage store, over TLS on loopback.
type terminal struct {
	srv   *httptest.Server
	store *usage.Store
	name  string
}

func (tm *terminal) fingerprint() string {
	sum := sha256.Sum256(tm.srv.Certificate().Raw)
	return hex.EncodeToString(sum[:])
}

// newTerminal starts a terminal named name whose store holds u.
func newTerminal(t testing.TB, name string, u usageOf) *terminal {
	t.Helper()
	dir := t.TempDir()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := usage.Open(&usage.Config{Path: filepath.Join(dir, "usage.db"), Logger: quiet, FlushInterval: -1,
		Now: func() time.Time { return day }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	creds := filepath.Join(dir, admin.CredentialsFileName)
	if err := admin.SetPassword(creds, testPassword); err != nil {
		t.Fatal(err)
	}
	for i := range u.sessions {
		start := day.Add(time.Duration(i) * time.Minute)
		s := usage.Session{Start: start, End: start.Add(10 * time.Minute), Active: 10 * time.Minute, Reason: usage.EndUser, Lang: "fr"}
		if len(u.sites) > 0 {
			s.Sites = []string{u.sites[i%len(u.sites)]}
		}
		if err := store.SessionEnded(s); err != nil {
			t.Fatal(err)
		}
	}
	for range u.yes {
		store.Count(usage.SatisfactionYes)
	}
	for range u.help {
		store.Count(usage.HelpRequest)
	}
	ops := map[string]string{"CAF": fleet.OperatorCAF, "Impôts": fleet.OperatorDGFiP}
	srv, err := admin.New(&admin.Config{
		Logger: quiet, Store: store, Credentials: creds,
		Status:        func() admin.Status { return admin.Status{TerminalName: name} },
		SiteOperators: func() map[string]string { return ops },
		TLS:           true,
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return &terminal{srv: ts, store: store, name: name}
}

// configFor writes the report config of terminals.
func configFor(t testing.TB, terms ...*terminal) *fleet.Config {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "user: admin\npassword: %q\nterminals:\n", testPassword)
	for _, tm := range terms {
		fmt.Fprintf(&b, "  - url: %s\n    fingerprint: %q\n", tm.srv.URL, tm.fingerprint())
	}
	c, err := fleet.ParseConfig([]byte(b.String()))
	if err != nil {
		t.Fatalf("ParseConfig: %v\n%s", err, b.String())
	}
	return c
}
