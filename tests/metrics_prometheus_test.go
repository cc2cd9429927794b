package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/loopback"
	"github.com/pcappush/pcappush/internal/testutil"
)

// TestMetricsScrapedByPrometheus: a real Prometheus scrapes
// push_realtime's --metrics-listen every second during a realtime push of
// a live capture; queried through its HTTP API, it holds the packets
// published and the targets' states, and every metric name the Grafana
// dashboard in packaging/ queries is one it scraped.
func TestMetricsScrapedByPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("server tests skipped in -short mode")
	}
	e := newPushEnv(t)
	w := liveDir(t, e, "44")
	w.packets(50, time.Millisecond)
	cfg := writeLua(t, e, fmt.Sprintf(`local Config = {}
Config.Target = {}
table.insert(Config.Target, { Desc = "all", Path = %q, Split = "--split-time 2e9", FileName = "--filename-tstr-HHMMSS" })
table.insert(Config.Target, { Desc = "tcp", Path = %q, Split = "--split-time 2e9", FileName = "--filename-tstr-HHMMSS", FilterBPF = "tcp" })
return Config
`, e.out+"/all", e.out+"/tcp"))
	p := startPush(t, e, cfg, "--status-interval", "300ms", "--metrics-listen", "127.0.0.1:0")
	addrRE := regexp.MustCompile(`metrics at http://(127\.0\.0\.1:\d+)/metrics`)
	waitUntil(t, 10*time.Second, "the metrics address on stderr", func() bool { return addrRE.MatchString(p.stderr.String()) })
	addr := addrRE.FindStringSubmatch(p.stderr.String())[1]

	prom, err := loopback.StartPrometheus(t.TempDir(), addr)
	if err != nil {
		if os.Getenv("PCAPPUSH_REQUIRE_TOOLS") == "" && strings.Contains(err.Error(), loopback.ErrMissing.Error()) {
			t.Skipf("prometheus: %v", err)
		}
		t.Fatalf("prometheus: %v", err)
	}
	t.Cleanup(prom.Stop)

	w.during(3*time.Second, 5*time.Millisecond)
	waitUntil(t, 20*time.Second, "every packet written to be published", func() bool {
		return row(t, p.status(t), "all").Packets == int64(len(w.written))
	})
	ctx := context.Background()
	value := func(query string) (float64, bool) {
		s, err := prom.Query(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		if len(s) != 1 {
			return 0, false
		}
		return s[0].Value, true
	}
	waitUntil(t, 20*time.Second, "Prometheus to scrape every packet published", func() bool {
		v, ok := value(`pcappush_pushed_packets_total{job="pcappush", target="all"}`)
		return ok && v == float64(len(w.written))
	})
	for query, want := range map[string]float64{
		`up{job="pcappush"}`: 1,
		`pcappush_target_state{target="all", state="running"}`: 1,
		`pcappush_target_state{target="tcp", state="running"}`: 1,
		`pcappush_pipeline_up{target="all"}`:                   1,
		`pcappush_stage_up{target="tcp", stage="pcap_filter"}`: 1,
		`pcappush_pipeline_errors_total{target="all"}`:         0,
		`pcappush_splits_published_total{target="all"} > 0`:    float64(len(splitFiles(t, e.out, "all_"))),
	} {
		if v, ok := value(query); !ok || v != want {
			t.Errorf("%s = %v (found %v); want %v", query, v, ok, want)
		}
	}
	if v, ok := value(`pcappush_lag_seconds{target="all"}`); !ok || v <= 0 || v > 60 {
		t.Errorf("pcappush_lag_seconds = %v (found %v); want a few seconds", v, ok)
	}
	seen, err := prom.MetricNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkDashboard(t, seen)
	p.stop(t)
}

// checkDashboard checks that every metric name the dashboard's queries
// use is in seen, and that it queries the main ones.
func checkDashboard(t *testing.T, seen []string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.Root(t), "packaging", "grafana-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Query any `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("packaging/grafana-dashboard.json: %v", err)
	}
	var exprs []string
	for _, p := range dash.Panels {
		for _, x := range p.Targets {
			exprs = append(exprs, x.Expr)
		}
	}
	for _, v := range dash.Templating.List {
		if q, ok := v.Query.(string); ok {
			exprs = append(exprs, q)
		}
	}
	// metric names: pcappush's, and Go's and the process's
	nameRE := regexp.MustCompile(`\b(?:pcappush|process|go)_[a-z0-9_]+\b`)
	used := map[string]bool{}
	for _, x := range exprs {
		for _, n := range nameRE.FindAllString(x, -1) {
			used[n] = true
		}
	}
	for n := range used {
		if !slices.Contains(seen, n) {
			t.Errorf("the dashboard queries %s, which Prometheus never scraped from push_realtime", n)
		}
	}
	for _, n := range []string{"pcappush_pushed_bytes_total", "pcappush_lag_seconds", "pcappush_target_state", "pcappush_pipeline_restarts_total"} {
		if !used[n] {
			t.Errorf("the dashboard does not query %s", n)
		}
	}
	t.Logf("the dashboard queries %d metrics, all scraped", len(used))
}
