package admin

// chownLike is a no-op on Windows: the file inherits the ACL of the data
// directory (%ProgramData%\kiosk), which the installer restricts.
func chownLike(name, ref, dir string) error { return nil }

// syncDir is a no-op on Windows, where directories cannot be synced.
func syncDir(dir string) {}
