// Package testnet gives end-to-end tests a private network namespace whose
// only interface is its own loopback, with test addresses on it and a hosts
// file that maps test names (www.caf.fr, ...) to them. Nothing in it can
// reach another machine: there is no link out. Linux only.
//
// The proxy refuses loopback and private destinations (design.md §3 rule 8),
// so an end-to-end test of the real binary needs an origin on a public-looking
// address: the namespace puts a documentation address (198.51.100.10, which
// the proxy treats as public) on its lo.
//
// It needs root (ip netns add). Processes run inside with Command; the test
// process itself listens and dials inside with Listen and DialContext, which
// switch one locked OS thread into the namespace for the socket call.
package testnet
