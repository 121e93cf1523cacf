//go:build !linux

package main

// packagedUnit returns "": only the Debian package installs a unit itself.
func packagedUnit() string { return "" }
