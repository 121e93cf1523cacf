//go:build !race

// Filling a year of data takes minutes under the race detector: this test runs in
// `go test` without -race only; BenchmarkStore_Report400Days reports the same size.

package usage

import (
	"path/filepath"
	"testing"
)

// TestStore_YearFileSize fills a store with 400 days of 200 sessions and checks that
// the file stays under 20 MB (issue 3).
func TestStore_YearFileSize(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a year of data; run without -short")
	}
	path := filepath.Join(t.TempDir(), "usage.db")
	s := fillYear(t, path, 400, 200)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	const limit = 20 << 20
	size := fileSize(t, path)
	t.Logf("400 days x 200 sessions: %.2f MB", float64(size)/(1<<20))
	if size > limit {
		t.Errorf("file size %d bytes, want < %d", size, limit)
	}
}
