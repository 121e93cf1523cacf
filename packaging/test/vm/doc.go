// Package vmtest is the VM test of the installed kiosk (build tag vm, root,
// make test-vm): image.sh builds a Debian 12 disk with the .deb installed as
// docs/install.md says, and TestVM boots it in QEMU and drives it through
// QMP only (screendump, input-send-event, send-key), observing the guest
// through the QEMU guest agent of the test image. origin/ is the test's web
// site, inside the guest.
package vmtest
