package main

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/communes/kiosk/admin"
	kusage "github.com/communes/kiosk/usage"
)

// runStats is `kiosk stats`: it asks the running service (which owns the
// usage file) for the counts of a range of days, with the per-boot API token,
// and prints them as text or CSV.
func runStats(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kiosk stats", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "first `DAY` (AAAA-MM-JJ); default today")
	to := fs.String("to", "", "last `DAY` (AAAA-MM-JJ); default the --from day")
	asCSV := fs.Bool("csv", false, "print the daily counts as CSV (UTF-8 with BOM, ';', CRLF), as the admin page's export")
	adminURL := fs.String("admin", "http://127.0.0.1:8080", "admin page base `URL` of the running service")
	data := fs.String("data", defaultDataDir, "data `DIR` of the service (for the default --token-file)")
	tokenFile := fs.String("token-file", "", "API token `FILE` (default DIR/api.token)")
	pin := fs.String("fingerprint", "", "for an https --admin with a self-signed certificate: its SHA-256 `FINGERPRINT`")
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	for _, d := range []string{*from, *to} {
		if _, err := time.Parse("2006-01-02", d); d != "" && err != nil {
			fmt.Fprintf(stderr, "kiosk stats: bad date %q: want AAAA-MM-JJ\n", d)
			return 2
		}
	}
	if *tokenFile == "" {
		*tokenFile = filepath.Join(*data, "api.token")
	}
	rep, err := fetchStats(*adminURL, *tokenFile, *pin, *from, *to)
	if err != nil {
		fmt.Fprintf(stderr, "kiosk stats: %v\n", err)
		return 1
	}
	if *asCSV {
		err = admin.WriteCSV(stdout, rep)
	} else {
		err = admin.WriteText(stdout, rep)
	}
	if err != nil {
		fmt.Fprintf(stderr, "kiosk stats: %v\n", err)
		return 1
	}
	return 0
}

// fetchStats calls GET /stats.json on the running service.
func fetchStats(base, tokenFile, pin, from, to string) (*kusage.Report, error) {
	tok, err := os.ReadFile(tokenFile)
	if err != nil {
		return nil, fmt.Errorf("reading API token (is the service running? are you root or in the kiosk group?): %w", err)
	}
	u, err := url.Parse(strings.TrimRight(base, "/") + "/stats.json")
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--admin %q: want http://host:port or https://host:port", base)
	}
	q := url.Values{}
	if from != "" {
		q.Set("from", from)
	}
	if to != "" {
		q.Set("to", to)
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequest(http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+string(bytes.TrimSpace(tok)))
	client := &http.Client{Timeout: 30 * time.Second, Transport: statsTransport(pin)}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("asking the service (is kiosk serve running?): %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("reading answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("service answered %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	var rep kusage.Report
	if err := json.Unmarshal(body, &rep); err != nil {
		return nil, fmt.Errorf("decoding answer: %w", err)
	}
	return &rep, nil
}

// statsTransport talks to the service directly (never through a proxy from
// the environment) and, with a fingerprint, accepts exactly that certificate.
func statsTransport(pin string) *http.Transport {
	tr := &http.Transport{Proxy: nil}
	if pin == "" {
		return tr
	}
	want := strings.ToLower(strings.NewReplacer(":", "", " ", "").Replace(pin))
	tr.TLSClientConfig = &tls.Config{
		InsecureSkipVerify: true, // replaced by the pin check below
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return errors.New("no certificate")
			}
			sum := sha256.Sum256(raw[0])
			if hex.EncodeToString(sum[:]) != want {
				return errors.New("certificate fingerprint does not match --fingerprint")
			}
			return nil
		},
	}
	return tr
}
