package remote_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/internal/logcapture"
	"github.com/communes/kiosk/remote"
)

// signAs signs data with a trusted comment naming file and ts.
func signAs(t *testing.T, k remote.PrivateKey, data []byte, file string, ts int64) []byte {
	t.Helper()
	sig, err := k.Sign(data, "test", fmt.Sprintf("timestamp:%d\tfile:%s\thashed", ts, file))
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// runRefused runs f (kept copy, then the first fetch) until it logs that
// the fetched file was refused, and returns the log.
func runRefused(t *testing.T, f *remote.Fetcher, logs *logcapture.Buffer) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	waitFor(t, "the log of the refused update", func() bool { return strings.Contains(logs.String(), "remote allowlist not updated") })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run() = %v", err)
	}
	return logs.String()
}

func newLoggedFetcher(t *testing.T, o *origin, k remote.PrivateKey, dir string, a *applier, logs *logcapture.Buffer) *remote.Fetcher {
	t.Helper()
	f, err := remote.New(&remote.Config{
		Logger:    logs.Logger(),
		URL:       o.url(),
		PublicKey: k.Public().String(),
		Dir:       dir,
		RootCAs:   o.roots(),
		Apply:     a.apply,
		Interval:  time.Hour,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return f
}

// TestFetcher_signedFileName refuses a file signed with the right key for
// another file name (another town's list, say) or for no name, and keeps
// the last good list, saying why in the log.
func TestFetcher_signedFileName(t *testing.T) {
	key := genKey(t)
	testCases := []struct {
		name    string
		comment string
	}{
		{"another file", "timestamp:200\tfile:trifouillis.yaml\thashed"},
		{"a path to another file", "timestamp:200\tfile:/srv/trifouillis/list.yaml\thashed"},
		{"no file field", "timestamp:200\thashed"},
		{"file field without a name", "timestamp:200\tfile:\thashed"},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			o := newOrigin(t)
			dir := t.TempDir()
			o.serve(listV1, sign(t, key, listV1, 100))
			if err := newFetcher(t, o, key, dir, newApplier()).Check(context.Background()); err != nil {
				t.Fatal(err)
			}
			sig, err := key.Sign(listV2, "test", tc.comment)
			if err != nil {
				t.Fatal(err)
			}
			o.serve(listV2, sig)
			logs := &logcapture.Buffer{}
			a := newApplier()
			f := newLoggedFetcher(t, o, key, dir, a, logs)
			log := runRefused(t, f, logs)
			if a.count() != 1 || string(a.applied[0]) != string(listV1) {
				t.Errorf("applied %d lists, want only the kept listV1", a.count())
			}
			if st := f.Status(); !strings.Contains(st.Err, "another file") {
				t.Errorf("Status().Err = %q, want the file name refusal", st.Err)
			}
			if !strings.Contains(log, "signature made for another file") || !strings.Contains(log, "want file:allowlist.yaml") {
				t.Errorf("the log does not say why:\n%s", log)
			}
			if kept, _ := os.ReadFile(filepath.Join(dir, "remote-allowlist.yaml")); string(kept) != string(listV1) {
				t.Errorf("kept copy = %q, want listV1", kept)
			}
		})
	}
}

// TestFetcher_FileName checks Config.FileName: a list published under
// another URL name is accepted when the name it was signed for is given.
func TestFetcher_FileName(t *testing.T) {
	key := genKey(t)
	o := newOrigin(t)
	o.serve(listV1, signAs(t, key, listV1, "mairie.yaml", 100))
	a := newApplier()
	f, err := remote.New(&remote.Config{URL: o.url(), FileName: "mairie.yaml", PublicKey: key.Public().String(),
		Dir: t.TempDir(), RootCAs: o.roots(), Apply: a.apply})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Check(context.Background()); err != nil || a.count() != 1 {
		t.Fatalf("Check() = %v, applied %d; want the list signed for mairie.yaml", err, a.count())
	}
	if _, err := remote.New(&remote.Config{URL: "https://example.org/", PublicKey: key.Public().String(),
		Dir: t.TempDir(), Apply: a.apply}); err == nil {
		t.Error("New with a URL that names no file and no FileName succeeded")
	}
}

