package webview2

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// WebView2's environment variables, read by its runtime when the view is
// created; they override what webview_go passes (its user-data folder is
// %APPDATA%\<exe name>, shared by every session, which must never be used).
const (
	envUserData = "WEBVIEW2_USER_DATA_FOLDER"
	envArgs     = "WEBVIEW2_ADDITIONAL_BROWSER_ARGUMENTS"
)

// webview2Dropped are WebView2 variables that would point the view at
// another runtime, channel or a debugger: never inherited.
var webview2Dropped = []string{
	"WEBVIEW2_BROWSER_EXECUTABLE_FOLDER", "WEBVIEW2_RELEASE_CHANNEL_PREFERENCE",
	"WEBVIEW2_PIPE_FOR_SCRIPT_DEBUGGER", "WEBVIEW2_WAIT_FOR_SCRIPT_DEBUGGER",
	"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY",
}

// browserArgs are the Chromium switches of the view: every request through
// the kiosk proxy, loopback included ("<-loopback>" removes Chromium's
// implicit bypass), so that the proxy judges everything and nothing loads
// when it is down; no first run, no sync, no SmartScreen or autofill
// server calls, no background requests of the browser itself (the proxy
// would refuse them anyway). Chromium ignores a feature name it does not
// know.
func browserArgs(proxyAddr string) string {
	return strings.Join([]string{
		"--proxy-server=http://" + proxyAddr,
		"--proxy-bypass-list=<-loopback>",
		"--no-first-run",
		"--disable-sync",
		"--disable-background-networking",
		"--disable-component-update",
		"--disable-features=msSmartScreenProtection,AutofillServerCommunication",
	}, " ")
}

// profileDir returns the browser process's fresh profile: the supervisor
// (supervised is true) starts it with HOME there (profileEnv). Without a
// supervisor (a developer's run), a temporary one is made; cleanup
// removes it.
func profileDir(supervised bool) (dir string, cleanup func(), err error) {
	if home := os.Getenv("HOME"); supervised && home != "" {
		if st, err := os.Stat(home); err == nil && st.IsDir() {
			return home, func() {}, nil
		}
	}
	dir, err = os.MkdirTemp("", "kiosk-browser-")
	if err != nil {
		return "", nil, fmt.Errorf("creating a profile: %w", err)
	}
	return dir, func() { _ = os.RemoveAll(dir) }, nil
}

// setWebView2Env points WebView2 at dir and at the proxy. It must run
// before the view is created: the runtime reads the variables then, and
// the processes it starts inherit them. TEMP and TMP move into the
// profile too, so that nothing of the session lands in the account's own
// temporary folder.
func setWebView2Env(dir, proxyAddr string) (userData string, err error) {
	for _, k := range webview2Dropped {
		if err := os.Unsetenv(k); err != nil {
			return "", fmt.Errorf("clearing %s: %w", k, err)
		}
	}
	userData = filepath.Join(dir, "data", "webview2")
	tmp := filepath.Join(dir, "tmp")
	for _, d := range []string{userData, tmp} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return "", fmt.Errorf("creating %s: %w", d, err)
		}
	}
	for k, v := range map[string]string{
		envUserData: userData, envArgs: browserArgs(proxyAddr), "TEMP": tmp, "TMP": tmp,
	} {
		if err := os.Setenv(k, v); err != nil {
			return "", fmt.Errorf("setting %s: %w", k, err)
		}
	}
	return userData, nil
}

// checkUserData reports whether WebView2 writes into userData: it makes
// an EBWebView folder there when it starts. A runtime that ignored
// WEBVIEW2_USER_DATA_FOLDER would share one profile between residents,
// so the browser process refuses to go on (fail closed).
func checkUserData(userData string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		_, err := os.Stat(filepath.Join(userData, "EBWebView"))
		if err == nil {
			return nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("checking the WebView2 data folder: %w", err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("WebView2 did not use its per-session data folder %s", userData)
		}
		time.Sleep(50 * time.Millisecond) // no event tells when WebView2 wrote it
	}
}
