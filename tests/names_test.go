package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
)

// hostileCapture makes a capture folder called name in the store holding
// one chunk of a few packets stamped now, and touches it now and then
// until the test ends, so that it is the active capture changed last.
func hostileCapture(t *testing.T, e pushEnv, name string) {
	t.Helper()
	dir := filepath.Join(e.store, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	chunk := filepath.Join(dir, "x1.pcap")
	now := time.Now().UnixNano()
	writeRecFile(t, chunk, []rec{{now, 60, strings.Repeat("a", 60)}, {now + 1, 60, strings.Repeat("b", 60)}})
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
				now := time.Now()
				os.Chtimes(chunk, now, now) //nolint:errcheck // best effort
			}
		}
	}()
}

// TestPushRefusesHostileCaptureNames: capture folders named "--list" (read
// as stream_cat's option, restarting for ever) and holding a line break
// and a terminal escape (forging log lines, reaching the terminal) are the
// active captures changed last. Realtime selection refuses them with a
// line in the log, once, and pushes the live capture; the analytics log
// holds no forged line; --list and status quote them.
func TestPushRefusesHostileCaptureNames(t *testing.T) {
	e := newPushEnv(t)
	w := liveDir(t, e, "61")
	w.packets(20, time.Millisecond)
	forged := "x\n[Sat May 29 15:36:46 2021] push [forged : stream_cat:true split:true]\x1b[2J"
	hostileCapture(t, e, "--list")
	hostileCapture(t, e, forged)
	time.Sleep(time.Second) // both are touched after the live capture's last packet
	cfg := writeLua(t, e, fmt.Sprintf(`local Config = {}
Config.Target = {}
table.insert(Config.Target, { Desc = "all", Path = %q, Split = "--split-time 2e9", FileName = "--filename-tstr-HHMMSS" })
return Config
`, e.out+"/all"))
	p := startPush(t, e, cfg, "--status-interval", "300ms")
	waitUntil(t, 30*time.Second, "the live capture to be chosen", func() bool { return strings.Contains(e.analytics(t), "push all: started") })
	w.during(3*time.Second, 5*time.Millisecond)
	time.Sleep(3 * time.Second)
	status := testutil.MustRun(t, nil, testutil.Tool(t, "push_realtime"), p.statusArgs()...)
	p.stop(t)
	sameRecs(t, "the live capture", w.written, published(t, e.out, "all_"))
	a := e.analytics(t)
	for _, want := range []string{
		"push: capture --list: a name starting with '-' reads as an option: not pushed",
		`push: capture "x\n[Sat May 29 15:36:46 2021] push [forged : stream_cat:true split:true]\x1b[2J": a name with a line break`,
	} {
		if strings.Count(a, want) != 1 {
			t.Errorf("analytics log holds %q %d times; want once:\n%s", want, strings.Count(a, want), a)
		}
	}
	for _, l := range strings.Split(strings.TrimSuffix(a, "\n"), "\n") {
		if !strings.HasPrefix(l, "[") || strings.HasPrefix(l, "[Sat May 29 15:36:46 2021]") || strings.ContainsRune(l, 0x1b) {
			t.Errorf("analytics line %q is forged or holds an escape", l)
		}
	}
	if strings.Contains(a, "restarting") || strings.Contains(a, "stream_cat --uid") && strings.Contains(a, " -- --list") {
		t.Errorf("a refused capture was pushed:\n%s", a)
	}
	list := testutil.MustRun(t, nil, testutil.Tool(t, "stream_cat"), "--list", "--store", e.store)
	for _, out := range []string{string(list.Stdout), string(status.Stdout)} {
		if strings.ContainsRune(out, 0x1b) || !strings.Contains(out, `"x\n[Sat May 29 15:36:46 2021] push [forged : stream_cat:true split:true]\x1b[2J"`) || !strings.Contains(out, "\n--list ") {
			t.Errorf("the hostile names are not quoted:\n%s", out)
		}
	}
	// Given by hand, stream_cat reads a capture called --list after "--".
	res := testutil.MustRun(t, nil, testutil.Tool(t, "stream_cat"), "--store", e.store, "--", "--list")
	if got := parseRecs(t, "stdout", res.Stdout); len(got) != 2 {
		t.Errorf("stream_cat -- --list: %d packets", len(got))
	}
	for _, args := range [][]string{{"--offline", "--list"}, {"--capture", forged}} {
		res := testutil.Run(t, nil, testutil.Tool(t, "push_realtime"), e.args(cfg, append(args, "--dry-run")...)...)
		if res.Code != 2 || !strings.Contains(string(res.Stderr), "push_realtime: capture ") {
			t.Errorf("%q: exit %d\n%s", args, res.Code, res.Stderr)
		}
	}
}

