// Package axetest runs axe-core, Deque's accessibility rules engine, in a
// page that chromedp drives in Debian's Chromium: the audit of every page
// the kiosk draws (docs/accessibility.md, issue 14 §4).
//
// axe-core comes from the npm registry at the version scripts/deps.sh pins
// (`make test` fetches it into a cache outside the repository); it is
// never vendored. A test that needs it fails, never skips, when it is
// missing.
package axetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// EnvPath names the environment variable that may point to axe.min.js
// (or to the directory holding it) instead of the cache.
const EnvPath = "KIOSK_AXE_CORE"

// Tags are the rule sets checked: WCAG 2.0, 2.1 and 2.2, levels A and AA
// (contrast ratios and target sizes included). No rule is disabled.
var Tags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// MustRun are rules that must have been evaluated on every page, so that
// an audit that passes also says that contrast and target sizes were
// measured: a rule with nothing to check is "inapplicable", which fails
// unless the caller says the screen has nothing for it.
var MustRun = []string{"color-contrast", "target-size"}

// Engine is axe-core's script, ready to be injected into pages.
type Engine struct {
	// Version is axe-core's version (axe.version).
	Version string
	src     string
}

var (
	loadOnce sync.Once
	loaded   *Engine
	loadErr  error
)

// Load returns axe-core from $KIOSK_AXE_CORE or the cache scripts/deps.sh
// fills, at the version it pins. It fails the test, with what to run,
// when the file is missing or of another version.
func Load(t testing.TB) *Engine {
	t.Helper()
	loadOnce.Do(func() { loaded, loadErr = load() })
	if loadErr != nil {
		t.Fatalf("axe-core: %v", loadErr)
	}
	return loaded
}

// candidates are the places axe.min.js is looked for, in order.
func candidates() []string {
	var c []string
	if p := os.Getenv(EnvPath); p != "" {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			p = filepath.Join(p, "axe.min.js")
		}
		return []string{p}
	}
	c = append(c, "/var/cache/kiosk-test/axe-core/axe.min.js")
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		if home, err := os.UserHomeDir(); err == nil {
			cache = filepath.Join(home, ".cache")
		}
	}
	if cache != "" {
		c = append(c, filepath.Join(cache, "kiosk-test", "axe-core", "axe.min.js"))
	}
	return c
}

func load() (*Engine, error) {
	want, err := pinnedVersion()
	if err != nil {
		return nil, err
	}
	var tried []string
	for _, p := range candidates() {
		b, err := os.ReadFile(p)
		if err != nil {
			tried = append(tried, p)
			continue
		}
		got := versionOf(b)
		if got != want {
			return nil, fmt.Errorf("%s is version %q, scripts/deps.sh pins %s: run `scripts/deps.sh test` (or make test)", p, got, want)
		}
		return &Engine{Version: got, src: string(b)}, nil
	}
	return nil, fmt.Errorf("axe.min.js not found in %s: run `scripts/deps.sh test` (or make test), which fetches axe-core %s from the npm registry, or set %s",
		strings.Join(tried, ", "), want, EnvPath)
}

// pinnedVersion reads axe_version= from scripts/deps.sh, the one place
// that names it.
func pinnedVersion() (string, error) {
	deps, err := depsScript()
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(deps)
	if err != nil {
		return "", fmt.Errorf("reading the pinned version: %w", err)
	}
	m := regexp.MustCompile(`(?m)^axe_version=([0-9][0-9A-Za-z.\-]*)$`).FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("%s names no axe_version=", deps)
	}
	return string(m[1]), nil
}

