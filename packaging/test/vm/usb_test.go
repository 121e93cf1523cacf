//go:build vm

package vmtest

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"image"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/communes/kiosk/kiosk/clamd/clamdtest"
	"github.com/communes/kiosk/kiosk/usbdoc/usbdoctest"
)

// Colours of the test origin's upload pages (packaging/test/vm/origin).
var (
	uploadLink  = color.RGBA{106, 27, 154, 255} // demarches.test: "Envoyer un justificatif"
	uploadLabel = color.RGBA{0, 131, 143, 255}  // /upload: the form's file button
)

// keyLabel is the test key's volume label: udisks2 names the mount point
// after it, and it must reach no log of the kiosk.
const keyLabel = "CLE-MAIRIE"

// keyFiles are the files of the test key; the documents overlay lists them
// by name: avis-imposition.pdf (Joindre), eicar.com (threat), releve.pdf
// (a PDF with the custom signature: threat). Three rows: "Retirer la clé"
// and "Annuler" stay on a 1280×800 screen without scrolling. The other
// kinds (JPEG, PNG, HEIC, sizes, depth, names) are kiosk/usbdoc's and
// TestShell_AttachFromUSBKey's.
func keyFiles() map[string][]byte {
	return map[string][]byte{
		"avis-imposition.pdf": usbdoctest.TwoPagePDF(),
		"eicar.com":           clamdtest.EICAR,
		"releve.pdf":          append(append(usbdoctest.TwoPagePDF(), "% "...), clamdtest.Custom...),
	}
}

// makeKey writes a 64 MB USB key image: an MBR with one FAT partition
// labelled keyLabel holding files (mkfs.vfat and mtools: no mount, no
// root needed).
func makeKey(dir string, files map[string][]byte) (string, error) {
	img := filepath.Join(dir, "usb-key.img")
	run := func(stdin string, name string, args ...string) error {
		cmd := exec.Command(name, args...)
		cmd.Stdin = strings.NewReader(stdin)
		cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := os.WriteFile(img, nil, 0o644); err != nil {
		return "", err
	}
	if err := os.Truncate(img, 64<<20); err != nil {
		return "", err
	}
	if err := run("label: dos\nstart=2048, type=c\n", "sfdisk", "-q", img); err != nil {
		return "", err
	}
	if err := run("", "mkfs.vfat", "-n", keyLabel, "--offset", "2048", img, fmt.Sprint(63*1024)); err != nil {
		return "", err
	}
	src := filepath.Join(dir, "key-files")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return "", err
	}
	for name, data := range files {
		p := filepath.Join(src, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return "", err
		}
		if err := run("", "mcopy", "-i", img+"@@1048576", p, "::/"+name); err != nil {
			return "", fmt.Errorf("mcopy (package mtools): %w", err)
		}
	}
	return img, nil
}

// plugKey plugs a USB key holding the image at path into the virtual PC's
// xHCI controller, as id.
func (m *machine) plugKey(id, path string) error {
	if err := m.q.do("blockdev-add", map[string]any{
		"driver": "raw", "node-name": id,
		"file": map[string]any{"driver": "file", "filename": path},
	}, nil); err != nil {
		return err
	}
	return m.q.do("device_add", map[string]any{"driver": "usb-storage", "id": id, "drive": id, "removable": true}, nil)
}

// unplug pulls the USB device id out.
func (m *machine) unplug(id string) error {
	return m.q.do("device_del", map[string]any{"id": id}, nil)
}

// keyMounts is findmnt's line for each mount of a USB disk (sd*) in the
// guest: SOURCE TARGET FSTYPE OPTIONS.
func (r *run) keyMounts() ([]string, error) {
	out, err := r.m.sh("findmnt -rn -o SOURCE,TARGET,FSTYPE,OPTIONS | grep '^/dev/sd' || true")
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return lines, nil
}

// solidButtons are the overlay's "Joindre" buttons: solid portal blue,
// button-sized, top to bottom.
func solidButtons(img *image.RGBA) []blob {
	var out []blob
	for _, b := range blobs(img, portalBlue, 12) {
		w, h := b.box.Dx(), b.box.Dy()
		if w >= 90 && w <= 400 && h >= 40 && h <= 100 && b.n*2 > w*h {
			out = append(out, b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].box.Min.Y < out[j].box.Min.Y })
	return out
}

