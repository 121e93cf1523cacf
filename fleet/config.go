package fleet

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/goccy/go-yaml"
)

// Terminal is one terminal to read.
type Terminal struct {
	// URL is the base https:// address of the terminal's admin page.
	URL string `yaml:"url"`
	// Name names the terminal in the report when it cannot be read. If
	// empty, its URL's host does. A terminal that answers is named by its
	// own --terminal-name.
	Name string `yaml:"name,omitempty"`
	// Fingerprint is the SHA-256 of the terminal's admin certificate, hex
	// pairs with or without colons, as `kiosk serve` logs it at start.
	Fingerprint string `yaml:"fingerprint"`
	// User and Password override the file's account for this terminal.
	User     string `yaml:"user,omitempty"`
	Password string `yaml:"password,omitempty"`

	pin []byte
}

// Config is the report's config file: the admin account and the pinned
// terminals. It holds a password: keep it readable by its owner only.
type Config struct {
	// User is the admin page account (the built-in "admin"). If empty, "admin".
	User string `yaml:"user"`
	// Password is the admin page password.
	Password string `yaml:"password"`
	// Terminals are the terminals known to the report, with their pins.
	Terminals []Terminal `yaml:"terminals"`
}

// ErrConfig marks a config file that cannot be used.
var ErrConfig = errors.New("invalid report config")

// ReadConfig reads and checks the config file at path.
func ReadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading report config: %w", err)
	}
	return ParseConfig(data)
}

// ParseConfig parses and checks a config file's bytes. Unknown keys, a
// terminal without an https:// URL or without a valid fingerprint, and a
// terminal listed twice are refused.
func ParseConfig(data []byte) (*Config, error) {
	c := &Config{}
	dec := yaml.NewDecoder(bytes.NewReader(data), yaml.DisallowUnknownField())
	if err := dec.Decode(c); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if c.User == "" {
		c.User = "admin"
	}
	seen := map[string]bool{}
	for i := range c.Terminals {
		t := &c.Terminals[i]
		u, err := checkURL(t.URL)
		if err != nil {
			return nil, fmt.Errorf("%w: terminal %d: %w", ErrConfig, i+1, err)
		}
		t.URL = u
		if seen[u] {
			return nil, fmt.Errorf("%w: terminal %s is listed twice", ErrConfig, u)
		}
		seen[u] = true
		if t.pin, err = parseFingerprint(t.Fingerprint); err != nil {
			return nil, fmt.Errorf("%w: terminal %s: %w", ErrConfig, u, err)
		}
		if t.User == "" {
			t.User = c.User
		}
		if t.Password == "" {
			t.Password = c.Password
		}
		if t.Password == "" {
			return nil, fmt.Errorf("%w: terminal %s: no password (set password:)", ErrConfig, u)
		}
	}
	return c, nil
}

// Select returns the terminals of urls, in that order, or every terminal
// when urls is empty. A URL missing from the file is an error: its
// fingerprint is unknown.
func (c *Config) Select(urls []string) ([]Terminal, error) {
	if len(urls) == 0 {
		if len(c.Terminals) == 0 {
			return nil, fmt.Errorf("%w: no terminals", ErrConfig)
		}
		return c.Terminals, nil
	}
	out := make([]Terminal, 0, len(urls))
	for _, raw := range urls {
		u, err := checkURL(raw)
		if err != nil {
			return nil, err
		}
		found := false
		for _, t := range c.Terminals {
			if t.URL == u {
				out = append(out, t)
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("%w: terminal %s is not in the config file (its certificate fingerprint is needed)", ErrConfig, u)
		}
	}
	return out, nil
}

// checkURL returns the canonical form of an https://host[:port] URL.
func checkURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(raw), "/"))
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("terminal URL %q: want https://host[:port]", raw)
	}
	return "https://" + strings.ToLower(u.Host), nil
}

// parseFingerprint reads 32 bytes of hex, with or without colons or spaces.
func parseFingerprint(s string) ([]byte, error) {
	clean := strings.NewReplacer(":", "", " ", "").Replace(strings.TrimSpace(s))
	b, err := hex.DecodeString(clean)
	if err != nil || len(b) != 32 {
		return nil, fmt.Errorf("fingerprint %q: want the SHA-256 of the certificate (64 hex digits, colons allowed)", s)
	}
	return b, nil
}
