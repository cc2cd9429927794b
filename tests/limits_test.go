package tests

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
)

// ports is a filter of n "port N" terms: libpcap's optimiser takes
// seconds on a few hundred.
func ports(n int, short bool) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf("port %d", i+1)
		if short && i > 0 {
			parts[i] = fmt.Sprint(i + 1) // "port 1 or 2 or 3": the same filter, fewer bytes
		}
	}
	return strings.Join(parts, " or ")
}

// hosts is the probe's filter: a long chain of "host ... or".
func hosts(bytes int) string {
	var b strings.Builder
	for i := 0; b.Len() < bytes; i++ {
		if i > 0 {
			b.WriteString(" or ")
		}
		fmt.Fprintf(&b, "host 10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
	}
	return b.String()
}

// filterConfig is a one-target configuration with filter.
func filterConfig(t *testing.T, e pushEnv, filter string) string {
	return writeLua(t, e, fmt.Sprintf(`local Config = {}
Config.Target = {}
table.insert(Config.Target, { Desc = "f", Path = %q, Split = "--split-time 60e9", FileName = "--filename-epoch-sec", FilterBPF = %q })
return Config
`, e.out+"/f", filter))
}

// startTool starts a tool with stdin from a pipe kept open and stdout to
// stdout (nil: nowhere), and returns it with its stderr.
func startTool(t *testing.T, stdout io.Writer, name string, args ...string) (*exec.Cmd, *testutil.SyncBuffer) {
	t.Helper()
	cmd := exec.Command(testutil.Tool(t, name), args...)
	stderr := &testutil.SyncBuffer{}
	cmd.Stderr, cmd.Stdout = stderr, stdout
	if _, err := cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() }) //nolint:errcheck // may have exited
	return cmd, stderr
}

// termWithin sends SIGTERM and fails unless the process ends within d;
// it returns the exit code.
func termWithin(t *testing.T, cmd *exec.Cmd, d time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s still ran %v after SIGTERM", cmd.Path, d)
	}
	t.Logf("%s ended %v after SIGTERM", cmd.Path, time.Since(start).Round(time.Millisecond))
	return cmd.ProcessState.ExitCode()
}

// TestHugeFilterRefusedAtOnce: the probe's 100 KB FilterBPF made
// push_realtime --dry-run run for over ten minutes; it is now refused at
// once, naming its length, the limit and the manual.
func TestHugeFilterRefusedAtOnce(t *testing.T) {
	e := newPushEnv(t)
	filter := hosts(100 << 10)
	cfg := filterConfig(t, e, filter)
	push := testutil.Tool(t, "push_realtime")
	start := time.Now()
	res := testutil.Run(t, nil, push, e.args(cfg, "--dry-run")...)
	took := time.Since(start)
	stderr := string(res.Stderr)
	want := fmt.Sprintf("FilterBPF: bad filter %q... (%d bytes): %d bytes, over the 4096-byte limit", filter[:72], len(filter), len(filter))
	if res.Code != 2 || !strings.Contains(stderr, want) || !strings.HasSuffix(stderr, "Try: man 7 pcap-filter (the filter syntax)\n") {
		t.Fatalf("exit %d, stderr:\n%s\nwant exit 2 and %q", res.Code, stderr, want)
	}
	if took > 2*time.Second || len(stderr) > 1000 {
		t.Errorf("refusing took %v and %d bytes of message", took, len(stderr))
	}
	res = testutil.Run(t, nil, testutil.Tool(t, "pcap_filter"), "--bpf", filter)
	if res.Code != 2 || !strings.Contains(string(res.Stderr), "over the 4096-byte limit") {
		t.Errorf("pcap_filter: exit %d\n%s", res.Code, res.Stderr)
	}
}

