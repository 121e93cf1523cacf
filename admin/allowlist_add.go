package admin

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/communes/kiosk/allowlist"
	"github.com/communes/kiosk/internal/atomicfile"
)

// The learning view's "Ajouter" button (issue 18) adds a refused host to the site
// whose page asked for it, in the allowlist file itself: the file is edited as text
// (comments and layout kept), the result must pass the same validation as
// `kiosk allowlist check` and differ from the file only by the new host, the previous
// file is kept as FILE.bak-YYYYMMDD-HHMMSS, and the service's file watcher reloads it.

// Errors of addHost; each has its French message in addHostError.
var (
	errNoFile       = errors.New("no local allowlist file")
	errNotWritable  = errors.New("allowlist directory not writable")
	errBadHost      = errors.New("not a canonical host name")
	errIPHost       = errors.New("IP literal")
	errSuffixHost   = errors.New("public suffix")
	errCovered      = errors.New("already covered")
	errSiteNotFound = errors.New("site not found")
	errFileInvalid  = errors.New("allowlist file does not validate")
	errChanged      = errors.New("allowlist file changed meanwhile")
)

// maxBackups is how many FILE.bak-* copies addHost keeps.
const maxBackups = 20

// ActionAllowlistAdd is the audit action of a host added from the learning view;
// its detail is "host → site".
const ActionAllowlistAdd = "allowlist_add"

// writableErr tells why the allowlist file cannot be edited from the page, or nil.
// It creates and removes a temporary file beside it, as the edit would.
func (s *Server) writableErr() error {
	if s.allowlistFile == "" {
		return errNoFile
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.allowlistFile), ".kiosk-write-check-*")
	if err != nil {
		return fmt.Errorf("%w: %w", errNotWritable, err)
	}
	name := tmp.Name()
	_ = tmp.Close()
	_ = os.Remove(name)
	return nil
}

// checkNewHost refuses a host that the button must not add.
func checkNewHost(host string) error {
	canon, err := allowlist.CanonicalHost(host)
	switch {
	case err != nil || canon != host || strings.HasPrefix(host, "."):
		return errBadHost
	case allowlist.IsIPLiteral(host):
		return errIPHost
	}
	if suffix, _ := publicsuffix.PublicSuffix(host); suffix == host {
		return errSuffixHost
	}
	return nil
}

// addHost adds host to the hosts: list of the site named site in the allowlist file,
// after a backup of the file. It's safe for concurrent use (edits are serialised).
func (s *Server) addHost(site, host string) error {
	if err := checkNewHost(host); err != nil {
		return err
	}
	s.allowMu.Lock()
	defer s.allowMu.Unlock()

	if err := s.writableErr(); err != nil {
		return err
	}
	path := s.allowlistFile
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("reading the allowlist: %w", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading the allowlist: %w", err)
	}
	old, err := allowlist.Parse(data, path)
	if err != nil {
		return fmt.Errorf("%w: %w", errFileInvalid, err)
	}
	if !slices.ContainsFunc(old.Sites, func(x *allowlist.Site) bool { return x.Name == site }) {
		return errSiteNotFound
	}
	if d := old.Match(host, 0, true); d.Allowed {
		return fmt.Errorf("%w: by %q (site %q)", errCovered, d.Pattern.Raw, d.Site().Name)
	}
	updated, err := insertHost(data, site, host)
	if err != nil {
		return err
	}
	if err = checkAdded(old, updated, path, site, host); err != nil {
		return err
	}
	if now, err := os.ReadFile(path); err != nil || !bytes.Equal(now, data) {
		return errChanged
	}
	mode := fi.Mode().Perm()
	backup := s.backupName(path)
	if err = atomicfile.Write(backup, data, mode); err != nil {
		return fmt.Errorf("writing the backup: %w", err)
	}
	if err = atomicfile.Write(path, updated, mode); err != nil {
		return fmt.Errorf("writing the allowlist: %w", err)
	}
	s.pruneBackups(path)
	s.log.Info("allowlist: host added from the learning view", "host", host, "site", site, "backup", backup)
	return nil
}

// checkAdded checks that updated validates and differs from the list old only by the
// pattern host in site.
func checkAdded(old *allowlist.List, updated []byte, path, site, host string) error {
	l, err := allowlist.Parse(updated, path)
	if err != nil {
		return fmt.Errorf("%w: the edited file: %w", errFileInvalid, err)
	}
	if len(l.Sites) != len(old.Sites) || l.NumPatterns() != old.NumPatterns()+1 {
		return fmt.Errorf("%w: the edit changed more than one host", errLayout)
	}
	for i, ns := range l.Sites {
		was := old.Sites[i]
		want := len(was.Patterns)
		if ns.Name == site {
			want++
		}
		if ns.Name != was.Name || ns.Group != was.Group || len(ns.Patterns) != want {
			return fmt.Errorf("%w: the edit changed site %q", errLayout, was.Name)
		}
		for j, p := range was.Patterns {
			if q := ns.Patterns[j]; q.Raw != p.Raw {
				return fmt.Errorf("%w: the edit changed %q", errLayout, p.Raw)
			}
		}
	}
	d := l.Match(host, 0, true)
	if !d.Allowed || d.Site().Name != site || d.Pattern.Raw != host {
		return fmt.Errorf("%w: the edited file does not allow %s for %q", errLayout, host, site)
	}
	return nil
}

