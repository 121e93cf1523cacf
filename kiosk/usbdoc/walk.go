package usbdoc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// List walks the key and returns its entries with their verdicts. Every
// regular file within the size limit is read once and scanned; a file is
// attachable only when the scanner answered that it is clean. List returns
// an error only when the root cannot be read.
func (k *Key) List(ctx context.Context) (*Listing, error) {
	l := &Listing{}
	if k.conf.Scanner == nil {
		l.ScanErr = ErrNoScanner
	}
	if err := k.walk(ctx, l, ".", 0); err != nil && !errors.Is(err, errFull) {
		return nil, err
	}
	return l, nil
}

// walk lists dir (depth directories under the root) into l.
func (k *Key) walk(ctx context.Context, l *Listing, dir string, depth int) error {
	names, err := k.readDir(dir, k.conf.MaxFiles+1-len(l.Files))
	if err != nil {
		if dir == "." {
			return fmt.Errorf("reading the key: %w", anonymous(err))
		}
		return k.add(l, File{Path: shown(dir), Reason: ReasonUnreadable})
	}
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		rel := path.Join(dir, name)
		if !validName(name) {
			if err := k.add(l, File{Path: shown(rel), Reason: ReasonName}); err != nil {
				return err
			}
			continue
		}
		if strings.HasPrefix(name, ".") {
			continue // hidden: .Trashes, .Spotlight-V100, macOS's ._ files
		}
		info, err := k.root.Lstat(rel)
		if err != nil {
			if err := k.add(l, File{Path: rel, Reason: ReasonUnreadable}); err != nil {
				return err
			}
			continue
		}
		switch {
		case info.IsDir() && depth >= k.conf.MaxDepth:
			err = k.add(l, File{Path: rel + "/", Reason: ReasonTooDeep})
		case info.IsDir():
			err = k.walk(ctx, l, rel, depth+1)
		default:
			f, _ := k.check(ctx, l, rel, info)
			err = k.add(l, f)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// errFull stops the walk once the listing holds MaxFiles entries.
var errFull = errors.New("listing full")

// add appends f, or marks l truncated when it is full.
func (k *Key) add(l *Listing, f File) error {
	if len(l.Files) >= k.conf.MaxFiles {
		l.Truncated = true
		return errFull
	}
	l.Files = append(l.Files, f)
	return nil
}

// readDir returns at most n+1 names of dir, sorted (so the listing is the
// same on every read of the key).
func (k *Key) readDir(dir string, n int) ([]string, error) {
	f, err := k.root.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Bound the names read from one directory: a crafted file system can
	// hold millions. Hidden ones are skipped, so read more than n.
	names, err := f.Readdirnames(4*n + 16)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	slices.Sort(names)
	return names, nil
}

// check reads one file (not a directory) and gives its verdict on the
// bytes it returns.
func (k *Key) check(ctx context.Context, l *Listing, rel string, info fs.FileInfo) (File, []byte) {
	f := File{Path: rel, Size: info.Size()}
	if !info.Mode().IsRegular() {
		f.Reason = ReasonNotRegular
		return f, nil
	}
	if info.Size() > k.conf.MaxSize {
		f.Reason = ReasonTooBig
		return f, nil
	}
	data, err := k.read(rel, info)
	if err != nil {
		f.Reason = ReasonUnreadable
		if errors.Is(err, errTooBig) {
			f.Reason = ReasonTooBig
		}
		return f, nil
	}
	f.Size = int64(len(data))
	f.Kind = Detect(data)
	threat, err := k.scan(ctx, l, data)
	switch {
	case threat != "":
		f.Reason, f.Threat = ReasonThreat, threat
	case err != nil:
		f.Reason = ReasonNoScan
	case f.Kind == KindOther:
		f.Reason = ReasonType
	}
	if f.Kind == KindPDF {
		f.Pages = pdfPages(data)
	}
	return f, data
}

// scan asks the scanner once l has no scan error; after the first error
// no file is scanned nor offered.
func (k *Key) scan(ctx context.Context, l *Listing, data []byte) (string, error) {
	if l != nil && l.ScanErr != nil {
		return "", l.ScanErr
	}
	if k.conf.Scanner == nil {
		return "", ErrNoScanner
	}
	res, err := k.conf.Scanner.Scan(ctx, bytes.NewReader(data))
	if err != nil {
		if l != nil {
			l.ScanErr = err
		}
		return "", err
	}
	return res.Threat, nil
}

var errTooBig = errors.New("file over the size limit")

// read reads rel, which Lstat said is info, checking that the file opened
// is that one (not a symbolic link put in its place) and stays in size.
func (k *Key) read(rel string, info fs.FileInfo) ([]byte, error) {
	file, err := k.root.OpenFile(rel, openFlags, 0)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	opened, err := file.Stat()
	if err != nil {
		return nil, err
	}
	if !opened.Mode().IsRegular() || !os.SameFile(info, opened) {
		return nil, fmt.Errorf("%w: the file changed while opened", fs.ErrInvalid)
	}
	data, err := io.ReadAll(io.LimitReader(file, k.conf.MaxSize+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > k.conf.MaxSize {
		return nil, errTooBig
	}
	return data, nil
}

// validName refuses names that could be read as a path or mislead the
// resident: "..", separators, control characters, invalid UTF-8.
func validName(name string) bool {
	if name == "" || strings.Contains(name, "..") || strings.ContainsAny(name, `/\`) || !utf8.ValidString(name) {
		return false
	}
	return !strings.ContainsFunc(name, unicode.IsControl)
}

// shown is a refused path as the panel may print it.
func shown(p string) string {
	p = strings.ToValidUTF8(p, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '\uFFFD'
		}
		return r
	}, p)
}
