package portal

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// iconTypes are the image types served from the icons folder.
var iconTypes = map[string]string{
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".webp": "image/webp",
	".gif":  "image/gif",
}

// iconCSP keeps an icon opened on its own from running anything.
const iconCSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

// iconsDir returns the icons folder beside the allowlist file, or "".
func (h *Handler) iconsDir() string {
	l := h.conf.Allowlist()
	if l == nil || l.File == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(l.File), "icons")
}

// validIconName reports whether name is a plain file name with an image
// extension (no folder, no hidden file).
func validIconName(name string) bool {
	if name == "" || strings.ContainsAny(name, `/\:`) || strings.HasPrefix(name, ".") {
		return false
	}
	_, ok := iconTypes[strings.ToLower(path.Ext(name))]
	return ok
}

// iconExists reports whether the icon file is there.
func iconExists(dir, name string) bool {
	if dir == "" || !validIconName(name) {
		return false
	}
	fi, err := os.Stat(filepath.Join(dir, name))
	return err == nil && fi.Mode().IsRegular()
}

// serveIcon serves /icons/NAME from the icons folder (opened as an
// os.Root, so no name escapes it) and /icons/default/SLUG.svg from the
// built-in icons.
func (h *Handler) serveIcon(w http.ResponseWriter, r *http.Request, name string) {
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", iconCSP)
	if slug, ok := strings.CutPrefix(name, "default/"); ok {
		if !strings.HasSuffix(slug, ".svg") || strings.ContainsAny(slug, `/\`) {
			http.NotFound(w, r)
			return
		}
		b, err := files.ReadFile("assets/icons/" + slug)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		hd.Set("Content-Type", "image/svg+xml")
		hd.Set("Cache-Control", "max-age=3600")
		_, _ = w.Write(b)
		return
	}
	dir := h.iconsDir()
	if dir == "" || !validIconName(name) {
		http.NotFound(w, r)
		return
	}
	f, err := os.OpenInRoot(dir, name)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			h.log.Warn("opening icon", "name", name, "err", err)
		}
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	hd.Set("Content-Type", iconTypes[strings.ToLower(path.Ext(name))])
	hd.Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, name, fi.ModTime(), f)
}
