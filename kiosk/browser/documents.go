package browser

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/communes/kiosk/kiosk"
)

// Scanning for the documents residents attach to a form: what needs no
// WebKit (the browser process's part is scan_linux.go).

// scanTimeout bounds one scan (a flatbed at 200 dpi takes 10-30 s).
const scanTimeout = 2 * time.Minute

// scanFormat picks what a document is attached as, from the chooser's MIME
// types: a JPEG image when the page asks for images and not PDF, else PDF
// (what administrative sites accept most).
func scanFormat(accept string) string {
	images, pdf := false, false
	for _, m := range strings.Split(accept, ",") {
		m = strings.ToLower(strings.TrimSpace(m))
		switch {
		case m == "application/pdf":
			pdf = true
		case m == "image/*" || m == "image/jpeg" || m == "image/jpg" || m == "image/pjpeg":
			images = true
		}
	}
	if images && !pdf {
		return "jpeg"
	}
	return "pdf"
}

// scan runs scanimage(1) (package sane-utils) on device: one page, a JPEG
// in file, in colour at scanDPI; a device without those options gets its
// defaults.
func scan(ctx context.Context, device, dir, file string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("documents directory: %w", err)
	}
	run := func(extra ...string) error {
		args := append([]string{"--device-name=" + device, "--format=jpeg", "--output-file=" + file}, extra...)
		if _, err := kiosk.RunTool(ctx, scanTimeout, "scanimage", args...); err != nil {
			_ = os.Remove(file)
			return err
		}
		return nil
	}
	err := run("--mode=Color", "--resolution="+strconv.Itoa(scanDPI))
	if err != nil && strings.Contains(err.Error(), "unrecognized option") {
		err = run()
	}
	if err != nil {
		return err
	}
	if fi, err := os.Stat(file); err != nil || fi.Size() == 0 {
		_ = os.Remove(file)
		return fmt.Errorf("scanimage wrote no image (%v)", err)
	}
	return nil
}
