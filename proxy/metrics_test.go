package proxy_test

import (
	"net/http"
	"testing"

	"github.com/communes/kiosk/proxy"
	"github.com/prometheus/client_golang/prometheus"
)

func TestProxy_Metrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	e := newEnv(t, func(c *proxy.Config) {
		c.Registerer = reg
		c.Internal = http.NotFoundHandler()
	})
	e.get(t, "http://www.caf.fr/", nil)
	e.get(t, "http://www.caf.fr/", nil)
	e.get(t, "http://www.example.com/", nil)
	e.get(t, "http://kiosk.invalid/", nil)
	e.raw(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 1)
	e.raw(t, "CONNECT www.example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n", 1)
	e.raw(t, "CONNECT www.caf.fr HTTP/1.1\r\nHost: x\r\n\r\n", 1)

	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	var observations uint64
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			switch mf.GetName() {
			case "kiosk_proxy_requests_total":
				var decision, kind string
				for _, l := range m.GetLabel() {
					switch l.GetName() {
					case "decision":
						decision = l.GetValue()
					case "kind":
						kind = l.GetValue()
					}
				}
				got[decision+"/"+kind] = m.GetCounter().GetValue()
			case "kiosk_proxy_request_duration_seconds":
				observations = m.GetHistogram().GetSampleCount()
			}
		}
	}
	want := map[string]float64{
		"allowed/http": 2, "denied/http": 1, "bad_request/http": 1,
		"allowed/connect": 0, "denied/connect": 1, "bad_request/connect": 1,
		"allowed/internal": 1,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("kiosk_proxy_requests_total{%s} = %v, want %v", k, got[k], v)
		}
	}
	if observations != 7 {
		t.Errorf("duration histogram has %d observations, want 7", observations)
	}

	// A second proxy on the same registry cannot register its metrics.
	if _, err := proxy.New(&proxy.Config{Allowlist: e.allowlistFunc(), Registerer: reg}); err == nil {
		t.Error("New with already registered metrics succeeded, want an error")
	}
}
