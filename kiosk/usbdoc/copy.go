package usbdoc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// convertTimeout bounds one HEIC conversion.
const convertTimeout = 30 * time.Second

// ErrNotAttachable is wrapped by Copy's error when the file is not one a
// resident may attach (its File.Reason says why).
var ErrNotAttachable = errors.New("file not attachable")

// Copy copies the file at rel (a File.Path of a listing) into dstDir, a
// directory of the session's profile, and returns the copy's path: in a new
// directory usb-RANDOM, the file's own name (sendName) ending in .pdf, .jpg
// or .png (a HEIC photo becomes a JPEG). The
// file is read, recognised and scanned again, and the bytes copied are the
// ones scanned, even if the key changed since the listing. On error no
// copy is left behind, and the error wraps ErrNotAttachable with the File
// saying why when the file is refused.
func (k *Key) Copy(ctx context.Context, rel, dstDir string) (string, File, error) {
	f := File{Path: rel}
	if err := k.checkPath(rel); err != nil {
		f.Reason = ReasonName
		return "", f, fmt.Errorf("%w: %w", ErrNotAttachable, anonymous(err))
	}
	info, err := k.root.Lstat(rel)
	if err != nil {
		return "", f, fmt.Errorf("reading the file: %w", anonymous(err))
	}
	f, data := k.check(ctx, nil, rel, info)
	if !f.Attachable() {
		return "", f, fmt.Errorf("%w: %s", ErrNotAttachable, f.Reason)
	}
	// A directory of its own, so that the copy keeps the key's file name
	// (the site shows it to the resident: "avis-imposition.pdf", not a
	// number) without meeting another copy's.
	dir := filepath.Join(dstDir, "usb-"+randomName())
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", f, fmt.Errorf("creating the documents directory: %w", err)
	}
	base := filepath.Join(dir, sendName(rel))
	var dst string
	switch f.Kind {
	case KindHEIC:
		dst, err = k.convertHEIC(ctx, data, base)
	case KindPNG:
		dst, f, err = writeNew(base+".png", data, f)
	case KindJPEG:
		dst, f, err = writeNew(base+".jpg", data, f)
	default:
		dst, f, err = writeNew(base+".pdf", data, f)
	}
	if err != nil {
		_ = os.RemoveAll(dir)
		return "", f, err
	}
	return dst, f, nil
}

// checkPath refuses a path that is not one List gives: every element a
// valid name, within the depth limit, every directory a real directory
// (not a symbolic link).
func (k *Key) checkPath(rel string) error {
	elems := strings.Split(rel, "/")
	if rel == "" || len(elems) > k.conf.MaxDepth+1 {
		return errors.New("path outside the listing")
	}
	for i, e := range elems {
		if !validName(e) || strings.HasPrefix(e, ".") {
			return errors.New("invalid name in the path")
		}
		if i == len(elems)-1 {
			break
		}
		info, err := k.root.Lstat(path.Join(elems[:i+1]...))
		if err != nil {
			return fmt.Errorf("reading the path: %w", err)
		}
		if !info.IsDir() {
			return errors.New("path through something other than a directory")
		}
	}
	return nil
}

// writeNew writes data to a new file only the session reads.
func writeNew(name string, data []byte, f File) (string, File, error) {
	out, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", f, fmt.Errorf("copying the file: %w", err)
	}
	_, err = out.Write(data)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(name)
		return "", f, fmt.Errorf("copying the file: %w", err)
	}
	return name, f, nil
}

// convertHEIC writes data (a scanned HEIC photo) next to base, converts
// that copy to base.jpg with heif-convert and removes it: the converter
// never reads the key.
func (k *Key) convertHEIC(ctx context.Context, data []byte, base string) (string, error) {
	src, _, err := writeNew(base+".heic", data, File{})
	if err != nil {
		return "", err
	}
	defer os.Remove(src)
	dst := base + ".jpg"
	ctx, cancel := context.WithTimeout(ctx, convertTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, k.conf.HEIFConvert, "-q", "90", src, dst)
	cmd.Env = []string{"LC_ALL=C", "PATH=/usr/bin:/bin"}
	out, err := cmd.CombinedOutput()
	// An image with several top-level pictures becomes base-1.jpg, ...:
	// the first is the photo.
	if _, serr := os.Stat(dst); errors.Is(serr, os.ErrNotExist) {
		if matches, _ := filepath.Glob(base + "-*.jpg"); len(matches) > 0 {
			for _, m := range matches[1:] {
				_ = os.Remove(m)
			}
			_ = os.Rename(matches[0], dst)
		}
	}
	if err == nil {
		err = checkJPEG(dst)
	}
	if err != nil {
		_ = os.Remove(dst)
		return "", fmt.Errorf("converting the HEIC photo: %w (%s)", err, strings.TrimSpace(string(out)))
	}
	return dst, nil
}

// checkJPEG checks that the converter wrote a JPEG.
func checkJPEG(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, headSize)
	n, _ := f.Read(head)
	if Detect(head[:n]) != KindJPEG {
		return errors.New("the converter wrote no JPEG")
	}
	return nil
}

// maxSendName bounds the name a copy is sent under, in bytes, before its
// extension.
const maxSendName = 100

// sendName is the name, without extension, a copy of the key's file at rel
// is sent to the site under: its base name without its extension, with
// only letters, digits, spaces and "-_.,()'" kept (anything else becomes
// "_"), cut to maxSendName bytes; "document" when nothing is left. The
// extension is the content's (.pdf, .jpg, .png), whatever the key said.
func sendName(rel string) string {
	name := path.Base(rel)
	if ext := path.Ext(name); ext != "" && ext != name {
		name = strings.TrimSuffix(name, ext)
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == ' ', strings.ContainsRune("-_.,()'", r):
		default:
			r = '_'
		}
		if b.Len()+utf8.RuneLen(r) > maxSendName {
			break
		}
		b.WriteRune(r)
	}
	out := strings.Trim(b.String(), " .")
	if strings.Trim(out, "_") == "" {
		return "document"
	}
	return out
}

// randomName is a name that says nothing of the original.
func randomName() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