// outlinedButtons are the overlay's secondary buttons ("Retirer la clé",
// "Annuler"): a portal-blue frame around white, top to bottom.
func outlinedButtons(img *image.RGBA) []blob {
	var out []blob
	for _, b := range blobs(img, portalBlue, 12) {
		w, h := b.box.Dx(), b.box.Dy()
		if w >= 120 && w <= 700 && h >= 50 && h <= 110 && b.n*3 < w*h {
			out = append(out, b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].box.Min.Y < out[j].box.Min.Y })
	return out
}

// blueTextLines counts the lines of the overlay's portal-blue text (the
// USB part's message: "Vous pouvez retirer la clé." is one line at
// 1280×800, "Branchez votre clé USB pour joindre un document qu’elle
// contient." two): rows of letter-sized blobs inside the card, buttons
// left out.
func blueTextLines(img *image.RGBA) int {
	var boxes []image.Rectangle
	frames := outlinedButtons(img)
	for _, b := range blobs(img, portalBlue, 12) {
		if b.box.Dy() >= 40 || b.box.Dx() >= 60 || b.box.Min.X < 280 || b.box.Max.X > 1000 || b.box.Min.Y < 80 {
			continue // a button's frame or fill, or outside the card
		}
		if inside(b.box, frames) {
			continue // a letter of "Retirer la clé" or "Annuler"
		}
		boxes = append(boxes, b.box)
	}
	// Letters, accents and dots of one line overlap or nearly touch
	// vertically; lines are about 10 px apart.
	sort.Slice(boxes, func(i, j int) bool { return boxes[i].Min.Y < boxes[j].Min.Y })
	lines, bottom := 0, -1
	for _, b := range boxes {
		if lines == 0 || b.Min.Y > bottom+4 {
			lines++
		}
		bottom = max(bottom, b.Max.Y)
	}
	return lines
}

func inside(r image.Rectangle, bs []blob) bool {
	for _, b := range bs {
		if r.In(b.box) {
			return true
		}
	}
	return false
}

// openUploadForm brings demarches.test's form on the screen (from its
// page or from the blocked page of step 2) and returns its screendump.
func (r *run) openUploadForm() (*image.RGBA, error) {
	img, err := r.m.screen("before-upload")
	if err != nil {
		return nil, err
	}
	if find(img, uploadLabel, 8).Share > 0.2 {
		return img, nil
	}
	if find(img, uploadLink, 8).Share < 0.05 {
		// The blocked page: "Retour" leads back to demarches.test.
		back := largest(blobs(img, portalBlue, 12))
		if back.n < 5000 {
			return nil, fmt.Errorf("neither demarches.test's page nor the blocked page's Retour is on the screen: %s", r.m.last)
		}
		r.logf("touch Retour at %v", back.center())
		if err := r.m.touch(back.center(), img.Bounds().Dx(), img.Bounds().Dy()); err != nil {
			return nil, err
		}
		img, err = r.waitScreen("site-again", screenTimeout, func(img *image.RGBA) bool {
			return find(img, uploadLink, 8).Share > 0.05 && find(img, originGreen, 8).Share > 0.1
		})
		if err != nil {
			return nil, fmt.Errorf("demarches.test's page after Retour: %w", err)
		}
	}
	link := find(img, uploadLink, 8)
	r.logf("touch Envoyer un justificatif at %v", link.Center)
	if err := r.m.touch(link.Center, img.Bounds().Dx(), img.Bounds().Dy()); err != nil {
		return nil, err
	}
	img, err = r.waitScreen("upload-form", screenTimeout, func(img *image.RGBA) bool {
		return find(img, uploadLabel, 8).Share > 0.2
	})
	if err != nil {
		return nil, fmt.Errorf("demarches.test's upload form: %w", err)
	}
	return img, nil
}

// openDocuments touches the form's file button and waits for the kiosk's
// documents overlay (the page's file chooser).
func (r *run) openDocuments(form *image.RGBA) error {
	n, err := r.count("file chooser: documents offered")
	if err != nil {
		return err
	}
	label := find(form, uploadLabel, 8)
	r.logf("touch the form's file button at %v", label.Center)
	if err := r.m.touch(label.Center, form.Bounds().Dx(), form.Bounds().Dy()); err != nil {
		return err
	}
	if _, _, err := r.waitLog("file chooser: documents offered", n, 2*time.Minute); err != nil {
		return fmt.Errorf("the documents overlay did not open: %w", err)
	}
	_, err = r.waitScreen("documents", screenTimeout, func(img *image.RGBA) bool {
		return find(img, uploadLabel, 8).Share < 0.02 && find(img, color.RGBA{255, 255, 255, 255}, 3).Share > 0.15
	})
	return err
}

