package proxy

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the proxy's Prometheus series. Children are resolved once so
// that the request path does no label lookup.
type metrics struct {
	httpAllowed, httpDenied, httpBad          prometheus.Counter
	connectAllowed, connectDenied, connectBad prometheus.Counter
	internal                                  prometheus.Counter
	duration                                  prometheus.Histogram
	connMetrics
}

// newMetrics creates the series and registers them with reg when it is not
// nil.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kiosk_proxy_requests_total",
		Help: "Requests seen by the filtering proxy, by decision (allowed, denied, bad_request) and kind (http, connect, internal).",
	}, []string{"decision", "kind"})
	duration := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "kiosk_proxy_request_duration_seconds",
		Help: "Time to answer a request: the whole response for plain HTTP, until the tunnel is set up for CONNECT.",
		Buckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
			0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
	})
	cm, cmCollectors := newConnMetrics()
	if reg != nil {
		for _, c := range append([]prometheus.Collector{requests, duration}, cmCollectors...) {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("registering proxy metrics: %w", err)
			}
		}
	}
	return &metrics{
		httpAllowed:    requests.WithLabelValues("allowed", kindHTTP),
		httpDenied:     requests.WithLabelValues("denied", kindHTTP),
		httpBad:        requests.WithLabelValues("bad_request", kindHTTP),
		connectAllowed: requests.WithLabelValues("allowed", kindConnect),
		connectDenied:  requests.WithLabelValues("denied", kindConnect),
		connectBad:     requests.WithLabelValues("bad_request", kindConnect),
		internal:       requests.WithLabelValues("allowed", kindInternal),
		duration:       duration,
		connMetrics:    cm,
	}, nil
}
