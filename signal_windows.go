package main

import "context"

// forwardSIGHUP does nothing on Windows, which has no SIGHUP: the file
// watch and the admin page reload the allowlist there. It returns when ctx
// is done.
func forwardSIGHUP(ctx context.Context, reload func()) { <-ctx.Done() }
