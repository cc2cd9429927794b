package metrics

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/pcappush/pcappush/lib/push/status"
	"github.com/pcappush/pcappush/lib/state/ledger"
)

var now = time.Date(2021, 5, 29, 15, 36, 46, 0, time.UTC)

func statuses() []status.Status {
	return []status.Status{
		{Target: "pcap-all", State: status.Running, Stages: []status.Stage{{Name: "stream_cat", Up: true}, {Name: "pcap_split", Up: true}},
			Splits: 3, Bytes: 240000072, Packets: 153702, Restarts: 1, Errors: 1, PostFailures: 2,
			LastSplit: &status.Split{Entry: ledger.Entry{Name: "/p/all_1.pcap", Last: now.Add(-4500 * time.Millisecond).UnixNano()}, Published: now.Add(-2 * time.Second)}},
		{Target: "pcap-tcp", State: status.Idle, Progress: &status.Progress{Done: 10, Total: 40}},
	}
}

func TestCollector(t *testing.T) {
	c := NewCollector(statuses, func() time.Time { return now })
	want := `
# HELP pcappush_lag_seconds Now minus the time of the last packet the target published; absent before its first split.
# TYPE pcappush_lag_seconds gauge
pcappush_lag_seconds{target="pcap-all"} 4.5
# HELP pcappush_pipeline_restarts_total Restarts of the target's pipeline after a failure.
# TYPE pcappush_pipeline_restarts_total counter
pcappush_pipeline_restarts_total{target="pcap-all"} 1
pcappush_pipeline_restarts_total{target="pcap-tcp"} 0
# HELP pcappush_pipeline_up 1 when the target's pipeline runs with every stage alive, else 0.
# TYPE pcappush_pipeline_up gauge
pcappush_pipeline_up{target="pcap-all"} 1
pcappush_pipeline_up{target="pcap-tcp"} 0
# HELP pcappush_post_failures_total Post commands of the target that failed (exit status, signal, timeout).
# TYPE pcappush_post_failures_total counter
pcappush_post_failures_total{target="pcap-all"} 2
pcappush_post_failures_total{target="pcap-tcp"} 0
# HELP pcappush_pushed_bytes_total Bytes of the splits published by the target (pcap bytes before any PipeCmd) since push_realtime started.
# TYPE pcappush_pushed_bytes_total counter
pcappush_pushed_bytes_total{target="pcap-all"} 2.40000072e+08
pcappush_pushed_bytes_total{target="pcap-tcp"} 0
# HELP pcappush_offline_read_bytes Chunk bytes of the capture an offline push has read so far.
# TYPE pcappush_offline_read_bytes gauge
pcappush_offline_read_bytes{target="pcap-tcp"} 10
# HELP pcappush_stage_up 1 when the stage of the target's pipeline is running, else 0.
# TYPE pcappush_stage_up gauge
pcappush_stage_up{stage="pcap_split",target="pcap-all"} 1
pcappush_stage_up{stage="stream_cat",target="pcap-all"} 1
# HELP pcappush_target_state 1 for the target's state (running, idle, restarting, failed, stopped), 0 for the others.
# TYPE pcappush_target_state gauge
pcappush_target_state{state="failed",target="pcap-all"} 0
pcappush_target_state{state="failed",target="pcap-tcp"} 0
pcappush_target_state{state="idle",target="pcap-all"} 0
pcappush_target_state{state="idle",target="pcap-tcp"} 1
pcappush_target_state{state="restarting",target="pcap-all"} 0
pcappush_target_state{state="restarting",target="pcap-tcp"} 0
pcappush_target_state{state="running",target="pcap-all"} 1
pcappush_target_state{state="running",target="pcap-tcp"} 0
pcappush_target_state{state="stopped",target="pcap-all"} 0
pcappush_target_state{state="stopped",target="pcap-tcp"} 0
`
	names := []string{"pcappush_lag_seconds", "pcappush_pipeline_restarts_total", "pcappush_pipeline_up", "pcappush_post_failures_total",
		"pcappush_pushed_bytes_total", "pcappush_offline_read_bytes", "pcappush_stage_up", "pcappush_target_state"}
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	if problems, err := testutil.CollectAndLint(c); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v, %v", problems, err)
	}
}

func TestServe(t *testing.T) {
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	reg, err := Registry(statuses, "v1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, ln, reg) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"\npcappush_splits_published_total{target=\"pcap-all\"} 3\n", "\ngo_goroutines ", "\nprocess_resident_memory_bytes ",
		"pcappush_build_info{goversion=\"go", "version=\"v1.2.3\"} 1\n", "# HELP pcappush_pushed_packets_total "} {
		if !strings.Contains(string(b), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	cancel()
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if _, err := Listen("localhost"); err == nil || !strings.Contains(err.Error(), "want HOST:PORT") {
		t.Errorf("Listen(localhost) = %v; want an address error", err)
	}
}