// usbKey: with --usb (docs/install.md), a key plugged in during the session
// is mounted by udisks2 under the shipped polkit rule, read-only, nosuid,
// nodev, noexec; clamd (the Debian service, a sigtool-built database)
// refuses the EICAR file and the custom signature's; "Joindre" sends the
// PDF to the site byte for byte; "Retirer la clé" unmounts the key; a
// keyboard plugged during the session gets no driver; nothing about the
// key reaches the kiosk's logs or its store. The key plugged again stays
// for step 5, whose end of session must unmount it.
func (r *run) usbKey() error {
	err := r.usbKeySteps()
	if err != nil {
		r.usbDiagnosis()
	}
	return err
}

// usbDiagnosis prints what the guest saw of USB: block devices, USB
// devices, the kernel's and udisks2's last lines, udisks2's D-Bus signals.
func (r *run) usbDiagnosis() {
	out, err := r.m.sh(`lsblk -o NAME,FSTYPE,RM,TRAN,MOUNTPOINT; for d in /sys/bus/usb/devices/*; do echo "$d $(cat $d/product 2>/dev/null) authorized=$(cat $d/authorized 2>/dev/null)"; done; ` +
		`echo '--- kernel'; journalctl -k -b --no-pager -o short-precise | tail -n 40; echo '--- udisks2'; journalctl -b -u udisks2 --no-pager -o short-precise | tail -n 20; ` +
		`echo '--- udisks2 signals'; tail -c 8000 /run/kiosk-test-udisks-signals.log 2>/dev/null`)
	if err != nil {
		r.logf("USB diagnosis: %v", err)
		return
	}
	r.logf("USB diagnosis:\n%s", out)
}

