package webview2

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// webview2Header reads the WebView2.h that webview_go vendors.
func webview2Header(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/webview/webview_go").Output()
	if err != nil {
		t.Fatalf("locating webview_go: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "libs", "mswebview2", "include", "WebView2.h"))
	if err != nil {
		t.Fatalf("reading WebView2.h: %v", err)
	}
	return string(b)
}

// vtableIndex returns the index of method in iface's C-style vtable.
func vtableIndex(t *testing.T, header, iface, method string) int {
	t.Helper()
	re := regexp.MustCompile(`(?s)typedef struct ` + iface + `Vtbl\s*\{(.*?)\}\s*` + iface + `Vtbl;`)
	m := re.FindStringSubmatch(header)
	if m == nil {
		t.Fatalf("no %sVtbl in WebView2.h", iface)
	}
	for i, f := range regexp.MustCompile(`STDMETHODCALLTYPE \*(\w+) \)`).FindAllStringSubmatch(m[1], -1) {
		if f[1] == method {
			return i
		}
	}
	t.Fatalf("no %s in %sVtbl", method, iface)
	return -1
}

func TestWebView2ABI_MatchesHeader(t *testing.T) {
	h := webview2Header(t)
	vt := []struct {
		got           int
		iface, method string
	}{
		{vtQueryInterface, "ICoreWebView2", "QueryInterface"},
		{vtRelease, "ICoreWebView2", "Release"},
		{vtControllerGetCoreWebView2, "ICoreWebView2Controller", "get_CoreWebView2"},
		{vtWebViewGetSettings, "ICoreWebView2", "get_Settings"},
		{vtWebViewGetSource, "ICoreWebView2", "get_Source"},
		{vtWebViewAddNavigationStarting, "ICoreWebView2", "add_NavigationStarting"},
		{vtWebViewAddFrameNavigationStarting, "ICoreWebView2", "add_FrameNavigationStarting"},
		{vtWebViewAddNewWindowRequested, "ICoreWebView2", "add_NewWindowRequested"},
		{vtWebView4AddDownloadStarting, "ICoreWebView2_4", "add_DownloadStarting"},
		{vtSettingsPutDefaultContextMenus, "ICoreWebView2Settings", "put_AreDefaultContextMenusEnabled"},
		{vtSettings3PutAcceleratorKeys, "ICoreWebView2Settings3", "put_AreBrowserAcceleratorKeysEnabled"},
		{vtSettings4PutPasswordAutosave, "ICoreWebView2Settings4", "put_IsPasswordAutosaveEnabled"},
		{vtSettings4PutGeneralAutofill, "ICoreWebView2Settings4", "put_IsGeneralAutofillEnabled"},
		{vtNavArgsGetURI, "ICoreWebView2NavigationStartingEventArgs", "get_Uri"},
		{vtNavArgsPutCancel, "ICoreWebView2NavigationStartingEventArgs", "put_Cancel"},
		{vtNewWindowArgsGetURI, "ICoreWebView2NewWindowRequestedEventArgs", "get_Uri"},
		{vtNewWindowArgsPutHandled, "ICoreWebView2NewWindowRequestedEventArgs", "put_Handled"},
		{vtDownloadArgsPutCancel, "ICoreWebView2DownloadStartingEventArgs", "put_Cancel"},
		{vtDownloadArgsPutHandled, "ICoreWebView2DownloadStartingEventArgs", "put_Handled"},
	}
	for _, c := range vt {
		if want := vtableIndex(t, h, c.iface, c.method); c.got != want {
			t.Errorf("%s::%s: index %d, WebView2.h says %d", c.iface, c.method, c.got, want)
		}
	}
	iids := []struct{ got, name string }{
		{iidStrWebView4, "ICoreWebView2_4"},
		{iidStrSettings3, "ICoreWebView2Settings3"},
		{iidStrSettings4, "ICoreWebView2Settings4"},
		{iidStrNavigationStartingHandler, "ICoreWebView2NavigationStartingEventHandler"},
		{iidStrNewWindowRequestedHandler, "ICoreWebView2NewWindowRequestedEventHandler"},
		{iidStrDownloadStartingHandler, "ICoreWebView2DownloadStartingEventHandler"},
	}
	for _, c := range iids {
		m := regexp.MustCompile(`const IID IID_` + c.name + ` = \{0x(\w+),0x(\w+),0x(\w+),\{0x(\w+),0x(\w+),0x(\w+),0x(\w+),0x(\w+),0x(\w+),0x(\w+),0x(\w+)\}\};`).FindStringSubmatch(h)
		if m == nil {
			t.Errorf("no IID_%s in WebView2.h", c.name)
			continue
		}
		want := strings.ToUpper(fmt.Sprintf("{%08s-%04s-%04s-%02s%02s-%02s%02s%02s%02s%02s%02s}", m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8], m[9], m[10], m[11]))
		want = strings.ReplaceAll(want, " ", "0")
		if c.got != want {
			t.Errorf("IID_%s: %s, WebView2.h says %s", c.name, c.got, want)
		}
	}
}