// TestToolsAcceptDoubleDash: every stage takes "--" (the end of options)
// where a pipeline puts it, and stream_cat reads a capture whose name
// starts with "-" after it.
func TestToolsAcceptDoubleDash(t *testing.T) {
	in := readRecs(t, gen(t, "--seed", "62", "--packets", "200"))
	var b strings.Builder
	writeRecs(t, &writerTo{&b}, true, in...)
	pcap := []byte(b.String())
	out := t.TempDir()
	for _, tc := range []struct {
		tool string
		args []string
	}{
		{"pcap_decap", []string{"--"}},
		{"pcap_filter", []string{"--bpf", "", "--"}},
		{"pcap_split", []string{"-o", out + "/x", "--split-time", "60e9", "--filename-epoch-sec", "--"}},
	} {
		res := testutil.Run(t, pcap, testutil.Tool(t, tc.tool), tc.args...)
		if res.Code != 0 {
			t.Errorf("%s %q: exit %d\n%s", tc.tool, tc.args, res.Code, res.Stderr)
		}
	}
	res := testutil.Run(t, nil, testutil.Tool(t, "push_realtime"), "--offline", "", "--dry-run", "--config", filepath.Join(testutil.Root(t), "lib", "config", "testdata", "reference.lua"))
	if res.Code != 2 || !strings.Contains(string(res.Stderr), "--offline: give the name or the path of a stored capture") {
		t.Errorf(`--offline "": exit %d\n%s`, res.Code, res.Stderr)
	}
}

// writerTo adapts a strings.Builder for writeRecs.
type writerTo struct{ b *strings.Builder }

func (w *writerTo) Write(p []byte) (int, error) { return w.b.Write(p) }

// TestConfigRefusesHostileCommandsAndPaths: a PipeCmd or Post starting
// with '-', an RCLONE Path without a remote, and credentials in a URL's
// user or a header are refused at load, naming the target and field and
// showing no secret; an rclone config others can read is warned about.
func TestConfigRefusesHostileCommandsAndPaths(t *testing.T) {
	e := newPushEnv(t)
	one := func(fields string) string {
		return "local Config = {}\nConfig.Target = {}\ntable.insert(Config.Target, {Desc = \"t\", Split = \"--split-time 60e9\", FileName = \"--filename-epoch-sec\", " + fields + "})\nreturn Config\n"
	}
	path := fmt.Sprintf("Path = %q, ", e.out+"/t")
	for _, tc := range []struct{ name, body, want string }{
		{"PipeCmd an option", one(path + `PipeCmd = "--rclone"`), `target "t": PipeCmd: "--rclone" starts with '-': it must be a shell command, not an option (for an rclone remote, set Mode = "RCLONE")`},
		{"Post an option", one(path + `Post = " -rf /"`), `target "t": Post: " -rf /" starts with '-'`},
		{"RCLONE path without remote", one(`Mode = "RCLONE", Path = "relative/dir/all"`), `target "t": Path: "relative/dir/all" names no rclone remote`},
		{"password in a URL", one(`Mode = "RCLONE", Path = ":webdav,url='http://bob:S3CR3T@127.0.0.1:1/dav':/x/all"`), `target "t": Path: the connection string holds credentials (url)`},
		{"header", one(`Mode = "RCLONE", Path = ":webdav,url='http://127.0.0.1:1/',headers='Authorization,Bearer S3CR3T':/x/all"`), `target "t": Path: the connection string holds credentials (headers)`},
	} {
		cfg := writeLua(t, e, tc.body)
		res := testutil.Run(t, nil, testutil.Tool(t, "push_realtime"), e.args(cfg, "--dry-run")...)
		if res.Code != 2 || !strings.Contains(string(res.Stderr), tc.want) || strings.Contains(string(res.Stderr), "S3CR3T") {
			t.Errorf("%s: exit %d, stderr:\n%s\nwant exit 2 and %q", tc.name, res.Code, res.Stderr, tc.want)
		}
	}
	conf := filepath.Join(e.root, "rclone.conf")
	if err := os.WriteFile(conf, []byte("[dst]\ntype = local\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := writeLua(t, e, one(`Mode = "RCLONE", Path = "dst:`+e.out+`/r/all"`))
	res := testutil.Run(t, nil, testutil.Tool(t, "push_realtime"), e.args(cfg, "--dry-run", "--rclone-config", conf)...)
	if res.Code != 0 || !strings.Contains(string(res.Stderr), "push_realtime: warning: rclone config "+conf+" holds credentials and is readable by everyone (mode -rw-r--r--)") {
		t.Errorf("rclone.conf 0644: exit %d\n%s", res.Code, res.Stderr)
	}
	os.Chmod(conf, 0o600)
	if res := testutil.Run(t, nil, testutil.Tool(t, "push_realtime"), e.args(cfg, "--dry-run", "--rclone-config", conf)...); strings.Contains(string(res.Stderr), "warning") {
		t.Errorf("rclone.conf 0600 warned about:\n%s", res.Stderr)
	}
	// pcap_split given such a prefix by hand shows none of its secrets.
	res = testutil.Run(t, nil, testutil.Tool(t, "pcap_split"), "--rclone", "-o", ":webdav,url='http://bob:S3CR3T@127.0.0.1:1/',headers='Authorization,Bearer T0K3N':/x/all", "--split-time", "60e9", "--filename-epoch-sec")
	if res.Code == 0 || strings.Contains(string(res.Stderr), "S3CR3T") || strings.Contains(string(res.Stderr), "T0K3N") {
		t.Errorf("pcap_split: exit %d, stderr shows a secret:\n%s", res.Code, res.Stderr)
	}
}
