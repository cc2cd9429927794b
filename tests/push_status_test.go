package tests

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/pcappush/pcappush/internal/testutil"
	"github.com/pcappush/pcappush/lib/push/status"
)

// TestPushStatusMetricsAndPost follows a live capture with two targets,
// each with a Post command (one failing), and checks the status table,
// its JSON, the Prometheus metrics and the Post commands' view of each
// split against the published files, read by capinfos.
func TestPushStatusMetricsAndPost(t *testing.T) {
	e := newPushEnv(t)
	w := liveDir(t, e, "41")
	w.packets(50, time.Millisecond)
	pwned := filepath.Join(e.root, "PWNED")
	weird := filepath.Join(e.out, "it's; $(touch "+pwned+") x")
	postLog := filepath.Join(e.root, "post.log")
	cfg := writeLua(t, e, fmt.Sprintf(`local Config = {}
Config.Target = {}
table.insert(Config.Target, { Desc = "all", Path = %q, Split = "--split-time 2e9", FileName = "--filename-tstr-HHMMSS",
    Post = [[printf '%%s|%%s|%%s|%%s|%%s|%%s|%%s\n' "$PCAPPUSH_SPLIT_NAME" "$PCAPPUSH_SPLIT_BYTES" "$PCAPPUSH_SPLIT_PACKETS" "$PCAPPUSH_SPLIT_FIRST_NS" "$PCAPPUSH_SPLIT_LAST_NS" "$PCAPPUSH_TARGET" "$1" >> %s]] })
table.insert(Config.Target, { Desc = "tcp", Path = %q, Split = "--split-time 2e9", FileName = "--filename-tstr-HHMMSS",
    FilterBPF = "tcp", Post = "exit 3" })
return Config
`, weird+"/all", postLog, e.out+"/tcp"))
	p := startPush(t, e, cfg, "--status-interval", "300ms", "--metrics-listen", "127.0.0.1:0")
	addrRE := regexp.MustCompile(`metrics at http://(127\.0\.0\.1:\d+)/metrics`)
	waitUntil(t, 10*time.Second, "the metrics address on stderr", func() bool { return addrRE.MatchString(p.stderr.String()) })
	addr := addrRE.FindStringSubmatch(p.stderr.String())[1]
	w.during(3*time.Second, 5*time.Millisecond)
	waitUntil(t, 15*time.Second, "every packet written to be published", func() bool {
		r := p.status(t)
		return row(t, r, "all").Packets == int64(len(w.written)) && row(t, r, "tcp").Splits > 0
	})
	time.Sleep(400 * time.Millisecond) // a status interval: the last Post has run
	r := p.status(t)
	all, tcp := row(t, r, "all"), row(t, r, "tcp")
	names := splitFiles(t, weird, "all_")
	info := capinfos(t, weird, names)
	checkStatusRow(t, all, p.cmd.Process.Pid, weird, names, info)
	if tcp.State != status.Running || tcp.PostFailures != tcp.Splits || tcp.Errors != 0 || !strings.Contains(tcp.LastError, "post failed for "+e.out+"/tcp_") {
		t.Errorf("tcp row %+v; want running, every Post failed and reported", tcp)
	}
	if !r.Service.Running || r.Service.PID != p.cmd.Process.Pid {
		t.Errorf("service %+v; want running with pid %d", r.Service, p.cmd.Process.Pid)
	}
	checkStatusTable(t, p, names[len(names)-1], all)
	checkStatusFromRecord(t, p)
	checkMetrics(t, addr, r)
	checkPostLog(t, postLog, weird, names, info)
	if _, err := os.Stat(pwned); err == nil {
		t.Fatal("a split name ran a command")
	}
	p.stop(t)
	after := p.status(t)
	if after.Service.Running || row(t, after, "all").State != status.Stopped || row(t, after, "all").Detail != "push_realtime stopped" {
		t.Errorf("after SIGTERM: %+v; want not running, targets stopped", after)
	}
	sameRecs(t, "target all", w.written, published(t, weird, "all_"))
}

