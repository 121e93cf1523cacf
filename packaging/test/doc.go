// Package pkgtest holds the end-to-end tests of the packaging (build tag
// e2e, root): the nftables egress lockdown in a private network namespace.
// The Debian package itself is tested by deb-test.sh (make test-packaging).
package pkgtest