// backupName returns a new FILE.bak-YYYYMMDD-HHMMSS name (with -2, -3... when taken).
func (s *Server) backupName(path string) string {
	base := path + ".bak-" + s.now().In(s.loc).Format("20060102-150405")
	name := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(name); errors.Is(err, fs.ErrNotExist) {
			return name
		}
		name = base + "-" + strconv.Itoa(i)
	}
}

// pruneBackups removes the oldest FILE.bak-* copies beyond maxBackups.
func (s *Server) pruneBackups(path string) {
	old, err := filepath.Glob(globEscape(path) + ".bak-*")
	if err != nil || len(old) <= maxBackups {
		return
	}
	slices.SortFunc(old, func(a, b string) int {
		ia, _ := os.Lstat(a)
		ib, _ := os.Lstat(b)
		if ia == nil || ib == nil {
			return strings.Compare(a, b)
		}
		return ia.ModTime().Compare(ib.ModTime())
	})
	for _, name := range old[:len(old)-maxBackups] {
		if err := os.Remove(name); err != nil {
			s.log.Warn("removing an old allowlist backup", "file", name, "err", err)
		}
	}
}

// globEscape escapes the pattern characters of a path for filepath.Glob.
func globEscape(path string) string {
	r := strings.NewReplacer(`*`, `\*`, `?`, `\?`, `[`, `\[`)
	if filepath.Separator == '\\' {
		r = strings.NewReplacer(`*`, `[*]`, `?`, `[?]`, `[`, `[[]`)
	}
	return r.Replace(path)
}

// addHostError returns the status and French message of an addHost error.
func addHostError(err error) (int, string) {
	switch {
	case errors.Is(err, errBadHost):
		return http.StatusBadRequest, "Adresse invalide : seul un nom d'hôte complet, en minuscules, peut être ajouté."
	case errors.Is(err, errIPHost):
		return http.StatusBadRequest, "Une adresse IP ne peut pas être ajoutée depuis cette page."
	case errors.Is(err, errSuffixHost):
		return http.StatusBadRequest, "Ce nom est un suffixe public (comme « gouv.fr ») : l'ajouter ouvrirait des milliers de sites."
	case errors.Is(err, errCovered):
		return http.StatusConflict, "Cette adresse est déjà couverte par la liste autorisée."
	case errors.Is(err, errSiteNotFound):
		return http.StatusBadRequest, "Ce site n'existe pas dans le fichier de la liste autorisée."
	case errors.Is(err, errNoFile):
		return http.StatusServiceUnavailable, "La liste autorisée vient d'une adresse web : modifiez-la à sa source."
	case errors.Is(err, errNotWritable):
		return http.StatusServiceUnavailable, "Le service ne peut pas écrire le fichier de la liste autorisée (voir la documentation d'administration)."
	case errors.Is(err, errFileInvalid):
		return http.StatusConflict, "Le fichier de la liste autorisée contient des erreurs : corrigez-le d'abord (kiosk allowlist check)."
	case errors.Is(err, errLayout):
		return http.StatusConflict, "La liste des adresses de ce site est écrite d'une façon que cette page ne modifie pas : ajoutez la ligne à la main."
	case errors.Is(err, errChanged):
		return http.StatusConflict, "Le fichier a été modifié entre-temps : rechargez la page et recommencez."
	}
	return http.StatusInternalServerError, "Impossible d'écrire la liste autorisée ; voir le journal du service."
}

// handleBlockedAdd adds a refused host to a site of the allowlist file (admin role,
// CSRF checked by the route).
func (s *Server) handleBlockedAdd(w http.ResponseWriter, r *http.Request, ws *webSession) {
	host, site := r.PostFormValue("host"), r.PostFormValue("site")
	err := s.addHost(site, host)
	if err != nil {
		code, msg := addHostError(err)
		if code == http.StatusInternalServerError || errors.Is(err, errNotWritable) {
			s.log.Error("adding a host to the allowlist", "host", clip(host, 253), "err", err)
		} else {
			s.log.Warn("refused to add a host to the allowlist", "host", clip(host, 253), "err", err)
		}
		s.renderError(w, code, ws, msg)
		return
	}
	s.audit(ws.user.name, ActionAllowlistAdd, host+" → "+site)
	days := defaultBlockedDays
	if d, err := strconv.Atoi(r.PostFormValue("days")); err == nil && d >= 1 && d <= maxBlockedDays {
		days = d
	}
	http.Redirect(w, r, "/blocked?days="+strconv.Itoa(days)+"&msg=added", http.StatusSeeOther)
}