func (r *run) usbKeySteps() error {
	if _, err := r.m.sh(`(setsid dbus-monitor --system "type='signal',sender='org.freedesktop.UDisks2'" >/run/kiosk-test-udisks-signals.log 2>&1 &) ; true`); err != nil {
		r.logf("dbus-monitor: %v", err)
	}
	if st, err := r.state(); err != nil {
		return err
	} else if st != "active" {
		return fmt.Errorf("no session open (state %q): step 2 failed", st)
	}
	if out, err := r.m.sh("systemctl is-active clamav-daemon kiosk-usb-lock; test -e /run/kiosk/usb-locked && echo locked; grep '^KIOSK_SHELL_ARGS' /etc/default/kiosk-shell"); err != nil {
		return fmt.Errorf("clamav-daemon, kiosk-usb-lock: %w", err)
	} else if f := strings.Fields(out); len(f) < 3 || f[0] != "active" || f[1] != "active" || f[2] != "locked" || !strings.Contains(out, "--usb") {
		return fmt.Errorf("clamav-daemon, kiosk-usb-lock, the USB lock flag, --usb: %q", out)
	}
	if out, err := r.m.sh(`grep -E '^(VmRSS|RssAnon)' /proc/$(pidof clamd)/status | tr -s ' \t\n' ' '`); err == nil {
		r.logf("guest: clamd (Debian's clamav-daemon, the test's 2 signatures): %s", strings.TrimSpace(out))
	}
	files := keyFiles()
	img, err := makeKey(r.m.dir, files)
	if err != nil {
		return err
	}
	pdfSum := fmt.Sprintf("sha256=%x size=%d", sha256.Sum256(files["avis-imposition.pdf"]), len(files["avis-imposition.pdf"]))

	form, err := r.openUploadForm()
	if err != nil {
		return err
	}
	if err := r.openDocuments(form); err != nil {
		return err
	}
	c, err := r.counts("USB key listed", "USB key unmounted", "powering the USB key off")
	if err != nil {
		return err
	}
	listed, unmounted, powerOffFailed := c[0], c[1], c[2]
	t0, err := r.m.guestNow()
	if err != nil {
		return err
	}
	if err := r.m.plugKey("key1", img); err != nil {
		return fmt.Errorf("plugging the key: %w", err)
	}
	at, line, err := r.waitLog("USB key listed", listed, 3*time.Minute)
	if err != nil {
		return err
	}
	r.times.measure("USB key plugged in → files listed with their verdicts (3 files, "+r.m.accel+")", at.Sub(t0))
	r.logf("guest: %s", line)
	for _, want := range []string{"files=3", "attachable=1", "threats=2"} {
		if !strings.Contains(line, want) {
			return fmt.Errorf("the shell listed the key as %q, want %s (the PDF; EICAR and the custom signature refused)", line, want)
		}
	}
	for _, sig := range []string{clamdtest.EICARName, clamdtest.CustomName} {
		if _, _, err := r.waitLog("signature="+sig, 0, 10*time.Second); err != nil {
			return fmt.Errorf("clamd's verdict %s: %w", sig, err)
		}
	}
	mounts, err := r.keyMounts()
	if err != nil {
		return err
	}
	if len(mounts) != 1 {
		return fmt.Errorf("mounts of the key: %q, want one", mounts)
	}
	f := strings.Fields(mounts[0])
	if len(f) != 4 || !strings.HasPrefix(f[1], "/media/kiosk-session/") || f[2] != "vfat" {
		return fmt.Errorf("the key's mount %q: want udisks2's /media/kiosk-session/…, vfat", mounts[0])
	}
	opts := "," + f[3] + ","
	for _, o := range []string{"ro", "nosuid", "nodev", "noexec"} {
		if !strings.Contains(opts, ","+o+",") {
			return fmt.Errorf("the key is mounted %s, without %s", f[3], o)
		}
	}
	r.logf("guest: the key mounted by udisks2: %s", mounts[0])

	var shot *image.RGBA
	var attach []blob
	shot, err = r.waitScreen("usb-files", time.Minute, func(img *image.RGBA) bool {
		attach = solidButtons(img)
		return len(attach) == 1
	})
	if err != nil {
		return fmt.Errorf("one Joindre button (the PDF) in the overlay: %d: %w", len(attach), err)
	}
	if err := r.save(shot, "05b-usb-key"); err != nil {
		return err
	}

	// "Joindre" beside avis-imposition.pdf: the form sends
	// it at once; the origin logs its hash.
	lines, err := r.origin()
	if err != nil {
		return err
	}
	n0 := len(lines)
	attached, err := r.count("document attached from the USB key")
	if err != nil {
		return err
	}
	r.logf("touch Joindre at %v", attach[0].center())
	if err := r.m.touch(attach[0].center(), shot.Bounds().Dx(), shot.Bounds().Dy()); err != nil {
		return err
	}
	if _, _, err := r.waitLog("document attached from the USB key", attached, 2*time.Minute); err != nil {
		return err
	}
	var got []string
	if err := poll("the PDF at the origin", 2*time.Minute, time.Second, func() (bool, error) {
		var err error
		got, err = r.originSince(n0)
		return containsLine(got, "UPLOAD "), err
	}); err != nil {
		return err
	}
	if !containsLine(got, "UPLOAD "+pdfSum+` type=application/pdf name="avis-imposition.pdf"`) {
		return fmt.Errorf("the origin received %q, want the key's PDF byte for byte (%s), under its name", got, pdfSum)
	}
	r.logf("origin: %s", got[len(got)-1])
	copies, err := r.m.sh("ls " + r.profile + "/documents/ | grep -c '^usb-' || true")
	if err != nil {
		return err
	}
	if strings.TrimSpace(copies) != "1" {
		return fmt.Errorf("copies of the key's files in the session's profile: %s, want 1", strings.TrimSpace(copies))
	}

	// "Retirer la clé": unmounted (the drive powered off), the overlay
	// says it can be removed; then the key is pulled out.
	form, err = r.waitScreen("upload-form-again", screenTimeout, func(img *image.RGBA) bool {
		return find(img, uploadLabel, 8).Share > 0.2
	})
	if err != nil {
		return fmt.Errorf("the site's answer (its form again): %w", err)
	}
	if err := r.openDocuments(form); err != nil {
		return err
	}
	var eject []blob
	shot, err = r.waitScreen("usb-files-again", time.Minute, func(img *image.RGBA) bool {
		eject = outlinedButtons(img)
		return len(solidButtons(img)) == 1 && len(eject) == 2
	})
	if err != nil {
		return fmt.Errorf("the key's files and Retirer la clé / Annuler in the overlay (%d framed buttons): %w", len(eject), err)
	}
	r.logf("touch Retirer la clé at %v", eject[0].center())
	if err := r.m.touch(eject[0].center(), shot.Bounds().Dx(), shot.Bounds().Dy()); err != nil {
		return err
	}
	if _, _, err := r.waitLog("USB key unmounted", unmounted, 2*time.Minute); err != nil {
		return err
	}
	if mounts, err := r.keyMounts(); err != nil || len(mounts) != 0 {
		return fmt.Errorf("the key after Retirer la clé: mounts %q (%v)", mounts, err)
	}
	var cancel []blob
	var textLines int
	shot, err = r.waitScreen("usb-removable", time.Minute, func(img *image.RGBA) bool {
		cancel = outlinedButtons(img)
		textLines = blueTextLines(img)
		return len(solidButtons(img)) == 0 && len(cancel) == 1 && textLines == 1
	})
	if err != nil {
		return fmt.Errorf("the overlay after Retirer la clé (no Joindre, only Annuler, one line of blue text: %d): %w", textLines, err)
	}
	// udisks2's power-off removes the device a moment later: the notice
	// must stay while the overlay is open.
	if _, _, err := r.waitLog("USB key unmounted", unmounted, time.Second); err != nil {
		return err
	}
	if out, err := r.m.sh("ls /sys/block | grep -c '^sd' || true"); err != nil {
		return err
	} else if strings.TrimSpace(out) != "0" {
		r.logf("guest: the powered-off key is still a block device (%s)", strings.TrimSpace(out))
	}
	time.Sleep(3 * time.Second) // nothing to wait for: the screen must not change
	if img, err := r.m.screen("usb-removable-later"); err != nil {
		return err
	} else if n := blueTextLines(img); n != 1 {
		return fmt.Errorf("the overlay no longer says the key can be removed (%d lines of blue text, 2 is “Branchez votre clé USB…”): %s", n, r.m.last)
	}
	if err := r.save(shot, "05c-usb-key-removable"); err != nil {
		return err
	}
	if n, err := r.count("powering the USB key off"); err != nil {
		return err
	} else if n > powerOffFailed {
		_, l, _ := r.waitLog("powering the USB key off", powerOffFailed, time.Second)
		return fmt.Errorf("udisks2 refused to power the key off: %s", l)
	}
	if err := r.m.unplug("key1"); err != nil {
		return err
	}
	r.logf("touch Annuler at %v", cancel[0].center())
	if err := r.m.touch(cancel[0].center(), shot.Bounds().Dx(), shot.Bounds().Dy()); err != nil {
		return err
	}
	if _, err := r.waitScreen("upload-form-after-key", time.Minute, func(img *image.RGBA) bool {
		return find(img, uploadLabel, 8).Share > 0.2
	}); err != nil {
		return fmt.Errorf("the overlay did not close on Annuler: %w", err)
	}

	// A keyboard plugged in during the session (a "USB key" that types):
	// the kernel sees it, no driver binds, no input device appears.
	if err := r.intruder(); err != nil {
		return err
	}

	// The key plugged in again, left for step 5: the end of the session
	// must unmount it.
	if err := r.m.plugKey("key2", img); err != nil {
		return fmt.Errorf("plugging the key again: %w", err)
	}
	if _, _, err := r.waitLog("USB key listed", listed+1, 3*time.Minute); err != nil {
		return err
	}
	if mounts, err := r.keyMounts(); err != nil || len(mounts) != 1 {
		return fmt.Errorf("the key plugged in again: mounts %q (%v)", mounts, err)
	}
	r.keyPlugged = "key2"
	if err := r.keyPrivacy(files); err != nil {
		return err
	}
	r.usbDone = true
	return nil
}

