package main

import (
	"io"
	"slices"
	"strings"
	"testing"
)

func TestServeFlags_AdminHost(t *testing.T) {
	fs, c := newServeFlags(io.Discard)
	if err := fs.Parse([]string{"--admin-listen", ":8443", "--admin-host", " borne.mairie.example, 192.0.2.10 ,,"}); err != nil {
		t.Fatal(err)
	}
	if err := c.validate(); err != nil {
		t.Fatalf("validate: %v", err)
	}
	if got, want := c.adminHostList(), []string{"borne.mairie.example", "192.0.2.10"}; !slices.Equal(got, want) {
		t.Errorf("adminHostList() = %q, want %q", got, want)
	}

	// On loopback only the loopback names reach the page: a name there is a
	// mistake (or a reverse proxy, which docs/admin.md rules out).
	fs, c = newServeFlags(io.Discard)
	if err := fs.Parse([]string{"--admin-host", "borne.mairie.example"}); err != nil {
		t.Fatal(err)
	}
	if err := c.validate(); err == nil || !strings.Contains(err.Error(), "--admin-host") {
		t.Errorf("validate(--admin-host on loopback) = %v, want an error naming the flag", err)
	}
}
