package main

import "context"

// forwardSIGHUP does nothing on Windows, which has no SIGHUP: the file
// watch and the admin page reload the allowlist there.
func forwardSIGHUP(ctx context.Context, reload chan<- struct{}) { <-ctx.Done() }
