package browser

// guardScript returns the guard script (guardjs.go) with the bindings of
// docs/api.md.
func guardScript() string { return guardScriptFor(bindingNames) }
