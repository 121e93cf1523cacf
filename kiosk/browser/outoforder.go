package browser

import (
	"html"
	"strings"

	"github.com/communes/kiosk/kiosk"
)

// outOfOrderHTML is the built-in screen shown when the service cannot be
// reached or the last wipe failed. It comes from the shell binary, not the
// network, and loads nothing.
const outOfOrderHTML = `<!doctype html>
<html lang="fr"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Terminal momentanément indisponible</title>
<style>
html,body{margin:0;height:100%;background:#f3f4f6;color:#1f2937;font-family:"DejaVu Sans",Arial,sans-serif;cursor:default;user-select:none}
main{display:flex;flex-direction:column;align-items:center;justify-content:center;height:100%;text-align:center;padding:0 6vw;box-sizing:border-box}
.icon{font-size:12vmin;line-height:1;color:#b45309}
h1{font-size:6vmin;margin:3vmin 0 1vmin}
p{font-size:3.2vmin;margin:1vmin 0;max-width:60em}
.en{color:#4b5563}
.en h2{font-size:4vmin;margin:4vmin 0 1vmin;font-weight:normal}
.detail{margin-top:6vmin;font-size:1.8vmin;color:#9ca3af}
</style></head>
<body><main>
<div class="icon" aria-hidden="true">&#9888;</div>
<h1>Terminal momentanément indisponible</h1>
<p>{{FR}}</p>
<p>Merci de vous adresser à l'accueil.</p>
<div class="en" lang="en"><h2>This terminal is temporarily out of order</h2>
<p>{{EN}}</p><p>Please ask at the front desk.</p></div>
<p class="detail">{{DETAIL}}</p>
</main></body></html>`

// outOfOrderPage returns the out-of-order screen. wipe is true when the
// last wipe failed (an agent must act), false when the service is
// unreachable (the shell retries by itself).
func outOfOrderPage(wipe bool, detail string) string {
	fr, en := "Nouvel essai automatique dans quelques secondes.", "Retrying automatically in a few seconds."
	if wipe {
		fr, en = "Les données de la session précédente n'ont pas pu être effacées.", "The previous session's data could not be erased."
	}
	return strings.NewReplacer("{{FR}}", fr, "{{EN}}", en, "{{DETAIL}}", html.EscapeString(detail)).Replace(outOfOrderHTML)
}

// outOfOrderPageFor returns the out-of-order screen the supervisor asked
// for: kind is one of kiosk's OutOfOrder kinds ("" is kiosk.OutOfOrderWipe).
func outOfOrderPageFor(kind, detail string) string {
	var fr, en string
	switch kind {
	case kiosk.OutOfOrderBrowser:
		fr, en = "Le navigateur de la borne ne démarre plus. Nouvel essai automatique dans quelques minutes.", "The terminal's browser no longer starts. Retrying automatically in a few minutes."
	case kiosk.OutOfOrderLockdown:
		fr, en = "La protection réseau de la borne n'est pas active. Nouvel essai automatique dans quelques secondes.", "The terminal's network protection is not active. Retrying automatically in a few seconds."
	default:
		return outOfOrderPage(true, detail)
	}
	return strings.NewReplacer("{{FR}}", fr, "{{EN}}", en, "{{DETAIL}}", html.EscapeString(detail)).Replace(outOfOrderHTML)
}

// unavailablePageHTML is shown when an allowed page fails to load while the
// service is up (the site is down or its TLS is broken).
const unavailablePageHTML = `<!doctype html>
<html lang="fr"><head><meta charset="utf-8">
<title>Page indisponible</title>
<style>
html,body{margin:0;height:100%;background:#f3f4f6;color:#1f2937;font-family:"DejaVu Sans",Arial,sans-serif}
main{display:flex;flex-direction:column;align-items:center;justify-content:center;height:100%;text-align:center;padding:0 6vw;box-sizing:border-box}
h1{font-size:5vmin;margin:0 0 2vmin}
p{font-size:3vmin;margin:1vmin 0}
.en{color:#4b5563}
a{display:inline-block;margin:4vmin 2vmin 0;padding:2.5vmin 5vmin;font-size:3.2vmin;border-radius:1.5vmin;background:#1d4ed8;color:#fff;text-decoration:none}
</style></head>
<body><main>
<h1>Cette page ne répond pas</h1>
<p>Le site est peut-être momentanément indisponible. Réessayez plus tard.</p>
<p class="en" lang="en">This page is not responding. The site may be temporarily unavailable.</p>
<div><a href="{{HOME}}">Accueil · Home</a></div>
</main></body></html>`

// unavailablePage returns the "page unavailable" screen with a link home.
func unavailablePage(home string) string {
	return strings.ReplaceAll(unavailablePageHTML, "{{HOME}}", html.EscapeString(home))
}
