//go:build linux && e2e

package clamd_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/communes/kiosk/kiosk/clamd"
	"github.com/communes/kiosk/kiosk/clamd/clamdtest"
)

func TestClient_Scan(t *testing.T) {
	d := clamdtest.Start(t)
	c := &clamd.Client{Socket: d.Socket, Timeout: 30 * time.Second}
	big := bytes.Repeat([]byte("clean bytes "), 1<<20) // 12 MiB, many chunks
	testCases := []struct {
		name, want string
		data       []byte
	}{
		{"clean", "", []byte("%PDF-1.4 nothing to see")},
		{"empty", "", nil},
		{"eicar", clamdtest.EICARName, clamdtest.EICAR},
		{"custom", clamdtest.CustomName, append([]byte("prefix "), clamdtest.Custom...)},
		{"custom at the end of a big file", clamdtest.CustomName, append(bytes.Clone(big), clamdtest.Custom...)},
		{"big clean", "", big},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := c.Scan(context.Background(), bytes.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if res.Threat != tc.want {
				t.Errorf("Scan() = %q, want %q", res.Threat, tc.want)
			}
		})
	}
}

func TestClient_FailsClosed(t *testing.T) {
	d := clamdtest.Start(t)
	c := &clamd.Client{Socket: d.Socket, Timeout: 10 * time.Second}
	if err := c.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Over StreamMaxLength (25M): clamd answers with an error, no verdict.
	_, err := c.Scan(context.Background(), bytes.NewReader(make([]byte, 26<<20)))
	if !errors.Is(err, clamd.ErrUnavailable) {
		t.Errorf("Scan(26 MiB) error = %v, want ErrUnavailable", err)
	}
	d.Stop()
	if _, err := c.Scan(context.Background(), bytes.NewReader(clamdtest.EICAR)); !errors.Is(err, clamd.ErrUnavailable) {
		t.Errorf("Scan() with clamd stopped: error = %v, want ErrUnavailable", err)
	}
	c = &clamd.Client{Socket: filepath.Join(t.TempDir(), "none.sock")}
	if err := c.Ping(context.Background()); !errors.Is(err, clamd.ErrUnavailable) {
		t.Errorf("Ping() without a socket: error = %v, want ErrUnavailable", err)
	}
}
