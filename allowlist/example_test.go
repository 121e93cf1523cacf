package allowlist_test

import (
	"fmt"

	"github.com/communes/kiosk/allowlist"
)

func ExampleList_Match() {
	l, err := allowlist.Parse([]byte(`
version: 1
sites:
  - name: CAF
    hosts: [caf.fr]
  - name: Impôts
    hosts: [.www.impots.gouv.fr]
`), "allowlist.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, raw := range []string{"WWW.CAF.FR.", "evilcaf.fr", "www.impots.gouv.fr", "impots.gouv.fr", "0x7f.1"} {
		host, err := allowlist.CanonicalHost(raw)
		if err != nil || allowlist.IsIPLiteral(host) {
			fmt.Printf("%s: refused (%s)\n", raw, host)
			continue
		}
		d := l.Match(host, 0, false)
		if d.Allowed {
			fmt.Printf("%s: allowed by %q of site %s\n", raw, d.Pattern.Raw, d.Site().Name)
		} else {
			fmt.Printf("%s: denied\n", raw)
		}
	}
	// Output:
	// WWW.CAF.FR.: allowed by "caf.fr" of site CAF
	// evilcaf.fr: denied
	// www.impots.gouv.fr: allowed by ".www.impots.gouv.fr" of site Impôts
	// impots.gouv.fr: denied
	// 0x7f.1: refused (127.0.0.1)
}

func ExampleParse_errors() {
	_, err := allowlist.Parse([]byte(`
version: 1
sites:
  - name: CAF
    hosts: ["*.caf.fr", https://www.caf.fr/, 192.0.2.1]
`), "allowlist.yaml")
	fmt.Println(err)
	// Output:
	// allowlist.yaml:5:13: "*.caf.fr": wildcards are not supported: write caf.fr, it already covers subdomains
	// allowlist.yaml:5:25: "https://www.caf.fr/": write the host only, without "https://": write www.caf.fr
	// allowlist.yaml:5:46: IP literal "192.0.2.1" in hosts: list it under ips: if this site really is reached by address
}