// intruder plugs a USB keyboard into the running session and checks the
// kernel binds no driver to it (kiosk-usb-lock, 70-kiosk-usb.rules).
func (r *run) intruder() error {
	if err := r.m.q.do("device_add", map[string]any{"driver": "usb-kbd", "id": "intruder"}, nil); err != nil {
		return fmt.Errorf("plugging a keyboard: %w", err)
	}
	defer func() {
		if err := r.m.unplug("intruder"); err != nil {
			r.logf("unplugging the keyboard: %v", err)
		}
	}()
	// The device's interface: the kernel has enumerated the keyboard.
	var dev string
	if err := poll("the plugged keyboard in the guest's sysfs", 2*time.Minute, time.Second, func() (bool, error) {
		out, err := r.m.sh("for d in /sys/bus/usb/devices/*; do [ \"$(cat $d/product 2>/dev/null)\" = 'QEMU USB Keyboard' ] && [ -e $d/$(basename $d):1.0 ] && echo $d; done; true")
		dev = strings.TrimSpace(out)
		return dev != "", err
	}); err != nil {
		return err
	}
	iface := dev + "/" + filepath.Base(dev) + ":1.0"
	out, err := r.m.sh("cat " + iface + "/bInterfaceClass " + iface + "/authorized; test -e " + iface + "/driver && echo bound || echo unbound; grep -c 'QEMU USB Keyboard' /proc/bus/input/devices || true")
	if err != nil {
		return err
	}
	f := strings.Fields(out)
	if len(f) != 4 || f[0] != "03" || f[1] != "0" || f[2] != "unbound" || f[3] != "0" {
		return fmt.Errorf("the keyboard plugged during the session (%s): class, authorized, driver, input devices = %q, want 03 0 unbound 0", iface, f)
	}
	r.logf("guest: the plugged keyboard %s: class 03, authorized 0, no driver, no input device", filepath.Base(iface))
	// Its keys go nowhere: the session is still there, on the same page.
	before, err := r.m.screen("before-intruder-keys")
	if err != nil {
		return err
	}
	for _, k := range [][]string{{"ctrl", "alt", "f2"}, {"alt", "f4"}, {"a"}} {
		// QEMU sends keys to the keyboard plugged last.
		if err := r.m.keys(k...); err != nil {
			return err
		}
	}
	if err := r.onKiosk(); err != nil {
		return err
	}
	after, err := r.m.screen("after-intruder-keys")
	if err != nil {
		return err
	}
	if d := diff(before, after, 24); d > 0.2 {
		return fmt.Errorf("the plugged keyboard's keys changed the screen (%.0f%%): %s", d*100, r.m.last)
	}
	return nil
}