// TestSlowFilterStopsOnSIGTERM: a filter under the length limit that
// libpcap takes seconds on (the probe's 11 KB filter took 20 s, deaf to
// SIGTERM) is compiled in a child process: SIGTERM ends pcap_filter and a
// loading push_realtime within a second.
func TestSlowFilterStopsOnSIGTERM(t *testing.T) {
	filter := ports(600, true) // under 4 KB; minutes of libpcap
	if len(filter) > 4096 {
		t.Fatalf("filter of %d bytes", len(filter))
	}
	cmd, stderr := startTool(t, nil, "pcap_filter", "--bpf", filter)
	time.Sleep(500 * time.Millisecond)
	if code := termWithin(t, cmd, time.Second); code != 0 || stderr.String() != "" {
		t.Errorf("pcap_filter after SIGTERM: exit %d, stderr %q; want 0 and nothing", code, stderr.String())
	}
	e := newPushEnv(t)
	cmd, stderr = startTool(t, nil, "push_realtime", e.args(filterConfig(t, e, filter), "--dry-run")...)
	time.Sleep(500 * time.Millisecond)
	if code := termWithin(t, cmd, time.Second); code != 0 || stderr.String() != "" {
		t.Errorf("push_realtime --dry-run after SIGTERM: exit %d, stderr %q", code, stderr.String())
	}
	time.Sleep(100 * time.Millisecond)
	if pid := pidOf(t, "pcappush-child:bpf-compile", ""); pid != 0 {
		t.Errorf("a compiler is left running: pid %d", pid)
	}
}

// TestSlowFilterDeadline: without a signal, libpcap is stopped after 10 s
// and the filter is a usage error asking for a shorter one.
func TestSlowFilterDeadline(t *testing.T) {
	filter := ports(600, true)
	pf := testutil.Tool(t, "pcap_filter")
	start := time.Now()
	res := testutil.Run(t, nil, pf, "--bpf", filter)
	took := time.Since(start)
	if res.Code != 2 || !strings.Contains(string(res.Stderr), "libpcap was still compiling it after 10s, and was stopped: shorten it") {
		t.Fatalf("exit %d after %v\n%s", res.Code, took, res.Stderr)
	}
	if took < 10*time.Second || took > 13*time.Second {
		t.Errorf("stopped after %v; want 10 s", took)
	}
}

// TestFilterErrorShowsThePlace: the word libpcap refused is marked under
// the expression, and the hint is the filter syntax's manual, for
// pcap_filter and for a FilterBPF.
func TestFilterErrorShowsThePlace(t *testing.T) {
	filter := "host 10.0.0.1 or hots 10.0.0.2"
	want := "bad filter \"host 10.0.0.1 or hots 10.0.0.2\": unknown host 'hots'\n  host 10.0.0.1 or hots 10.0.0.2\n                   ^^^^\nTry: man 7 pcap-filter (the filter syntax)\n"
	res := testutil.Run(t, nil, testutil.Tool(t, "pcap_filter"), filter)
	if res.Code != 2 || string(res.Stderr) != "pcap_filter: "+want {
		t.Errorf("pcap_filter: exit %d, stderr:\n%s\nwant:\npcap_filter: %s", res.Code, res.Stderr, want)
	}
	e := newPushEnv(t)
	cfg := filterConfig(t, e, filter)
	res = testutil.Run(t, nil, testutil.Tool(t, "push_realtime"), e.args(cfg, "--dry-run")...)
	if res.Code != 2 || !strings.HasSuffix(string(res.Stderr), `target "f": FilterBPF: `+want) {
		t.Errorf("push_realtime: exit %d, stderr:\n%s\nwant it to end in:\n%s", res.Code, res.Stderr, want)
	}
}

