package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pcappush/pcappush/lib/push/status"
)

// Source returns every target's status now.
type Source func() []status.Status

// states are the values of pcappush_target_state's state label.
var states = []string{status.Running, status.Idle, status.Restarting, status.Failed, status.Stopped}

// metric describes one per-target metric and how a status gives its value.
type metric struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	value func(s *status.Status, now time.Time) (float64, bool)
}

func counter(name, help string, v func(s *status.Status) int64) metric {
	return metric{prometheus.NewDesc(name, help, []string{"target"}, nil), prometheus.CounterValue,
		func(s *status.Status, _ time.Time) (float64, bool) { return float64(v(s)), true }}
}

func gauge(name, help string, v func(s *status.Status, now time.Time) (float64, bool)) metric {
	return metric{prometheus.NewDesc(name, help, []string{"target"}, nil), prometheus.GaugeValue, v}
}

func boolean(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

var perTarget = []metric{
	counter("pcappush_pushed_bytes_total", "Bytes of the splits published by the target (pcap bytes before any PipeCmd) since push_realtime started.",
		func(s *status.Status) int64 { return s.Bytes }),
	counter("pcappush_pushed_packets_total", "Packets in the splits published by the target since push_realtime started.",
		func(s *status.Status) int64 { return s.Packets }),
	counter("pcappush_splits_published_total", "Splits published by the target since push_realtime started.",
		func(s *status.Status) int64 { return s.Splits }),
	counter("pcappush_splits_skipped_total", "Splits not written because their name already held the same bytes (published before), since push_realtime started.",
		func(s *status.Status) int64 { return s.Skipped }),
	counter("pcappush_pipeline_errors_total", "Runs of the target's pipeline that failed or could not start.",
		func(s *status.Status) int64 { return s.Errors }),
	counter("pcappush_pipeline_restarts_total", "Restarts of the target's pipeline after a failure.",
		func(s *status.Status) int64 { return s.Restarts }),
	counter("pcappush_post_failures_total", "Post commands of the target that failed (exit status, signal, timeout).",
		func(s *status.Status) int64 { return s.PostFailures }),
	gauge("pcappush_pipeline_up", "1 when the target's pipeline runs with every stage alive, else 0.",
		func(s *status.Status, _ time.Time) (float64, bool) { return boolean(s.Up()), true }),
	gauge("pcappush_lag_seconds", "Now minus the time of the last packet the target published; absent before its first split.",
		func(s *status.Status, now time.Time) (float64, bool) {
			lag, ok := s.Lag(now)
			return lag.Seconds(), ok
		}),
	gauge("pcappush_last_split_published_timestamp_seconds", "When the target's last split was published, in seconds since the epoch.",
		func(s *status.Status, _ time.Time) (float64, bool) {
			if s.LastSplit == nil {
				return 0, false
			}
			return float64(s.LastSplit.Published.UnixNano()) / 1e9, true
		}),
	gauge("pcappush_offline_read_bytes", "Chunk bytes of the capture an offline push has read so far.",
		func(s *status.Status, _ time.Time) (float64, bool) {
			if s.Progress == nil {
				return 0, false
			}
			return float64(s.Progress.Done), true
		}),
	gauge("pcappush_offline_capture_bytes", "Chunk bytes of the capture an offline push reads.",
		func(s *status.Status, _ time.Time) (float64, bool) {
			if s.Progress == nil {
				return 0, false
			}
			return float64(s.Progress.Total), true
		}),
}

var (
	stateDesc = prometheus.NewDesc("pcappush_target_state", "1 for the target's state (running, idle, restarting, failed, stopped), 0 for the others.",
		[]string{"target", "state"}, nil)
	stageDesc = prometheus.NewDesc("pcappush_stage_up", "1 when the stage of the target's pipeline is running, else 0.",
		[]string{"target", "stage"}, nil)
)

// Collector exports the targets' statuses.
type Collector struct {
	src Source
	now func() time.Time
}

var _ prometheus.Collector = (*Collector)(nil)

// NewCollector returns a Collector reading src; now nil means time.Now.
func NewCollector(src Source, now func() time.Time) *Collector {
	if now == nil {
		now = time.Now
	}
	return &Collector{src: src, now: now}
}

// Describe sends every metric's description.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range perTarget {
		ch <- m.desc
	}
	ch <- stateDesc
	ch <- stageDesc
}

// Collect sends every target's metrics.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	now := c.now()
	for _, s := range c.src() {
		for _, m := range perTarget {
			if v, ok := m.value(&s, now); ok {
				send(ch, m.desc, m.kind, v, s.Target)
			}
		}
		for _, st := range states {
			send(ch, stateDesc, prometheus.GaugeValue, boolean(s.State == st), s.Target, st)
		}
		for _, st := range s.Stages {
			send(ch, stageDesc, prometheus.GaugeValue, boolean(st.Up), s.Target, st.Name)
		}
	}
}

func send(ch chan<- prometheus.Metric, d *prometheus.Desc, kind prometheus.ValueType, v float64, labels ...string) {
	m, err := prometheus.NewConstMetric(d, kind, v, labels...)
	if err != nil {
		m = prometheus.NewInvalidMetric(d, err)
	}
	ch <- m
}

// Registry returns a registry with the targets' metrics, Go runtime and
// process metrics, and pcappush_build_info.
func Registry(src Source, version string) (*prometheus.Registry, error) {
	reg := prometheus.NewRegistry()
	info := prometheus.NewGauge(prometheus.GaugeOpts{Name: "pcappush_build_info", Help: "Always 1; labelled with the version of push_realtime and of Go.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version()}})
	info.Set(1)
	for _, c := range []prometheus.Collector{NewCollector(src, nil), collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), info} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
	}
	return reg, nil
}

// Listen opens the metrics address, host:port (port 0 picks one).
func Listen(addr string) (net.Listener, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("metrics address %q: want HOST:PORT, e.g. 127.0.0.1:9310", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	return ln, nil
}

// Serve serves GET /metrics from reg on ln until ctx ends.
func Serve(ctx context.Context, ln net.Listener, reg *prometheus.Registry) error {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintln(w, "push_realtime: metrics at /metrics")
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := context.WithCancel(ctx)
	shut := make(chan struct{})
	go func() {
		defer close(shut)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx) //nolint:errcheck // the listener closes either way
	}()
	err := srv.Serve(ln)
	stop() // Serve failed by itself: the shutdown goroutine ends too
	<-shut
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("metrics: %w", err)
	}
	return nil
}
