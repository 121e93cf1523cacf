//go:build webview && linux

package kiosk_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/kiosk/clamd/clamdtest"
	"github.com/communes/kiosk/kiosk/usbdoc/usbdoctest"
	"github.com/communes/kiosk/kiosk/usbkey"
	"github.com/communes/kiosk/kiosk/usbkey/udiskstest"
)

// keyLabel is the test key's volume label (udisks2 names the mount point
// after it): it must appear in no log and not in the store.
const keyLabel = "CLE-MAIRIE"

// usbFile is the documents overlay's entry of the key's file name.
func usbFile(name string) string {
	return `Array.from(` + jsDocs + `.querySelectorAll('.usb-files li')).find(function (li) { return li.querySelector('.name').textContent === '` + name + `'; })`
}

// pressUSB presses "Joindre" beside the key's file name.
func (r *rig) pressUSB(name string) {
	r.t.Helper()
	btn := usbFile(name) + `.querySelector('button.usbattach')`
	r.mustEval(btn + ".scrollIntoView({block: 'center'}); 1")
	r.press(btn)
}

// reopenUpload loads the site's form again (after a sent form, whose
// answer has the same address).
func (r *rig) reopenUpload() {
	r.t.Helper()
	r.mustEval("location.href = '" + siteURL + "upload?again=' + Date.now(); 1")
	r.waitEval("the site's form", "location.pathname === '/upload' && document.getElementById('file') && document.readyState === 'complete'", 10*time.Second)
}

