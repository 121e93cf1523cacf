// Package usbdoc lists and copies the documents on a resident's USB key,
// mounted read-only by the system (udisks2): only PDF, JPEG, PNG and
// HEIC/HEIF files, recognised by their content, each scanned by the
// antivirus before it is offered. The walk never follows a symbolic link,
// never leaves the mount, stops at a depth, a number of entries and a
// size, and nothing on the key is executed: the bytes are read by this
// package only (a HEIC photo is converted from a copy).
//
// Nothing here logs: file names and the key's label must reach neither
// the journal nor the usage store (the caller logs counts only), and no
// error this package returns names a file or the mount point (which
// udisks2 names after the label).
package usbdoc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/communes/kiosk/kiosk/clamd"
)

// Defaults of Config's limits.
const (
	DefaultMaxFiles = 200
	DefaultMaxSize  = 20 << 20
	DefaultMaxDepth = 4
)

// Scanner gives the antivirus's verdict on a stream; *clamd.Client is one.
// An error means no verdict: the file is not offered (fail closed).
type Scanner interface {
	Scan(ctx context.Context, r io.Reader) (clamd.Result, error)
}

// type check
var _ Scanner = (*clamd.Client)(nil)

// Config says which key to read and how.
type Config struct {
	// Dir is the key's mount point; must not be empty.
	Dir string
	// Scanner scans every file before it is offered; if nil, nothing is
	// offered (fail closed).
	Scanner Scanner
	// MaxFiles is how many entries a listing holds at most; if zero,
	// DefaultMaxFiles.
	MaxFiles int
	// MaxSize is the largest file offered, in bytes; if zero,
	// DefaultMaxSize.
	MaxSize int64
	// MaxDepth is how many directories deep the walk goes (0: the root
	// only); if zero, DefaultMaxDepth. Use -1 for the root only.
	MaxDepth int
	// HEIFConvert is the program that converts a HEIC photo to JPEG
	// (Debian's libheif-examples); if empty, "heif-convert" in PATH.
	HEIFConvert string
}

// Key is a mounted key being read. It's safe for concurrent use.
type Key struct {
	root *os.Root
	conf Config
}

// ErrNoScanner is the listing's ScanErr when Config.Scanner is nil.
var ErrNoScanner = errors.New("no antivirus configured")

// Open opens the key mounted at conf.Dir; Close releases it (before the
// key is unmounted).
func Open(conf Config) (*Key, error) {
	if conf.MaxFiles == 0 {
		conf.MaxFiles = DefaultMaxFiles
	}
	if conf.MaxSize == 0 {
		conf.MaxSize = DefaultMaxSize
	}
	switch conf.MaxDepth {
	case 0:
		conf.MaxDepth = DefaultMaxDepth
	case -1:
		conf.MaxDepth = 0
	}
	if conf.HEIFConvert == "" {
		conf.HEIFConvert = "heif-convert"
	}
	root, err := os.OpenRoot(conf.Dir)
	if err != nil {
		return nil, fmt.Errorf("opening the key: %w", anonymous(err))
	}
	return &Key{root: root, conf: conf}, nil
}

// Close closes the key's root directory.
func (k *Key) Close() error {
	return k.root.Close()
}

// File is one entry of a listing.
type File struct {
	// Path is the file's slash-separated path on the key, as shown to the
	// resident (control characters and invalid UTF-8 replaced); it is
	// what Copy takes. Never log it.
	Path string `json:"path"`
	// Size is the size in bytes.
	Size int64 `json:"size"`
	// Kind is the type read from the content.
	Kind Kind `json:"kind"`
	// Pages is a PDF's page count, 0 when unknown.
	Pages int `json:"pages,omitempty"`
	// Reason is why the file is not attachable, empty when it is.
	Reason Reason `json:"reason,omitempty"`
	// Threat is the antivirus's signature name when Reason is ReasonThreat.
	Threat string `json:"threat,omitempty"`
}

// Attachable says whether the resident may attach the file.
func (f File) Attachable() bool { return f.Reason == ReasonNone }

// Listing is what List found on the key.
type Listing struct {
	// Files are the entries in walk order (directories sorted by name).
	Files []File `json:"files"`
	// Truncated says the key holds more than Config.MaxFiles entries.
	Truncated bool `json:"truncated,omitempty"`
	// ScanErr is why the antivirus gave no verdict (its first error):
	// then no file is attachable.
	ScanErr error `json:"-"`
}

// Threats are the listing's detections: signature names, one per file.
func (l *Listing) Threats() []string {
	var names []string
	for _, f := range l.Files {
		if f.Reason == ReasonThreat {
			names = append(names, f.Threat)
		}
	}
	return names
}

// anonymous drops the path from err (an *fs.PathError or *os.LinkError
// names the file), keeping the operation and the cause, which errors.Is
// still matches (fs.ErrNotExist...).
func anonymous(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return fmt.Errorf("%s: %w", le.Op, le.Err)
	}
	return err
}