// keyPrivacy: the key's label and its file names are in no line of this
// boot's journal (the kiosk's units, udisks2 — whose mount notices the
// package drops —, the kernel: all of it but the test's own guest agent)
// and not in the usage store.
func (r *run) keyPrivacy(files map[string][]byte) error {
	words := []string{keyLabel}
	for name := range files {
		words = append(words, strings.TrimSuffix(name, filepath.Ext(name)))
	}
	pattern := strings.Join(words, `\|`)
	// qemu-ga logs the test's own commands (this grep's pattern).
	out, err := r.m.sh(`journalctl -b --no-pager -o short-precise | grep -v ' qemu-ga\[' | grep -e '` + pattern + `' | head -n 5 || true`)
	if err != nil {
		return err
	}
	if strings.TrimSpace(out) != "" {
		return fmt.Errorf("the journal names the key or its files:\n%s", out)
	}
	out, err = r.m.sh(`grep -l -a -e '` + pattern + `' /var/lib/kiosk/usage.db || true`)
	if err != nil {
		return err
	}
	if strings.TrimSpace(out) != "" {
		return errors.New("the usage store names the key or its files")
	}
	r.logf("neither the journal nor the usage store names the key (%s) or its files", keyLabel)
	return nil
}

// keyGone is step 5's check after "Terminer ma session": the key left
// plugged by usbKey is unmounted; then it is pulled out.
func (r *run) keyGone(unmountedBefore int) error {
	if r.keyPlugged == "" {
		return nil
	}
	if _, _, err := r.waitLog("USB key unmounted", unmountedBefore, time.Minute); err != nil {
		return fmt.Errorf("the end of the session did not unmount the key: %w", err)
	}
	if mounts, err := r.keyMounts(); err != nil || len(mounts) != 0 {
		return fmt.Errorf("the key after the session: mounts %q (%v)", mounts, err)
	}
	r.logf("the key plugged during the session was unmounted at its end")
	id := r.keyPlugged
	r.keyPlugged = ""
	return r.m.unplug(id)
}

// threatsCounted: kiosk stats lists the two signatures, once each.
func threatsCounted(stats string) error {
	for _, sig := range []string{clamdtest.EICARName, clamdtest.CustomName} {
		if !regexp.MustCompile(regexp.QuoteMeta(sig) + `\s+1\b`).MatchString(stats) {
			return fmt.Errorf("kiosk stats does not count %s once: %q", sig, stats)
		}
	}
	return nil
}
