package tests

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
)

// binDir builds every pipeline tool and push_realtime into one folder.
func binDir(t *testing.T) string {
	t.Helper()
	var dir string
	for _, tool := range []string{"stream_cat", "pcap_decap", "pcap_filter", "pcap_split", "push_realtime"} {
		dir = filepath.Dir(testutil.Tool(t, tool))
	}
	return dir
}

// pushEnv is a root folder holding a store, state, logs and outputs.
type pushEnv struct {
	root, store, state, logs, out string
}

func newPushEnv(t *testing.T) pushEnv {
	root := t.TempDir()
	e := pushEnv{root: root, store: filepath.Join(root, "store"), state: filepath.Join(root, "state"), logs: filepath.Join(root, "log"), out: filepath.Join(root, "push")}
	for _, d := range []string{e.store, e.out} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// referenceConfig is the reference's two-target example with its paths
// moved under out, unchanged otherwise.
func referenceConfig(t *testing.T, e pushEnv) string {
	t.Helper()
	ref, err := os.ReadFile(filepath.Join(testutil.Root(t), "lib", "config", "testdata", "reference.lua"))
	if err != nil {
		t.Fatal(err)
	}
	return writeLua(t, e, strings.ReplaceAll(string(ref), "/mnt/remote0/push", e.out))
}

func writeLua(t *testing.T, e pushEnv, body string) string {
	t.Helper()
	p := filepath.Join(e.root, "push_realtime.lua")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func (e pushEnv) args(cfg string, extra ...string) []string {
	return append([]string{"--config", cfg, "--store", e.store, "--state-dir", e.state, "--log-dir", e.logs}, extra...)
}

// storedCapture writes a generated capture into the store as chunks that
// tcpdump rotated by size, and returns the generated file.
func storedCapture(t *testing.T, e pushEnv, name string, genArgs ...string) string {
	t.Helper()
	in := gen(t, genArgs...)
	dir := filepath.Join(e.store, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	tcpdump := testutil.Need(t, "tcpdump")
	testutil.MustRun(t, nil, tcpdump, "--time-stamp-precision", "nano", "-r", in, "-w", filepath.Join(dir, "chunk"), "-C", "3", "-Z", "root")
	if err := os.WriteFile(filepath.Join(dir, ".complete"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return in
}

// published reads every split in dir whose name starts with prefix, in
// name order, checking that none is left pending.
func published(t *testing.T, dir, prefix string) []rec {
	t.Helper()
	noPending(t, dir)
	var names []string
	for _, n := range files(t, dir) {
		if strings.HasPrefix(n, prefix) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return merged(t, dir, names)
}

// checkPushLogs checks the analytics log and each target's log.
func checkPushLogs(t *testing.T, e pushEnv, targets []string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(e.logs, "analytics_push_realtime.cur"))
	if err != nil {
		t.Fatal(err)
	}
	analytics := string(b)
	for _, d := range targets {
		status := regexp.MustCompile(`(?m)^\[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\] push \[` + regexp.QuoteMeta(d) + ` {` + strconv.Itoa(41-len(d)) + `}: stream_cat:(true|false)( decap:(true|false))?( filter:(true|false))? split:(true|false)\]$`)
		if !status.MatchString(analytics) {
			t.Errorf("analytics log lacks a status line for %s:\n%s", d, analytics)
		}
		if !strings.Contains(analytics, "push "+d+": started") {
			t.Errorf("analytics log lacks the start of %s", d)
		}
		cur := filepath.Join(e.logs, "push_"+d+".cur")
		link, err := os.Readlink(cur)
		if err != nil || !regexp.MustCompile(`^push_`+regexp.QuoteMeta(d)+`_\d{8}_\d{4}(_\d+)?$`).MatchString(link) {
			t.Errorf("%s -> %q, %v", cur, link, err)
			continue
		}
		lb, _ := os.ReadFile(cur)
		log := string(lb)
		if !strings.Contains(log, "stream_cat --uid push_") || !strings.Contains(log, "pcap_split args") || !strings.Contains(log, ": New Split") {
			t.Errorf("%s lacks the pipeline, the arguments or pcap_split's progress:\n%s", link, log)
		}
	}
}

// tcpdumpKeeps is what tcpdump keeps of a capture with a filter.
func tcpdumpKeeps(t *testing.T, in, filter string) []rec {
	t.Helper()
	res := testutil.MustRun(t, nil, testutil.Need(t, "tcpdump"), "--time-stamp-precision", "nano", "-r", in, "-w", "-", filter)
	return parseRecs(t, "tcpdump", res.Stdout)
}

func TestPushOfflineReferenceExample(t *testing.T) {
	e := newPushEnv(t)
	in := storedCapture(t, e, "capture1_20210521_0101", "--seed", "21", "--start", "2021-05-24T09:50:30Z", "--duration", "4m", "--size", "24MB", "--encap", "0.2")
	cfg := referenceConfig(t, e)
	res := testutil.Run(t, nil, testutil.Tool(t, "push_realtime"), e.args(cfg, "--bin-dir", binDir(t), "--force", "--offline", "capture1_20210521_0101", "--status-interval", "200ms")...)
	if res.Code != 0 {
		t.Fatalf("exit %d\n%s", res.Code, res.Stderr)
	}
	all := files(t, e.out)
	want := []string{}
	for m := int64(1621849800); m < 1621850100; m += 60 {
		want = append(want, fmt.Sprintf("all_%d-%d.pcap", m, m+60), fmt.Sprintf("tcp_%d-%d.pcap", m, m+60))
	}
	sort.Strings(want)
	if strings.Join(all, " ") != strings.Join(want, " ") {
		t.Fatalf("published %v; want %v", all, want)
	}
	sameRecs(t, "target pcap-all", readRecs(t, in), published(t, e.out, "all_"))
	tcp := tcpdumpKeeps(t, in, "net 192.168.1.0/24 and tcp")
	if len(tcp) < 1000 {
		t.Fatalf("only %d packets of 192.168.1.0/24 TCP generated", len(tcp))
	}
	sameRecs(t, "target pcap-tcp", tcp, published(t, e.out, "tcp_"))
	checkPushLogs(t, e, []string{"pcap-all", "pcap-tcp"})
}

// liveWriter appends generated packets, stamped with the current time, to
// the chunks of a live capture, as a recorder does.
type liveWriter struct {
	t       *testing.T
	dir     string
	src     []rec
	next    int
	chunk   int
	f       *os.File
	written []rec
}

func (w *liveWriter) rotate() {
	if w.f != nil {
		w.f.Close()
	}
	w.chunk++
	f, err := os.Create(filepath.Join(w.dir, fmt.Sprintf("live_%05d.pcap", w.chunk)))
	if err != nil {
		w.t.Fatal(err)
	}
	w.f = f
	writeRecs(w.t, f, true)
}

// packets writes n packets, gap apart.
func (w *liveWriter) packets(n int, gap time.Duration) {
	for i := 0; i < n; i++ {
		r := w.src[w.next%len(w.src)]
		w.next++
		r.Time = time.Now().UnixNano()
		writeRecs(w.t, w.f, false, r)
		w.written = append(w.written, r)
		time.Sleep(gap)
	}
}

// pidOf finds the process named name whose command line mentions arg.
func pidOf(t *testing.T, name, arg string) int {
	t.Helper()
	m, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range m {
		b, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(b, []byte(arg)) {
			continue
		}
		args := strings.Split(string(b), "\x00")
		if filepath.Base(args[0]) == name {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
			return pid
		}
	}
	return 0
}

// TestPushRealtime follows a live capture with two targets and 2-second
// splits: splits close while the link is quiet (clock ticks), a killed
// pcap_split is restarted and resumes, and SIGTERM publishes what is in
// progress; every packet written is published exactly once.
func TestPushRealtime(t *testing.T) {
	e := newPushEnv(t)
	src := readRecs(t, gen(t, "--seed", "22", "--packets", "3000", "--encap", "0.3"))
	live := filepath.Join(e.store, "live")
	if err := os.MkdirAll(live, 0o755); err != nil {
		t.Fatal(err)
	}
	w := &liveWriter{t: t, dir: live, src: src}
	w.rotate()
	w.packets(50, time.Millisecond)
	cfg := writeLua(t, e, fmt.Sprintf(`local Config = {}
Config.Target = {}
table.insert(Config.Target, { Desc = "all", Path = %q, Split = "--split-time 2e9", FileName = "--filename-tstr-HHMMSS" })
table.insert(Config.Target, { Desc = "tcp", Path = %q, Split = "--split-time 2e9", FileName = "--filename-tstr-HHMMSS",
    Decap = true, FilterBPF = "net 192.168.1.0/24 and tcp" })
return Config
`, e.out+"/all", e.out+"/tcp"))
	cmd := exec.Command(testutil.Tool(t, "push_realtime"), e.args(cfg, "--bin-dir", binDir(t), "--status-interval", "500ms")...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() }) //nolint:errcheck // may have exited
	w.packets(300, 5*time.Millisecond)
	w.rotate()
	w.packets(300, 5*time.Millisecond)
	quiet := time.Now()
	time.Sleep(5 * time.Second) // quiet link: ticks close the splits
	closedQuietly := 0
	for _, n := range files(t, e.out) {
		if st, err := os.Stat(filepath.Join(e.out, n)); err == nil && !strings.HasSuffix(n, ".pending") && st.ModTime().After(quiet.Add(time.Second)) {
			closedQuietly++
		}
	}
	if closedQuietly == 0 {
		t.Errorf("no split was published while the link was quiet")
	}
	w.packets(200, 5*time.Millisecond)
	pid := pidOf(t, "pcap_split", e.out+"/all")
	if pid == 0 {
		t.Fatal("no pcap_split running for target all")
	}
	syscall.Kill(pid, syscall.SIGKILL) //nolint:errcheck
	w.packets(600, 5*time.Millisecond)
	w.rotate()
	w.packets(200, 5*time.Millisecond)
	time.Sleep(time.Second)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("push_realtime after SIGTERM: %v\n%s", err, stderr.String())
	}
	sameRecs(t, "target all", w.written, published(t, e.out, "all_"))
	var b bytes.Buffer
	writeRecs(t, &b, true, w.written...)
	decapped := testutil.MustRun(t, b.Bytes(), testutil.Tool(t, "pcap_decap")).Stdout
	want := parseRecs(t, "tcpdump", testutil.MustRun(t, decapped, testutil.Need(t, "tcpdump"), "--time-stamp-precision", "nano", "-r", "-", "-w", "-", "net 192.168.1.0/24 and tcp").Stdout)
	sameRecs(t, "target tcp", want, published(t, e.out, "tcp_"))
	analytics, _ := os.ReadFile(filepath.Join(e.logs, "analytics_push_realtime.cur"))
	if !regexp.MustCompile(`push all: error: (stream_cat killed by signal broken pipe; )?pcap_split killed by signal killed`).Match(analytics) || !strings.Contains(string(analytics), "push all: restarting in") {
		t.Errorf("analytics log lacks the kill and the restart:\n%s", analytics)
	}
	checkPushLogs(t, e, []string{"all", "tcp"})
}

func TestPushConfigErrors(t *testing.T) {
	e := newPushEnv(t)
	one := func(fields string) string {
		return "local Config = {}\nConfig.Target = {}\ntable.insert(Config.Target, {" + fields + "})\nreturn Config\n"
	}
	good := fmt.Sprintf(`Desc = "t", Path = %q, Split = "--split-time 60e9", FileName = "--filename-epoch-sec"`, e.out+"/t")
	tests := []struct {
		name, body, want string
	}{
		{"unknown field", one(good + `, FilterBP = "tcp"`), `target "t": unknown field "FilterBP" (did you mean "FilterBPF"?)`},
		{"lua syntax", "local Config = {\n", "lua syntax error at the end of the file"},
		{"lua syntax in a line", "local Config = {}\nConfig.Target = {,}\nreturn Config\n", "lua syntax error at line 2, column"},
		{"lua runtime", "local Config = nil\nConfig.Target = {}\n", "lua error at line 2"},
		{"bad filter", one(good + `, FilterBPF = "tcp port"`), `FilterBPF: bad filter "tcp port"`},
		{"bad split", one(`Desc = "t", Path = "/tmp/x", Split = "60e9", FileName = "--filename-epoch-sec"`), `Split: "60e9": want --split-time NS or --split-byte BYTES`},
		{"bad name option", one(`Desc = "t", Path = "/tmp/x", Split = "--split-time 60e9", FileName = "--filename-epoch"`), `FileName: unknown file name option`},
		{"bad mode", one(good + `, Mode = "ftp"`), `Mode: unknown mode "ftp"`},
		{"bad desc", one(`Desc = "a/../b", Path = "/tmp/x", Split = "--split-time 60e9", FileName = "--filename-epoch-sec"`), `Desc: "a/../b": use only letters`},
		{"bad schedule", strings.Replace(one(good), "Config.Target = {}", `Config.Schedule = {"Mon-Fri 08:00-18:00", "Sat 8-12"}`+"\nConfig.Target = {}", 1), `Config.Schedule: window "Sat 8-12": start "8": want HH:MM or HH:MM:SS`},
		{"misspelt schedule", strings.Replace(one(good), "Config.Target = {}", `Config.Shedule = {"Mon-Fri 08:00-18:00"}`+"\nConfig.Target = {}", 1), `Config.Shedule: unknown setting (did you mean "Schedule"?)`},
		{"missing file", "", "cannot read it"},
		{"line break in the path", one(`Desc = "t", Path = "/tmp/x\nrm -rf /", Split = "--split-time 60e9", FileName = "--filename-epoch-sec"`), `Path: "/tmp/x\nrm -rf /" holds a NUL or line break`},
		{"bad compress", one(good + `, Compress = "zstd:99"`), `target "t": Compress: `},
		{"filter for decapsulated Ethernet", one(good + `, FilterBPF = "inbound", Decap = true`), `FilterBPF: bad filter "inbound": inbound/outbound not supported on Ethernet`},
		{"credentials in the path", one(`Desc = "t", Mode = "rclone", Path = ":sftp,host=127.0.0.1,user=u,pass=S3CR3TPASS:/x/all", Split = "--split-time 60e9", FileName = "--filename-epoch-sec"`),
			`target "t": Path: the connection string holds credentials (pass)`},
		{"a bad target after a good one", strings.Replace(one(fmt.Sprintf(`Desc = "ok", Path = %q, Split = "--split-time 60e9", FileName = "--filename-epoch-sec"`, e.out+"/new/deep/ok")),
			"return Config", "table.insert(Config.Target, {"+good+`, FilterBPF = "tcp port"})`+"\nreturn Config", 1), `FilterBPF: bad filter "tcp port"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := writeLua(t, e, tt.body)
			if tt.body == "" {
				cfg = filepath.Join(e.root, "missing.lua")
			}
			res := testutil.Run(t, nil, testutil.Tool(t, "push_realtime"), e.args(cfg, "--bin-dir", binDir(t), "--offline", "x")...)
			if res.Code != 2 || !strings.Contains(string(res.Stderr), "push_realtime: config "+cfg+": ") || !strings.Contains(string(res.Stderr), tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 naming the file and %q", res.Code, res.Stderr, tt.want)
			}
			if _, err := os.Stat(e.logs); err == nil {
				t.Errorf("a log folder was made: something started")
			}
			if _, err := os.Stat(filepath.Join(e.out, "new")); err == nil {
				t.Errorf("a refused configuration made a target's folder")
			}
			if strings.Contains(string(res.Stderr), "S3CR3T") {
				t.Errorf("the error shows a secret:\n%s", res.Stderr)
			}
		})
	}
}

// TestPushHostilePathAndFilterStayQuoted: values holding quotes, ';',
// '$()', backticks and newlines reach the tools as one argument, both when run and
// when the logged pipeline is pasted into a shell.
func TestPushHostilePathAndFilterStayQuoted(t *testing.T) {
	e := newPushEnv(t)
	in := storedCapture(t, e, "cap", "--seed", "23", "--duration", "1m", "--size", "2MB")
	pwned := filepath.Join(e.root, "PWNED")
	weird := filepath.Join(e.out, "it's; $(touch "+pwned+") `touch "+pwned+"` \"q\"")
	filter := "tcp\nand not host 10.0.0.1\nor (ip[0] & 0xf != 5)"
	cfg := writeLua(t, e, fmt.Sprintf(`local Config = {}
Config.Target = {}
table.insert(Config.Target, { Desc = "weird", Path = %q, Split = "--split-time 60e9", FileName = "--filename-epoch-sec", FilterBPF = %q })
return Config
`, weird+"/x", filter))
	res := testutil.Run(t, nil, testutil.Tool(t, "push_realtime"), e.args(cfg, "--bin-dir", binDir(t), "--offline", "cap")...)
	if res.Code != 0 {
		t.Fatalf("exit %d\n%s", res.Code, res.Stderr)
	}
	sameRecs(t, "weird target", tcpdumpKeeps(t, in, filter), published(t, weird, "x_"))
	// The dry run's text, pasted into a shell, does the same.
	dry := testutil.MustRun(t, nil, testutil.Tool(t, "push_realtime"), e.args(cfg, "--bin-dir", binDir(t), "--offline", "cap", "--dry-run")...)
	// The newlines of the filter stay inside its single quotes.
	text, ok := strings.CutPrefix(strings.TrimSpace(string(dry.Stdout)), "# weird\n")
	if !ok || strings.Count(text, "\n") != 2 || !strings.Contains(text, "--bpf '"+filter+"' --compiled ") {
		t.Fatalf("dry run:\n%s", dry.Stdout)
	}
	os.RemoveAll(weird)
	os.MkdirAll(weird, 0o755)
	testutil.MustRun(t, nil, "/bin/sh", "-c", text)
	sameRecs(t, "weird target from the pasted pipeline", tcpdumpKeeps(t, in, filter), published(t, weird, "x_"))
	if _, err := os.Stat(pwned); err == nil {
		t.Fatal("a quoted value ran a command")
	}
}

func TestPushLock(t *testing.T) {
	e := newPushEnv(t)
	storedCapture(t, e, "cap", "--seed", "24", "--duration", "1m", "--size", "1MB")
	cfg := referenceConfig(t, e)
	holder := exec.Command(testutil.Tool(t, "push_realtime"), e.args(cfg, "--bin-dir", binDir(t), "--capture", "nonexistent")...)
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer holder.Wait()                          //nolint:errcheck
	defer holder.Process.Signal(syscall.SIGTERM) //nolint:errcheck
	lockFile := filepath.Join(e.state, "push_realtime.lock")
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, _ := os.ReadFile(lockFile); len(b) > 0 {
			break
		}
	}
	res := testutil.Run(t, nil, testutil.Tool(t, "push_realtime"), e.args(cfg, "--bin-dir", binDir(t), "--offline", "cap")...)
	if res.Code != 1 || !strings.Contains(string(res.Stderr), fmt.Sprintf("another push_realtime holds the lock: %s is held by another process (pid %d)", filepath.Join(e.state, "push_realtime.lock"), holder.Process.Pid)) {
		t.Fatalf("second push: exit %d\n%s", res.Code, res.Stderr)
	}
	res = testutil.Run(t, nil, testutil.Tool(t, "push_realtime"), e.args(cfg, "--bin-dir", binDir(t), "--offline", "cap", "--force")...)
	if res.Code != 0 || len(files(t, e.out)) != 2 {
		t.Fatalf("forced push: exit %d, files %v\n%s", res.Code, files(t, e.out), res.Stderr)
	}
}

func TestPushRefusesCapturePaths(t *testing.T) {
	e := newPushEnv(t)
	cfg := referenceConfig(t, e)
	// A capture to follow is a name in the store; an offline capture may be
	// a path, as stream_cat takes it, but its name must be one.
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--capture", "a/b"}, 2, "give the name of a capture in the store, not a path"},
		{[]string{"--offline", ".."}, 2, `capture "..": not a capture's name`},
		{[]string{"--offline", "../../no-such-capture"}, 1, "--offline " + filepath.Join(filepath.Dir(filepath.Dir(mustGetwd(t))), "no-such-capture") + ": no such capture folder or file"},
	} {
		res := testutil.Run(t, nil, testutil.Tool(t, "push_realtime"), e.args(cfg, append([]string{"--bin-dir", binDir(t)}, tc.args...)...)...)
		if res.Code != tc.code || !strings.Contains(string(res.Stderr), tc.want) {
			t.Errorf("%v: exit %d; want %d and %q\n%s", tc.args, res.Code, tc.code, tc.want, res.Stderr)
		}
	}
}

// TestPushTargetUnavailable takes a target's folder away (an NFS share
// unmounted) while a realtime push runs: the pipeline fails and is
// retried with backoff, the position is kept, and when the folder is back
// the splits missed meanwhile are published; nothing lost or repeated.
func TestPushTargetUnavailable(t *testing.T) {
	e := newPushEnv(t)
	src := readRecs(t, gen(t, "--seed", "25", "--packets", "2000"))
	live := filepath.Join(e.store, "live")
	os.MkdirAll(live, 0o755)
	w := &liveWriter{t: t, dir: live, src: src}
	w.rotate()
	share := filepath.Join(e.out, "share")
	os.MkdirAll(share, 0o755)
	cfg := writeLua(t, e, fmt.Sprintf(`local Config = {}
Config.Target = {}
table.insert(Config.Target, { Desc = "nfs", Path = %q, Split = "--split-time 1e9", FileName = "--filename-tstr-HHMMSS" })
return Config
`, share+"/all"))
	cmd := exec.Command(testutil.Tool(t, "push_realtime"), e.args(cfg, "--bin-dir", binDir(t), "--status-interval", "1s")...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() }) //nolint:errcheck
	w.packets(300, 5*time.Millisecond)
	away := filepath.Join(e.out, "unmounted")
	if err := os.Rename(share, away); err != nil {
		t.Fatal(err)
	}
	w.packets(600, 5*time.Millisecond) // written while the target is gone
	time.Sleep(2 * time.Second)
	if err := os.Rename(away, share); err != nil {
		t.Fatal(err)
	}
	w.packets(300, 5*time.Millisecond)
	waitPublished(t, share, "all_", len(w.written)-20, 20*time.Second) // the backoff may have grown to 8 s
	cmd.Process.Signal(syscall.SIGTERM)                                //nolint:errcheck
	if err := cmd.Wait(); err != nil {
		t.Fatalf("push_realtime: %v\n%s", err, stderr.String())
	}
	sameRecs(t, "target nfs", w.written, published(t, share, "all_"))
	analytics, _ := os.ReadFile(filepath.Join(e.logs, "analytics_push_realtime.cur"))
	if !strings.Contains(string(analytics), "push nfs: restarting in") {
		t.Errorf("no retry in the analytics log:\n%s", analytics)
	}
}

// waitPublished waits until the splits in dir named prefix* hold at least
// n packets.
func waitPublished(t *testing.T, dir, prefix string, n int, timeout time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		got := 0
		for _, f := range files(t, dir) {
			if strings.HasPrefix(f, prefix) && !strings.HasSuffix(f, ".pending") {
				got += len(readRecs(t, filepath.Join(dir, f)))
			}
		}
		if got >= n {
			return
		}
	}
}

// TestPushRcloneTargets runs, through push_realtime, the reference's S3
// example target as written (Mode "rclone", Path s3-...://pcap/all,
// PipeCmd "gzip -c", FileSuffix ".pcap.gz", HHMMSS names) against an S3
// server on loopback, and a Compress target to an SFTP server; each minute
// lands whole, and decompresses to the input's packets of that minute.
func TestPushRcloneTargets(t *testing.T) {
	s3 := startRemote(t, "s3")
	sftp := startRemote(t, "sftp")
	e := newPushEnv(t)
	in := storedCapture(t, e, "capture1_20210521_0101", "--seed", "26", "--start", "2021-05-24T09:50:30Z", "--duration", "3m", "--size", "9MB")
	rc := writeConf(t, s3.conf, sftp.conf)
	cfg := writeLua(t, e, fmt.Sprintf(`local Config = {}
Config.RcloneConfig = %q
Config.Target = {}
table.insert(Config.Target,
{
    Desc       = "pcap-all-gz",
    Mode       = "rclone",
    Path       = %q,
    Split      = "--split-time 60e9",
    FileName   = "--filename-tstr-HHMMSS",
    FilterBPF  = nil,
    PipeCmd    = "gzip -c",
    FileSuffix = ".pcap.gz"
})
table.insert(Config.Target, { Desc = "sftp-zst", Mode = "RCLONE", Path = %q, Split = "--split-time 60e9",
    FileName = "--filename-tstr-HHMMSS", Compress = "zstd:1" })
return Config
`, rc, s3.prefix("s3"), sftp.prefix("sftp")))
	res := testutil.Run(t, nil, testutil.Tool(t, "push_realtime"), e.args(cfg, "--bin-dir", binDir(t), "--offline", "capture1_20210521_0101")...)
	if res.Code != 0 {
		t.Fatalf("exit %d\n%s", res.Code, res.Stderr)
	}
	recs := readRecs(t, in)
	checkMinutes(t, s3.dir("s3"), ".pcap.gz", recs)
	checkMinutes(t, sftp.dir("sftp"), ".pcap.zst", recs)
	// A remote missing from the rclone config is a configuration error.
	bad := writeLua(t, e, fmt.Sprintf(`local Config = {}
Config.RcloneConfig = %q
Config.Target = {}
table.insert(Config.Target, { Desc = "nope", Mode = "rclone", Path = "gdrive://pcap/all", Split = "--split-time 60e9", FileName = "--filename-epoch-sec" })
return Config
`, rc))
	res = testutil.Run(t, nil, testutil.Tool(t, "push_realtime"), e.args(bad, "--bin-dir", binDir(t), "--offline", "capture1_20210521_0101")...)
	if res.Code != 2 || !strings.Contains(string(res.Stderr), `target "nope": Path: `) || !strings.Contains(string(res.Stderr), "gdrive") {
		t.Errorf("unknown remote: exit %d\n%s", res.Code, res.Stderr)
	}
}

// mustGetwd returns the working folder.
func mustGetwd(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}