// depsScript finds scripts/deps.sh: beside this file's source, else above
// the test's directory (a -trimpath build has no source path).
func depsScript() (string, error) {
	var dirs []string
	if _, file, _, ok := runtime.Caller(0); ok {
		dirs = append(dirs, filepath.Join(filepath.Dir(file), "..", ".."))
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			dirs = append(dirs, d)
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	for _, d := range dirs {
		p := filepath.Join(d, "scripts", "deps.sh")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("scripts/deps.sh not found: the pinned axe-core version is read from it")
}

// versionOf finds the version in axe.min.js's banner ("axe v4.14.1").
func versionOf(src []byte) string {
	head := src[:min(len(src), 400)]
	if m := regexp.MustCompile(`axe v([0-9][0-9A-Za-z.\-]*)`).FindSubmatch(head); m != nil {
		return string(m[1])
	}
	return ""
}

// Node is one element a rule failed on.
type Node struct {
	// Target is the element's CSS selector; inside a shadow root, a list:
	// the host's selector then the element's.
	Target []any `json:"target"`
	// HTML is the element's opening markup, cut by axe.
	HTML string `json:"html"`
	// Summary says what to fix.
	Summary string `json:"failureSummary"`
	// Why are the checks' message keys (for an undecided check, why axe
	// could not decide: "bgOverlap", "nonBmp"…).
	Why []string `json:"why"`
}

// Rule is one rule's result on a page.
type Rule struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []Node `json:"nodes"`
}

// Result is what axe.run found on a page.
type Result struct {
	Violations []Rule `json:"violations"`
	// Incomplete are the checks axe could not decide (needs review).
	Incomplete []Rule `json:"incomplete"`
	// Ran are the IDs of the rules that applied to something (passed,
	// failed or undecided).
	Ran []string `json:"ran"`
}

// runJS injects axe-core once per document and runs the rules of Tags on
// the whole document (open shadow roots included).
const runJS = `(async function (tags) {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations', 'incomplete']});
  const pick = (list) => list.map((x) => ({id: x.id, impact: x.impact || '', help: x.help, helpUrl: x.helpUrl,
    nodes: x.nodes.map((n) => ({target: n.target, html: n.html, failureSummary: n.failureSummary || '',
      why: [].concat(n.any, n.all, n.none).map((c) => (c.data && c.data.messageKey) || '').filter((k) => k)}))}));
  return {violations: pick(r.violations), incomplete: pick(r.incomplete),
    ran: [].concat(r.passes, r.violations, r.incomplete).map((x) => x.id)};
})(%s)`

// textNotIconJS makes color-contrast's matcher take every text for text.
// axe guesses which texts are icon-font ligatures by drawing a text's
// first letter alone and within the text on a canvas: joined scripts
// (Arabic) differ, so it takes them for ligatures, and after three such
// texts it takes their whole font for an icon font and skips the contrast
// of every text in it. On the Arabic pages color-contrast then checked
// nothing at all. The kiosk's pages use no icon font: while the matcher
// runs, a canvas draws any text as the same square, so the guess is
// always "text". The rule, its checks and their thresholds are unchanged.
const textNotIconJS = `(function () {
  if (axe.__kioskTextNotIcon) { return; }
  axe.__kioskTextNotIcon = true;
  var rule = axe._audit.rules.find(function (r) { return r.id === 'color-contrast'; });
  var matches = rule.matches;
  axe.configure({rules: [{id: 'color-contrast', matches: function (node, vNode, context) {
    var P = CanvasRenderingContext2D.prototype, fill = P.fillText;
    P.fillText = function (s, x, y) { this.fillRect(x, y, 10, 10); };
    try { return matches.call(this, node, vNode, context); } finally { P.fillText = fill; }
  }}]});
})()`

// Run runs axe-core's rules of Tags on the page ctx shows.
func (e *Engine) Run(ctx context.Context) (*Result, error) {
	tags, _ := json.Marshal(Tags)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](
		`if (!window.axe) {`+e.src+"\n}\n"+textNotIconJS+`;null`)); err != nil {
		return nil, fmt.Errorf("injecting axe-core: %w", err)
	}
	r, err := chromedp.Run(ctx, chromedp.Evaluate[Result](fmt.Sprintf(runJS, tags), chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("running axe-core: %w", err)
	}
	return &r, nil
}

// UndecidedContrast returns the elements whose contrast axe could not
// decide, but for symbols alone (⌫, ⇧, ▶: "nonBmp") and the reasons of
// allowed ("bgOverlap": under another element…). A text the audit cannot
// measure is a text it does not check.
func (r *Result) UndecidedContrast(allowed ...string) []Node {
	var out []Node
	for _, in := range r.Incomplete {
		if in.ID != "color-contrast" {
			continue
		}
		for _, n := range in.Nodes {
			if len(n.Why) == 1 && (n.Why[0] == "nonBmp" || slices.Contains(allowed, n.Why[0])) {
				continue
			}
			out = append(out, n)
		}
	}
	return out
}

// Rules returns the IDs of the rules of Tags (in the page ctx shows).
func (e *Engine) Rules(ctx context.Context) ([]string, error) {
	tags, _ := json.Marshal(Tags)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`if (!window.axe) {`+e.src+"\n}\n;null")); err != nil {
		return nil, fmt.Errorf("injecting axe-core: %w", err)
	}
	ids, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](fmt.Sprintf(`axe.getRules(%s).map((r) => r.ruleId)`, tags)))
	if err != nil {
		return nil, fmt.Errorf("listing axe-core's rules: %w", err)
	}
	return ids, nil
}

// Check runs the rules on the page ctx shows and reports each violation
// (rule, impact, elements, what to fix) as a test error, and each rule of
// MustRun that did not run, except those of nothingFor (a screen without
// a button or link has nothing for target-size): these must not run
// either. It returns the result.
func (e *Engine) Check(t testing.TB, ctx context.Context, where string, nothingFor ...string) *Result {
	t.Helper()
	r, err := e.Run(ctx)
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	for _, v := range r.Violations {
		t.Errorf("%s: axe %s (%s): %s", where, v.ID, v.Impact, Describe(v))
	}
	for _, id := range MustRun {
		switch ran, none := slices.Contains(r.Ran, id), slices.Contains(nothingFor, id); {
		case !ran && !none:
			t.Errorf("%s: axe rule %s did not run (nothing to check?): the audit would not measure it", where, id)
		case ran && none:
			t.Errorf("%s: axe rule %s ran on a screen said to have nothing for it", where, id)
		}
	}
	return r
}

// Describe writes a rule's result for a test log: its help, its link and
// every element with what to fix.
func Describe(v Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s <%s>", v.Help, v.HelpURL)
	for _, n := range v.Nodes {
		tgt, _ := json.Marshal(n.Target)
		fmt.Fprintf(&b, "\n    target %s: %s\n      %s", tgt, n.HTML, strings.ReplaceAll(n.Summary, "\n", "\n      "))
	}
	return b.String()
}