// TestShell_AttachFromUSBKey: with --usb, a key plugged in during the
// session (a FAT file system on a loop device; udisks2 played on a private
// bus, clamd real with the test signatures) is listed in the documents
// overlay with its verdicts; the origin receives the PDF byte for byte and
// the JPEG made from the HEIC photo; "Retirer la clé" unmounts it and
// powers it off; another site's form lists nothing; with clamd stopped
// nothing is attachable and the overlay says why; the end of the session
// unmounts the key and erases the copies; nothing about the key reaches
// the logs or the store, and the threats are counted by signature.
func TestShell_AttachFromUSBKey(t *testing.T) {
	av := clamdtest.Start(t)
	bus := udiskstest.Start(t)
	jpg, png := usbdoctest.Images(t)
	pdf := usbdoctest.TwoPagePDF()
	files := map[string][]byte{
		"avis-imposition.pdf": pdf,
		"IMG_0001.HEIC":       usbdoctest.HEIC(t, jpg),
		"scan.png":            png,
		"eicar.com":           clamdtest.EICAR,
		"facture.pdf":         clamdtest.EICAR,
		"programme.pdf":       append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), make([]byte, 512)...),
		"notes.txt":           []byte("a text file\n"),
	}
	key := usbdoctest.FAT(t, keyLabel, 64<<20, files)
	r := newRig(t, rigOptions{
		shellArgs: []string{"--usb", "--clamd-socket", av.Socket}, shellEnv: []string{bus.Env()},
		hosts:     []string{otherSite},
		allowlist: "  - name: Impots\n    hosts:\n      - ." + otherSite + "\n",
	})
	r.sessionOn("upload")
	bus.WaitCall(t, "GetManagedObjects", 10*time.Second) // the session follows keys

	// The resident touches the form's file button (no scanner: the
	// overlay offers the key only), then plugs the key in.
	mark := r.log.len()
	r.touchEval("document.getElementById('file').click(); 1")
	r.log.wait(t, "file chooser: documents offered", mark, 5*time.Second)
	r.waitEval("the overlay's USB part", "!"+jsDocs+".hidden && "+jsDocs+".textContent.includes('Clé USB') && "+jsDocs+".textContent.includes('Branchez votre clé USB') && !"+jsDocs+".querySelector('button.scan').getClientRects().length", 5*time.Second)
	bus.Plug(t, key.Dir)
	if c := bus.WaitCall(t, "Mount", 10*time.Second); c != "Mount "+usbkey.MountOptions+" no_interaction" {
		t.Errorf("udisks2 was asked %q", c)
	}
	r.log.wait(t, "USB key listed", mark, 30*time.Second)
	r.waitEval("the key's files", usbFile("avis-imposition.pdf")+" && "+usbFile("notes.txt"), 5*time.Second)
	for name, want := range map[string]string{
		"avis-imposition.pdf": "PDF · ",
		"IMG_0001.HEIC":       "HEIC · ",
		"scan.png":            "PNG · ",
		"eicar.com":           "refusé : menace détectée",
		"facture.pdf":         "refusé : menace détectée",
		"programme.pdf":       "non accepté : seuls les PDF, JPEG, PNG et HEIC sont acceptés",
		"notes.txt":           "non accepté : seuls les PDF, JPEG, PNG et HEIC sont acceptés",
	} {
		li := usbFile(name)
		got := string(r.mustEval(li + ".textContent + '|' + !!" + li + ".querySelector('button.usbattach')").Result)
		if !strings.Contains(got, want) || strings.HasSuffix(got, `|true"`) != strings.Contains(want, " · ") {
			t.Errorf("%s in the overlay: %s, want %q (and Joindre only beside an accepted file)", name, got, want)
		}
	}
	if got := string(r.mustEval(usbFile("avis-imposition.pdf") + ".textContent").Result); !strings.Contains(got, "2 pages") {
		t.Errorf("the PDF's entry %s does not give its pages", got)
	}
	if dir := os.Getenv("KIOSK_SCREENSHOTS"); dir != "" {
		r.shot(filepath.Join(dir, "documents-usb.png"))
	}

	// A site's script cannot use the toolbar's USB binding, even right
	// after the resident's touch.
	r.touchEval("window.__u = ''; (window.kioskUSB ? kioskUSB('attach', 0) : Promise.reject('unbound')).then(function () { window.__u = 'resolved'; }, function (e) { window.__u = 'rejected ' + e; }); 1")
	r.waitEval("kioskUSB settled", "window.__u !== ''", 5*time.Second)
	if got := string(r.mustEval("window.__u + ' ' + document.getElementById('file').files.length").Result); !strings.Contains(got, "rejected") || !strings.HasSuffix(got, ` 0"`) {
		t.Errorf("kioskUSB from the site's script: %s, want a rejection and no file", got)
	}

	// "Joindre" beside the PDF: the page reads it and the form sends it.
	mark = r.log.len()
	r.pressUSB("avis-imposition.pdf")
	r.log.wait(t, "document attached from the USB key", mark, 10*time.Second)
	r.waitEval("the page read the PDF", "document.getElementById('chosen').textContent.indexOf('|application/pdf|%PDF-') > 0", 10*time.Second)
	r.mustEval("document.getElementById('f').submit(); 1")
	r.waitEval("the site's answer", "document.getElementById('h') && document.getElementById('h').textContent.indexOf('reçu') === 0", 10*time.Second)
	if ups := r.origin.uploaded(); len(ups) != 1 || !bytes.Equal(ups[0].data, pdf) {
		t.Fatalf("the site received %d file(s), want the key's PDF byte for byte", len(ups))
	} else if ups[0].name != "avis-imposition.pdf" {
		t.Errorf("the site received the PDF as %q, want the key's name avis-imposition.pdf", ups[0].name)
	}

	// The HEIC photo goes as a JPEG.
	r.reopenUpload()
	mark = r.log.len()
	r.touchEval("document.getElementById('file').click(); 1")
	r.log.wait(t, "file chooser: documents offered", mark, 5*time.Second)
	r.waitEval("the key's files again", usbFile("IMG_0001.HEIC"), 5*time.Second)
	r.pressUSB("IMG_0001.HEIC")
	r.log.wait(t, "document attached from the USB key", mark, 30*time.Second)
	r.waitEval("the page read the photo", "document.getElementById('chosen').textContent.indexOf('|image/jpeg|') > 0", 10*time.Second)
	r.mustEval("document.getElementById('f').submit(); 1")
	r.waitEval("the site's answer", "document.getElementById('h') && document.getElementById('h').textContent.indexOf('reçu') === 0", 10*time.Second)
	ups := r.origin.uploaded()
	if len(ups) != 2 || !bytes.HasPrefix(ups[1].data, []byte{0xff, 0xd8, 0xff}) || ups[1].contentType != "image/jpeg" || ups[1].name != "IMG_0001.jpg" {
		t.Fatalf("the site's second file is not the photo as a JPEG (%d files)", len(ups))
	}
	copies, _ := filepath.Glob(filepath.Join(r.data, "profiles", "*", "documents", "usb-*"))
	if len(copies) != 2 {
		t.Errorf("the copies are not in the session's profile: %d", len(copies))
	}

	// "Retirer la clé": unmounted, powered off, and the overlay says so.
	r.reopenUpload()
	mark = r.log.len()
	r.touchEval("document.getElementById('file').click(); 1")
	r.log.wait(t, "file chooser: documents offered", mark, 5*time.Second)
	r.waitEval("the key's files again", usbFile("avis-imposition.pdf"), 5*time.Second)
	r.mustEval(jsDocs + ".querySelector('button.eject').scrollIntoView({block: 'center'}); 1")
	r.press(jsDocs + ".querySelector('button.eject')")
	bus.WaitCall(t, "Unmount no_interaction", 10*time.Second)
	bus.WaitCall(t, "PowerOff no_interaction", 10*time.Second)
	// udisks2 removes the key at power-off: the notice stays, and the
	// intro ("Branchez votre clé USB…") is hidden under it.
	r.waitEval("the key can be removed", jsDocs+".textContent.includes('Vous pouvez retirer la clé') && !"+jsDocs+".querySelector('.usb-files li') && "+jsDocs+".querySelector('.card > p').hidden", 5*time.Second)
	bus.Pull(t)
	r.mustEval(jsDocs + ".querySelector('button.cancel').scrollIntoView({block: 'center'}); 1")
	r.press(jsDocs + ".querySelector('button.cancel')")
	r.waitEval("the overlay closed", jsDocs+".hidden", 5*time.Second)

	// Another site's form: nothing from the key, no copy made for the
	// first site.
	r.mustEval("location.href = 'http://" + otherSite + "/upload'; 1")
	r.waitEval("the other site's form", "location.host === '"+otherSite+"' && document.readyState === 'complete'", 10*time.Second)
	mark = r.log.len()
	r.touchEval("document.getElementById('file').click(); 1")
	r.log.wait(t, "file chooser: documents offered", mark, 5*time.Second)
	r.waitEval("an overlay with nothing to attach", "!"+jsDocs+".hidden && "+jsDocs+".textContent.includes('Branchez votre clé USB') && !"+jsDocs+".querySelector('.usb-files li') && !"+jsDocs+".querySelector('button.attach')", 5*time.Second)

	// clamd stops; the key is plugged in again: nothing is attachable and
	// the overlay says why.
	av.Stop()
	mark = r.log.len()
	bus.Plug(t, key.Dir)
	r.log.wait(t, "antivirus unavailable: nothing offered from the USB key", mark, 30*time.Second)
	r.waitEval("the antivirus notice", jsDocs+".textContent.includes('L’antivirus est indisponible') && !"+jsDocs+".querySelector('button.usbattach')", 5*time.Second)
	if dir := os.Getenv("KIOSK_SCREENSHOTS"); dir != "" {
		r.shot(filepath.Join(dir, "documents-usb-noav.png"))
	}

	// The end of the session unmounts the key and erases the copies.
	r.endSession()
	bus.WaitCalls(t, "Unmount", 2, 10*time.Second)
	bus.WaitCalls(t, "PowerOff", 2, 10*time.Second)
	if copies, _ := filepath.Glob(filepath.Join(r.data, "profiles", "*", "documents", "*")); len(copies) != 0 {
		t.Errorf("copies left after the session: %d", len(copies))
	}

	// Privacy: the threats are counted by signature; no file name, label,
	// mount point or serial in the logs or the store.
	r.stopShell()
	r.stopServe()
	store, err := os.ReadFile(filepath.Join(r.data, "usage.db"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(store, []byte(clamdtest.EICARName)) {
		t.Errorf("the store has no count for %s", clamdtest.EICARName)
	}
	secrets := []string{keyLabel, key.Dir, udiskstest.Serial, "avis-imposition", "IMG_0001", "facture", "programme"}
	for name := range files {
		secrets = append(secrets, name)
	}
	for what, text := range map[string]string{"the shell's log": r.log.text(), "the service's log": r.serveLog.String(), "the store": string(store)} {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s holds %q", what, s)
			}
		}
	}
	if n := strings.Count(r.log.text(), "USB key listed"); n < 1 || !strings.Contains(r.log.text(), "threats=2") {
		t.Errorf("the shell's log does not count the listing's threats")
	}
}
