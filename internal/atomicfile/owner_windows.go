package atomicfile

// ChownLike does nothing on Windows: files inherit the folder's ACL.
func ChownLike(name, ref string) error { return nil }

// syncDir does nothing on Windows, which cannot open a directory to sync it.
func syncDir(dir string) {}
