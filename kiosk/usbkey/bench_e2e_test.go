//go:build linux && e2e

package usbkey_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/communes/kiosk/kiosk/clamd"
	"github.com/communes/kiosk/kiosk/clamd/clamdtest"
	"github.com/communes/kiosk/kiosk/usbdoc/usbdoctest"
	"github.com/communes/kiosk/kiosk/usbkey"
)

// benchKey is the key for the figures of docs/benchmarks.md: 20
// files totalling 30 MB (PDFs of 0.5 to 5 MB, photos, one EICAR), on a FAT
// file system on a loop device.
func benchKey(b *testing.B) (*usbdoctest.Key, int64) {
	b.Helper()
	jpg, png := usbdoctest.Images(b)
	files := map[string][]byte{
		"photo.jpg": jpg, "scan.png": png, "IMG_0001.HEIC": usbdoctest.HEIC(b, jpg), "eicar.com": clamdtest.EICAR,
		"attestation.pdf": usbdoctest.PDFOfSize(5 << 20),
	}
	var total int64
	for _, d := range files {
		total += int64(len(d))
	}
	for i := 0; len(files) < 20; i++ {
		d := usbdoctest.PDFOfSize(int(30<<20-total) / (20 - len(files)))
		files[fmt.Sprintf("document-%02d.pdf", i)] = d
		total += int64(len(d))
	}
	return usbdoctest.FAT(b, "BENCH", 64<<20, files), total
}

// BenchmarkController_List: a key plugged in → its 20 files (30 MB) listed
// with clamd's verdicts (docs/benchmarks.md: < 5 s).
func BenchmarkController_List(b *testing.B) {
	av := clamdtest.Start(b)
	key, total := benchKey(b)
	sc := &clamd.Client{Socket: av.Socket}
	b.ResetTimer()
	for range b.N {
		e := newFakeEdge(key.Dir)
		states := make(chan usbkey.State, 8)
		c, err := usbkey.New(usbkey.Config{Edge: e, Scanner: sc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Changed: func(st usbkey.State) { states <- st }})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- c.Run(ctx) }()
		b.Cleanup(func() { cancel(); <-done }) // before the key's unmount, on failure too
		start := time.Now()
		e.plugIn(dev)
		for st := range states {
			if st.Status == usbkey.StatusReady {
				// fusefat lists the volume label as a file too.
				if n := len(st.Files); n != 20 && n != 21 {
					b.Errorf("%d files listed, want 20", n)
				}
				break
			}
			if st.Status != usbkey.StatusReading {
				b.Fatalf("status %q", st.Status)
			}
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/listing")
		cancel()
	}
	b.ReportMetric(float64(total)/(1<<20), "MB")
}

// BenchmarkController_Copy5MB: attaching a 5 MB PDF, i.e. read, recognised
// and scanned again, then written into the profile (docs/benchmarks.md:
// < 1 s).
func BenchmarkController_Copy5MB(b *testing.B) {
	av := clamdtest.Start(b)
	key, _ := benchKey(b)
	e := newFakeEdge(key.Dir)
	states := make(chan usbkey.State, 8)
	c, err := usbkey.New(usbkey.Config{Edge: e, Scanner: &clamd.Client{Socket: av.Socket},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Changed: func(st usbkey.State) { states <- st }})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	b.Cleanup(func() { cancel(); <-done }) // before the key's unmount
	e.plugIn(dev)
	var st usbkey.State
	for st = range states {
		if st.Status == usbkey.StatusReady {
			break
		}
	}
	idx := -1
	for i, f := range st.Files {
		if f.Path == "attestation.pdf" {
			idx = i
		}
	}
	dst := b.TempDir()
	b.ResetTimer()
	for range b.N {
		if _, f, err := c.Copy(ctx, idx, dst); err != nil || f.Size != 5<<20 {
			b.Fatalf("Copy = %v (%d bytes)", err, f.Size)
		}
	}
}