// TestFetcher_sameTimestamp: a file with the timestamp of the one in force
// is a no-op when its bytes are the same, refused when they differ.
func TestFetcher_sameTimestamp(t *testing.T) {
	key := genKey(t)
	o := newOrigin(t)
	dir := t.TempDir()
	logs := &logcapture.Buffer{}
	a := newApplier()
	f := newLoggedFetcher(t, o, key, dir, a, logs)
	o.serve(listV1, sign(t, key, listV1, 100))
	if err := f.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The same bytes signed again with the same timestamp: nothing changes.
	o.serve(listV1, sign(t, key, listV1, 100))
	if err := f.Check(context.Background()); err != nil || a.count() != 1 {
		t.Fatalf("same bytes, same timestamp: Check() = %v, applied %d; want nil, 1 (no-op)", err, a.count())
	}
	// Other bytes with the same timestamp: refused.
	o.serve(listV2, sign(t, key, listV2, 100))
	err := f.Check(context.Background())
	if !errors.Is(err, remote.ErrSameTimestamp) {
		t.Fatalf("other bytes, same timestamp: Check() = %v, want ErrSameTimestamp", err)
	}
	if a.count() != 1 {
		t.Errorf("applied %d lists, want listV1 only", a.count())
	}
	if kept, _ := os.ReadFile(filepath.Join(dir, "remote-allowlist.yaml")); string(kept) != string(listV1) {
		t.Errorf("kept copy = %q, want listV1", kept)
	}
	// After a restart, the kept copy's timestamp rules the same way.
	logs2 := &logcapture.Buffer{}
	a2 := newApplier()
	f2 := newLoggedFetcher(t, o, key, dir, a2, logs2)
	log := runRefused(t, f2, logs2)
	if a2.count() != 1 || string(a2.applied[0]) != string(listV1) {
		t.Errorf("after a restart: applied %d lists, want the kept listV1 only", a2.count())
	}
	if !strings.Contains(log, "timestamp of the one in force but other content") {
		t.Errorf("the log does not say why:\n%s", log)
	}
	// A file without a timestamp is refused too.
	sig, err := key.Sign(listV2, "test", "file:allowlist.yaml\thashed")
	if err != nil {
		t.Fatal(err)
	}
	o.serve(listV2, sig)
	if err := f.Check(context.Background()); !errors.Is(err, remote.ErrNoTimestamp) {
		t.Errorf("no timestamp: Check() = %v, want ErrNoTimestamp", err)
	}
}

// TestFetcher_olderThanKeptAtFirstFetch: with a kept copy on disk, the very
// first fetch refuses an older signed file, also when Check runs before
// Run and when the kept copy itself cannot be applied.
func TestFetcher_olderThanKeptAtFirstFetch(t *testing.T) {
	key := genKey(t)
	for _, tc := range []string{"Check first", "kept copy not applied"} {
		t.Run(tc, func(t *testing.T) {
			o := newOrigin(t)
			dir := t.TempDir()
			o.serve(listV2, sign(t, key, listV2, 200))
			if err := newFetcher(t, o, key, dir, newApplier()).Check(context.Background()); err != nil {
				t.Fatal(err)
			}
			o.serve(listV1, sign(t, key, listV1, 100)) // older, validly signed
			logs := &logcapture.Buffer{}
			a := newApplier()
			f := newLoggedFetcher(t, o, key, dir, a, logs)
			if tc == "Check first" {
				if err := f.Check(context.Background()); !errors.Is(err, remote.ErrRollback) {
					t.Fatalf("first fetch of an older file: %v, want ErrRollback", err)
				}
			} else {
				a.fail = errors.New("not valid for this version") // the kept copy is refused
				log := runRefused(t, f, logs)
				if !strings.Contains(log, remote.ErrRollback.Error()) || !strings.Contains(f.Status().Err, remote.ErrRollback.Error()) {
					t.Fatalf("first fetch of an older file: status %q, want the rollback refusal; log:\n%s", f.Status().Err, log)
				}
			}
			for _, d := range a.applied {
				if string(d) == string(listV1) {
					t.Fatal("the older list was applied")
				}
			}
			if kept, _ := os.ReadFile(filepath.Join(dir, "remote-allowlist.yaml")); string(kept) != string(listV2) {
				t.Errorf("kept copy = %q, want listV2", kept)
			}
		})
	}
}
