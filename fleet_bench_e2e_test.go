//go:build e2e

package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/internal/testnet"
	"github.com/communes/kiosk/usage"
)

// fillUsageYear writes 365 days × perDay sessions ending today into the
// usage store of dataDir, as the service records them.
func fillUsageYear(b *testing.B, dataDir string, perDay int) {
	b.Helper()
	st, err := usage.Open(&usage.Config{Path: filepath.Join(dataDir, "usage.db"), FlushInterval: -1,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	sites := []string{"CAF", "Ameli", "Impôts", "France Travail", "ANTS", "Service-Public", "MSA"}
	today := time.Now().Truncate(24 * time.Hour)
	for d := range 365 {
		day := today.AddDate(0, 0, -d).Add(9 * time.Hour)
		for i := range perDay {
			start := day.Add(time.Duration(i) * 10 * time.Minute)
			if err := st.SessionEnded(usage.Session{Start: start, End: start.Add(12 * time.Minute), Active: 10 * time.Minute,
				Idle: 2 * time.Minute, Reason: usage.EndUser, Sites: []string{sites[i%len(sites)]}, Lang: "fr"}); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkServe_Metrics measures GET /metrics on the real `kiosk serve`
// whose usage store holds a year of sessions (365 days × 40), over HTTPS
// with a kept-alive connection: "local" from the machine itself, "remote"
// as the town's Prometheus scrapes it (Basic auth). The store lives on
// /dev/shm only so that filling it takes seconds, not minutes of fsyncs.
func BenchmarkServe_Metrics(b *testing.B) {
	shm := ""
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		shm = "/dev/shm"
	}
	dir, err := os.MkdirTemp(shm, "kiosk-metrics-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	ft := newFleetTerminalIn(b, dir, "Bench", 8443)
	fillUsageYear(b, ft.data, 40)
	ns := testnet.New(b)
	al := filepath.Join(dir, "allowlist.yaml")
	if err := os.WriteFile(al, []byte(testAllowlist), 0o644); err != nil {
		b.Fatal(err)
	}
	ft.start(b, ns, al)
	c := nsClient(ns)
	for _, tc := range []struct{ name, url, user string }{
		{"local", "https://127.0.0.1:8443/metrics", ""},
		{"remote", fmt.Sprintf("https://%s:8443/metrics", testnet.OriginAddr), "admin"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			get := func() int {
				req, _ := http.NewRequest(http.MethodGet, tc.url, nil)
				if tc.user != "" {
					req.SetBasicAuth(tc.user, fleetPassword)
				}
				resp, err := c.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("GET %s: %s", tc.url, resp.Status)
				}
				series := 0
				for _, l := range strings.Split(string(body), "\n") {
					if l != "" && !strings.HasPrefix(l, "#") {
						series++
					}
				}
				return series
			}
			series := get() // the first remote scrape runs argon2id once
			for b.Loop() {
				get()
			}
			b.ReportMetric(float64(series), "series")
		})
	}
}