// TestFilterCompiledOncePerLoad: a filter that takes libpcap about a
// second is compiled when the configuration loads; a SIGHUP with the same
// filter reloads without compiling, and every pipeline start passes the
// program to pcap_filter (--compiled), which then filters as tcpdump.
func TestFilterCompiledOncePerLoad(t *testing.T) {
	e := newPushEnv(t)
	in := storedCapture(t, e, "cap", "--seed", "31", "--duration", "1m", "--size", "1MB")
	filter := hosts(3000) + " or tcp port 443"
	cfg := filterConfig(t, e, filter)
	push := testutil.Tool(t, "push_realtime")
	start := time.Now()
	dry := testutil.MustRun(t, nil, push, e.args(cfg, "--dry-run", "--offline", "cap")...)
	compile := time.Since(start)
	if !strings.Contains(string(dry.Stdout), " --compiled '1:") {
		t.Fatalf("dry run without --compiled:\n%.500s", dry.Stdout)
	}
	p := startPush(t, e, cfg, "--capture", "cap")
	waitUntil(t, 30*time.Second, "the push to start", func() bool { return strings.Contains(p.stderr.String(), "following the current capture") })
	hup := time.Now()
	p.hup(t)
	waitUntil(t, 30*time.Second, "the reload", func() bool { return strings.Contains(p.stderr.String(), "SIGHUP: reloaded") })
	reload := time.Since(hup)
	t.Logf("loading with the filter took %v, reloading %v", compile, reload)
	if reload > compile/2 {
		t.Errorf("the reload took %v, the first load %v: the filter was compiled again", reload, compile)
	}
	waitUntil(t, 30*time.Second, "the capture to be pushed", func() bool {
		return strings.Contains(e.analytics(t), "finished capture cap")
	})
	p.stop(t)
	sameRecs(t, "target f", tcpdumpKeeps(t, in, filter), published(t, e.out, "f_"))
	if a := e.analytics(t); !strings.Contains(a, "pcap_filter --bpf ") || !strings.Contains(a, " --compiled '1:") {
		t.Errorf("the logged pipeline lacks --compiled:\n%.2000s", a)
	}
}

// hungryLua allocates 2 GB: the probe's config, string.rep of a gigabyte
// doubled, and the same made of concatenations string.rep does not see.
const hungryLua = `local s = string.rep("x", 2^30)
s = s .. s
`
const hungryConcat = `local s = "x"
for i = 1, 31 do s = s .. s end
`

// TestConfigMemoryBounded: a configuration whose Lua code allocates 2 GB
// killed push_realtime with Go's fatal out-of-memory, at start and on
// SIGHUP. It is now a configuration error (exit 2) at start; on SIGHUP
// the running configuration stays, and push_realtime's own memory does
// not grow.
func TestConfigMemoryBounded(t *testing.T) {
	e := newPushEnv(t)
	good := fmt.Sprintf(`local Config = {}
Config.Target = {}
table.insert(Config.Target, { Desc = "t", Path = %q, Split = "--split-time 60e9", FileName = "--filename-epoch-sec" })
return Config
`, e.out+"/t")
	push := testutil.Tool(t, "push_realtime")
	for _, tc := range []struct{ body, want string }{
		{hungryLua, "lua error at line 1: string.rep: a result of 1073741824 bytes is over the configuration's 256 MiB memory limit"},
		{hungryConcat, "the Lua code used more than 256 MiB of memory"},
	} {
		cfg := writeLua(t, e, tc.body+good)
		res := testutil.Run(t, nil, push, e.args(cfg, "--dry-run")...)
		if res.Code != 2 || !strings.Contains(string(res.Stderr), "push_realtime: config "+cfg+": "+tc.want) {
			t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and %q", res.Code, res.Stderr, tc.want)
		}
	}
	cfg := writeLua(t, e, good)
	p := startPush(t, e, cfg, "--capture", "none")
	waitUntil(t, 20*time.Second, "the push to start", func() bool { return strings.Contains(p.stderr.String(), "following the current capture") })
	writeLua(t, e, hungryConcat+good)
	p.hup(t)
	waitUntil(t, 60*time.Second, "the reload to be refused", func() bool {
		return strings.Contains(p.stderr.String(), "SIGHUP: the configuration was not reloaded; the running one stays: config "+cfg+": the Lua code used more than 256 MiB")
	})
	if hwm := peakRSS(t, p.cmd.Process.Pid); hwm > 200<<20 {
		t.Errorf("push_realtime's peak memory is %d MiB", hwm>>20)
	}
	writeLua(t, e, good)
	p.hup(t)
	waitUntil(t, 20*time.Second, "a good reload", func() bool { return strings.Contains(p.stderr.String(), "SIGHUP: reloaded") })
	p.stop(t)
}

// peakRSS returns a process's peak resident memory (VmHWM) in bytes.
func peakRSS(t *testing.T, pid int) int64 { return procKB(t, pid, "status", "VmHWM:") }

