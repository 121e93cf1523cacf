// Package usbkey follows a resident's USB key during a session (kiosk
// shell --usb): udisks2 reports a removable file system, the key is
// mounted read-only, nosuid, nodev, noexec through udisks2 (and the
// package's polkit rule), listed with usbdoc, each file scanned by clamd
// before it is offered, and unmounted (the drive powered off) when the
// resident asks, when the session ends, or when the key is pulled out.
//
// The system bus is the process edge: Edge is what the controller needs
// of udisks2, UDisks (udisks_linux.go) the real one over D-Bus.
//
// Nothing about the key is logged: no label, serial, file name or mount
// point (udisks2 names the mount point after the label, and the drive's
// D-Bus object after its model and serial); logs carry counts and
// durations only.
package usbkey

import (
	"context"
	"errors"
)

// MountOptions are the options the key is mounted with: read-only, no
// set-user-ID, no device files, nothing executable.
const MountOptions = "ro,nosuid,nodev,noexec"

// Device is a removable file system as udisks2 reports it. Never log its
// fields: Drive names the key's model and serial.
type Device struct {
	// Object is the D-Bus object of the block device that carries the
	// file system (org.freedesktop.UDisks2.Filesystem).
	Object string
	// Drive is the D-Bus object of its drive, for PowerOff; empty when
	// udisks2 gave none.
	Drive string
	// CanPowerOff says whether the drive may be powered off.
	CanPowerOff bool
	// AtStart says the file system was there when the watch started: a
	// key left by someone else, never offered (the resident plugs it in
	// again).
	AtStart bool
}

// Edge is what the controller needs of udisks2. Its methods must be safe
// for concurrent use.
type Edge interface {
	// Watch calls added for each removable file system present when it
	// starts and each one plugged later, and removed for each one that
	// goes, on one goroutine, until ctx ends; then it returns ctx's error.
	// Another error means the watch stopped (the bus went away).
	Watch(ctx context.Context, added, removed func(Device)) error
	// Mount mounts d with MountOptions and returns its mount point.
	Mount(ctx context.Context, d Device) (string, error)
	// Unmount unmounts d.
	Unmount(ctx context.Context, d Device) error
	// PowerOff powers d's drive off, so the key can be pulled out.
	PowerOff(ctx context.Context, d Device) error
}

// ErrNoKey is returned by Copy when no listed key is there.
var ErrNoKey = errors.New("no USB key listed")