func checkStatusRow(t *testing.T, all status.Row, pid int, dir string, names []string, info map[string]capinfo) {
	t.Helper()
	var bytes, packets int64
	for _, n := range names {
		st, err := os.Stat(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		bytes += st.Size()
		packets += int64(info[n].packets)
	}
	last := names[len(names)-1]
	switch {
	case all.State != status.Running || !all.Alive || all.PID != pid || all.Capture != "live" || !all.Up():
		t.Errorf("all: state %s, alive %v, pid %d, capture %q, stages %+v; want running live with pid %d, every stage up", all.State, all.Alive, all.PID, all.Capture, all.Stages, pid)
	case all.Splits != int64(len(names)) || all.Bytes != bytes || all.Packets != packets:
		t.Errorf("all: %d splits, %d bytes, %d packets; the files: %d, %d, %d", all.Splits, all.Bytes, all.Packets, len(names), bytes, packets)
	case all.LastSplit == nil || all.LastSplit.Name != filepath.Join(dir, last) || all.LastSplit.Last != info[last].last:
		t.Errorf("all: last split %+v; want %s ending at %d", all.LastSplit, last, info[last].last)
	case all.LagSeconds == nil || *all.LagSeconds <= 0 || *all.LagSeconds > 30:
		t.Errorf("all: lag %v; want a few seconds", all.LagSeconds)
	case all.Restarts != 0 || all.PostFailures != 0 || all.LastError != "":
		t.Errorf("all: %d restarts, %d post failures, error %q; want none", all.Restarts, all.PostFailures, all.LastError)
	}
}

// checkStatusTable checks the table a person reads.
func checkStatusTable(t *testing.T, p *runningPush, last string, all status.Row) {
	t.Helper()
	res := testutil.MustRun(t, nil, testutil.Tool(t, "push_realtime"), p.statusArgs()...)
	table := string(res.Stdout)
	for _, re := range []string{
		`^push_realtime: running, pid ` + strconv.Itoa(p.cmd.Process.Pid) + `, since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\n\n`,
		`\nTARGET +STATE +CAPTURE +LAST SPLIT +PUBLISHED +SPLITS +BYTES +PACKETS +LAG +RESTARTS +ERROR\n`,
		`\nall +running +live +` + regexp.QuoteMeta(last) + ` +[\d.]+s ago +` + strconv.FormatInt(all.Splits, 10) + ` +[\d.]+ [kM]B +` + strconv.FormatInt(all.Packets, 10) + ` +[\d.]+s +0 +-\n`,
		`\ntcp +running +live +tcp_\d{8}_\d{6}\.pcap .* post failed for `,
		`\nstore ` + regexp.QuoteMeta(p.e.store) + `:\nCAPTURE +CHUNKS +BYTES +FIRST +LAST +ACTIVE\nlive +1 +\d+ +\S+ +\S+ +yes\n$`,
	} {
		if !regexp.MustCompile(re).MatchString(table) {
			t.Errorf("status table lacks %s:\n%s", re, table)
		}
	}
}

// checkStatusFromRecord runs status with the state folder only, from
// another directory: the store, logs and configuration come from what the
// running push recorded.
func checkStatusFromRecord(t *testing.T, p *runningPush) {
	t.Helper()
	cmd := exec.Command(testutil.Tool(t, "push_realtime"), "status", "--state-dir", p.e.state, "--json")
	cmd.Dir = t.TempDir()
	out, err := cmd.Output()
	var r status.Report
	if err != nil || json.Unmarshal(out, &r) != nil {
		t.Fatalf("status --state-dir only: %v\n%s", err, out)
	}
	if r.Store.Dir != p.e.store || r.LogDir != p.e.logs || len(r.Targets) != 2 || len(r.Store.Captures) != 1 {
		t.Errorf("status --state-dir only: store %q, logs %q, %d targets, %d captures; want %s, %s, 2, 1", r.Store.Dir, r.LogDir, len(r.Targets), len(r.Store.Captures), p.e.store, p.e.logs)
	}
	for _, row := range r.Targets {
		if strings.Contains(row.Detail, "not in the configuration") {
			t.Errorf("status did not read the push's configuration: %+v", row)
		}
	}
	cmd = exec.Command(testutil.Tool(t, "push_realtime"), "status", "--state-dir", p.e.state, "--log-dir", "/elsewhere")
	out, err = cmd.Output()
	if err != nil || !strings.Contains(string(out), "\nfolders from the command line (--log-dir) and the realtime push started ") ||
		!strings.Contains(string(out), "\nlogs /elsewhere: analytics_push_realtime.cur, push_<target>.cur\nstore "+p.e.store+":\n") {
		t.Errorf("status --log-dir: %v\n%s", err, out)
	}
}

// checkMetrics reads /metrics and compares it with the status.
func checkMetrics(t *testing.T, addr string, r status.Report) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("metrics: %v\n%s", err, body)
	}
	value := func(name, target string) float64 {
		for _, m := range fams[name].GetMetric() {
			if label(m, "target") == target {
				if m.Counter != nil {
					return m.Counter.GetValue()
				}
				return m.Gauge.GetValue()
			}
		}
		t.Errorf("metrics lack %s{target=%q}", name, target)
		return -1
	}
	for _, desc := range []string{"all", "tcp"} {
		s := row(t, r, desc)
		for name, want := range map[string]float64{"pcappush_splits_published_total": float64(s.Splits), "pcappush_post_failures_total": float64(s.PostFailures),
			"pcappush_pipeline_up": 1, "pcappush_pipeline_restarts_total": 0, "pcappush_pipeline_errors_total": 0} {
			if got := value(name, desc); got < want || (name != "pcappush_splits_published_total" && name != "pcappush_post_failures_total" && got != want) {
				t.Errorf("%s{target=%q} = %v; want %v", name, desc, got, want)
			}
		}
		if lag := value("pcappush_lag_seconds", desc); lag <= 0 || lag > 30 {
			t.Errorf("pcappush_lag_seconds{target=%q} = %v", desc, lag)
		}
	}
	if got := value("pcappush_pushed_packets_total", "all"); got != float64(row(t, r, "all").Packets) {
		t.Errorf("pcappush_pushed_packets_total{all} = %v; want %d", got, row(t, r, "all").Packets)
	}
	for name, f := range fams {
		if strings.HasPrefix(name, "pcappush_") && f.GetHelp() == "" {
			t.Errorf("%s has no HELP", name)
		}
	}
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes", "process_cpu_seconds_total", "pcappush_build_info", "pcappush_target_state", "pcappush_stage_up"} {
		if fams[name] == nil {
			t.Errorf("metrics lack %s", name)
		}
	}
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// checkPostLog checks that Post ran once per split with what capinfos and
// the file say.
func checkPostLog(t *testing.T, path, dir string, names []string, info map[string]capinfo) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	seen := map[string]bool{}
	for _, l := range lines {
		f := strings.Split(l, "|")
		if len(f) != 7 || f[0] != f[6] || f[5] != "all" || filepath.Dir(f[0]) != dir || seen[f[0]] {
			t.Fatalf("Post saw %q", l)
		}
		seen[f[0]] = true
		n := filepath.Base(f[0])
		st, err := os.Stat(f[0])
		if err != nil {
			t.Fatalf("Post named %s: %v", f[0], err)
		}
		ci := info[n]
		if f[1] != strconv.FormatInt(st.Size(), 10) || f[2] != strconv.Itoa(ci.packets) || f[3] != strconv.FormatInt(ci.first, 10) || f[4] != strconv.FormatInt(ci.last, 10) {
			t.Errorf("Post saw %q; %s has %d bytes, %d packets, %d to %d", l, n, st.Size(), ci.packets, ci.first, ci.last)
		}
	}
	if len(seen) != len(names) {
		t.Errorf("Post ran for %d splits of %d", len(seen), len(names))
	}
}
