//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

func TestParseSmaps(t *testing.T) {
	text := `55d0c0000000-55d0c0200000 r-xp 00000000 08:01 1234 /usr/bin/kiosk
Size:               2048 kB
Rss:                 800 kB
Anonymous:             0 kB
Private_Dirty:         0 kB
VmFlags: rd ex mr mw me dw
55d0c0200000-55d0c0210000 r--p 00200000 08:01 1234 /usr/lib/libx.so (deleted)
Rss:                  64 kB
Anonymous:            60 kB
Private_Dirty:        60 kB
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]
Rss:                  12 kB
7f0000000000-7f0000001000 r--p 00000000 08:01 99 /usr/lib/liby.so
Rss:                   4 kB
`
	got, err := parseSmaps(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("got %d mappings, want 4: %+v", len(got), got)
	}
	want := []struct {
		file  bool
		rss   uint64
		clean bool
	}{
		{true, 800 << 10, true},  // code: read-only, nothing private
		{true, 64 << 10, false},  // RELRO: anonymous copies
		{false, 12 << 10, false}, // [stack]: anonymous, writable
		{true, 4 << 10, false},   // no Anonymous line: unknown, kept
	}
	for i, w := range want {
		if got[i].file != w.file || got[i].rss != w.rss || got[i].cleanReadOnlyFile() != w.clean {
			t.Errorf("mapping %d = %+v (clean %v), want file %v rss %d clean %v",
				i, got[i], got[i].cleanReadOnlyFile(), w.file, w.rss, w.clean)
		}
	}
	if got[0].start != 0x55d0c0000000 || got[0].end != 0x55d0c0200000 {
		t.Errorf("mapping 0 spans %#x-%#x", got[0].start, got[0].end)
	}
}

// TestDropCleanFilePages maps two files the way the dynamic loader does: one
// read-only (code, read-only data), one written after mapping and then made
// read-only (relocated data, RELRO). Trimming must unmap the first's pages
// and keep what was written in the second. Both files were just written, so
// their page-cache pages are dirty, as a freshly installed binary's are.
func TestDropCleanFilePages(t *testing.T) {
	const size = 1 << 20
	content := bytes.Repeat([]byte("kiosk-trim-"), size/11+1)[:size]
	mapFile := func(name string, prot int) []byte {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, content, 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		b, err := unix.Mmap(int(f.Fd()), 0, size, prot, unix.MAP_PRIVATE)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unix.Munmap(b) })
		return b
	}
	code := mapFile("code", unix.PROT_READ)
	relro := mapFile("relro", unix.PROT_READ|unix.PROT_WRITE)
	copy(relro[4096:], "relocated")
	if err := unix.Mprotect(relro, unix.PROT_READ); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < size; i += 4096 {
		trimSink += code[i] // fault every page in
	}

	if rss := rssOf(t, code); rss < size/2 {
		t.Fatalf("before trimming, %d bytes of the read-only mapping are resident", rss)
	}
	dropped, err := dropCleanFilePages()
	if err != nil {
		t.Fatal(err)
	}
	if dropped < size/2 {
		t.Errorf("dropped %d bytes, want at least the mapping's %d", dropped, size)
	}
	if rss := rssOf(t, code); rss != 0 {
		t.Errorf("after trimming, %d bytes of the read-only mapping are still resident", rss)
	}
	if !bytes.Equal(code, content) {
		t.Error("the read-only mapping no longer reads as its file")
	}
	if got := string(relro[4096 : 4096+9]); got != "relocated" {
		t.Errorf("the written, then read-only mapping reads %q: its private page was dropped", got)
	}
}

// trimSink keeps the reads that fault pages in from being optimised away.
var trimSink byte

// rssOf returns the resident bytes of the mapping that starts at b.
func rssOf(t *testing.T, b []byte) uint64 {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	maps, err := parseSmaps(f)
	if err != nil {
		t.Fatal(err)
	}
	start := uintptr(unsafe.Pointer(&b[0]))
	for _, m := range maps {
		if m.start == start {
			return m.rss
		}
	}
	t.Fatalf("no mapping at %#x", start)
	return 0
}

// TestParseSmaps_Allocations: the parser's garbage would stay resident in the
// process it trims, so it allocates the result and its reader only, however
// many mappings there are.
func TestParseSmaps_Allocations(t *testing.T) {
	var b strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&b, "%x-%x r--p 00000000 08:01 1234 /usr/lib/lib%d.so\nRss: 4 kB\nAnonymous: 0 kB\nVmFlags: rd mr mw me\n",
			0x7f0000000000+i*0x10000, 0x7f0000001000+i*0x10000, i)
	}
	text := b.String()
	allocs := testing.AllocsPerRun(5, func() {
		maps, err := parseSmaps(strings.NewReader(text))
		if err != nil || len(maps) != 1000 {
			t.Fatalf("parsed %d mappings, err %v", len(maps), err)
		}
	})
	if allocs > 8 {
		t.Errorf("parsing 1000 mappings made %.0f allocations, want a handful", allocs)
	}
}