// procKB returns the field of /proc/PID/file whose line starts with name,
// a size in kB, in bytes.
func procKB(t *testing.T, pid int, file, name string) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", pid, file))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[0] == name {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/%d/%s", name, pid, file)
	return 0
}

// fleetConfig is n targets over the live capture, each with pcap_decap and
// pcap_filter when full.
func fleetConfig(t *testing.T, e pushEnv, n int, full bool) string {
	extra := ""
	if full {
		extra = `, Decap = true, FilterBPF = "tcp or udp"`
	}
	return writeLua(t, e, fmt.Sprintf(`local Config = {Target = {}}
for i = 1, %d do
  table.insert(Config.Target, {Desc = "t" .. i, Path = %q .. i, Split = "--split-time 2e9", FileName = "--filename-epoch-sec"%s})
end
return Config
`, n, e.out+"/t", extra))
}

// TestFleetLimits: 257 targets are refused, 101 warned about; ten live
// targets of four stages each take less than 40 MB, above the 32 MB a
// target is documented to take, with margin (proportional set size, so
// that the tools' shared code counts once), and push_realtime itself
// little. The tools keep transparent huge pages off their heaps, so the
// figure holds where the kernel gives them to every mapping too.
func TestFleetLimits(t *testing.T) {
	e := newPushEnv(t)
	push := testutil.Tool(t, "push_realtime")
	res := testutil.Run(t, nil, push, e.args(fleetConfig(t, e, 257, false), "--dry-run")...)
	if res.Code != 2 || !strings.Contains(string(res.Stderr), "Config.Target: 257 targets, over the limit of 256") {
		t.Errorf("257 targets: exit %d\n%s", res.Code, res.Stderr)
	}
	res = testutil.Run(t, nil, push, e.args(fleetConfig(t, e, 101, false), "--dry-run")...)
	if res.Code != 0 || !strings.Contains(string(res.Stderr), "push_realtime: warning: config ") || !strings.Contains(string(res.Stderr), "101 targets, more than the 100 tested") {
		t.Errorf("101 targets: exit %d\n%.500s", res.Code, res.Stderr)
	}

	const n = 10
	w := liveDir(t, e, "51")
	w.packets(50, time.Millisecond)
	p := startPush(t, e, fleetConfig(t, e, n, true), "--capture", "live")
	w.during(6*time.Second, 5*time.Millisecond)
	pids := append([]int{p.cmd.Process.Pid}, children(t, p.cmd.Process.Pid)...)
	if len(pids) != 1+4*n {
		t.Fatalf("%d processes; want push_realtime and %d stages", len(pids), 4*n)
	}
	var total int64
	byTool := map[string]int64{}
	for _, pid := range pids[1:] {
		m := pss(t, pid)
		total += m
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		byTool[strings.TrimSpace(string(comm))] += m
	}
	for tool, m := range byTool {
		t.Logf("%s: %.1f MB a process", tool, float64(m)/n/(1<<20))
	}
	self := pss(t, pids[0])
	t.Logf("%d targets of 4 stages: %d MB for the stages (%.1f MB a target), push_realtime %d MB", n, total>>20, float64(total)/n/(1<<20), self>>20)
	if per := total / n; per > 40<<20 {
		t.Errorf("a target takes %d MB", per>>20)
	}
	if self > 80<<20 {
		t.Errorf("push_realtime takes %d MB", self>>20)
	}
	p.stop(t)
}

// children returns the pids of a process's children.
func children(t *testing.T, pid int) []int {
	t.Helper()
	m, _ := filepath.Glob("/proc/[0-9]*/stat")
	var out []int
	for _, p := range m {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, not ')'
		_, rest, _ := strings.Cut(string(b), ") ")
		if f := strings.Fields(rest); len(f) > 1 && f[1] == strconv.Itoa(pid) {
			c, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
			out = append(out, c)
		}
	}
	return out
}

// pss returns a process's proportional set size in bytes.
func pss(t *testing.T, pid int) int64 { return procKB(t, pid, "smaps_rollup", "Pss:") }
