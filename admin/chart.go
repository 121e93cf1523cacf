package admin

import (
	"fmt"
	"html"
	"html/template"
	"strconv"
	"strings"

	"github.com/communes/kiosk/usage"
)

// Chart geometry, in SVG user units; the SVG scales to its container.
const (
	chartW      = 640
	chartH      = 200
	chartTop    = 18 // room for value labels
	chartBottom = 22 // room for axis labels
)

// barChart draws values as an inline SVG bar chart. labels[i] is printed
// under every labelEvery-th bar. The title becomes the accessible name.
func barChart(title string, labels []string, values []uint64, labelEvery int, showValues bool) template.HTML {
	var maxV uint64
	for _, v := range values {
		maxV = max(maxV, v)
	}
	n := len(values)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" preserveAspectRatio="xMidYMid meet">`,
		chartW, chartH, html.EscapeString(title))
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(title))
	base := chartH - chartBottom
	fmt.Fprintf(&b, `<line class="axis" x1="0" y1="%d" x2="%d" y2="%d"/>`, base, chartW, base)
	if n == 0 {
		b.WriteString(`</svg>`)
		return template.HTML(b.String())
	}
	slot := float64(chartW) / float64(n)
	bw := max(slot*0.8, 0.5)
	for i, v := range values {
		x := float64(i)*slot + (slot-bw)/2
		h := 0.0
		if maxV > 0 {
			h = float64(v) / float64(maxV) * float64(base-chartTop)
		}
		fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s : %d</title></rect>`,
			x, float64(base)-h, bw, h, html.EscapeString(labels[i]), v)
		if showValues && v > 0 {
			fmt.Fprintf(&b, `<text class="val" x="%.1f" y="%.1f" text-anchor="middle">%d</text>`, x+bw/2, float64(base)-h-4, v)
		}
		if labelEvery > 0 && i%labelEvery == 0 {
			fmt.Fprintf(&b, `<text class="lbl" x="%.1f" y="%d" text-anchor="middle">%s</text>`,
				x+bw/2, chartH-6, html.EscapeString(labels[i]))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every interpolated string is escaped above
}

// hoursChart draws sessions per hour of day.
func hoursChart(hours [24]uint64) template.HTML {
	labels := make([]string, 24)
	for i := range labels {
		labels[i] = strconv.Itoa(i) + " h"
	}
	return barChart("Sessions par heure de début", labels, hours[:], 2, true)
}

// dailyChart draws sessions per day, or per month past 92 days.
func dailyChart(days []usage.Day) template.HTML {
	if len(days) <= 92 {
		labels := make([]string, len(days))
		values := make([]uint64, len(days))
		for i, d := range days {
			labels[i] = frShortDate(d.Date)
			values[i] = d.Sessions
		}
		return barChart("Sessions par jour", labels, values, max(1, (len(days)+7)/8), len(days) <= 31)
	}
	var labels []string
	var values []uint64
	last := ""
	for _, d := range days {
		if len(d.Date) < 7 {
			continue
		}
		if m := d.Date[:7]; m != last {
			last = m
			labels = append(labels, d.Date[5:7]+"/"+d.Date[:4])
			values = append(values, 0)
		}
		values[len(values)-1] += d.Sessions
	}
	return barChart("Sessions par mois", labels, values, max(1, (len(labels)+11)/12), true)
}

// frShortDate turns "2026-11-25" into "25/11".
func frShortDate(iso string) string {
	if len(iso) != 10 {
		return iso
	}
	return iso[8:10] + "/" + iso[5:7]
}
