package tests

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/powerfs"
	"github.com/pcappush/pcappush/internal/proctree"
	"github.com/pcappush/pcappush/internal/testutil"
)

// powerCuts is how many power cuts TestPowerCut makes before the state
// folder is deleted: PCAPPUSH_POWER_CUTS (make chaos), else a short run
// for make test. Half as many (at least one) follow.
func powerCuts() int {
	if n, err := strconv.Atoi(os.Getenv("PCAPPUSH_POWER_CUTS")); err == nil && n > 0 {
		return n
	}
	return 3
}

// aim holds a process inside the system call that matches, so that the
// power goes before its next step (the fsync after a write, the folder
// fsync after a rename).
type aim struct {
	match   atomic.Pointer[func(powerfs.Event) bool]
	hit     chan powerfs.Event
	release chan struct{}
}

func newAim() *aim { return &aim{hit: make(chan powerfs.Event, 1), release: make(chan struct{})} }

// hook is the file system's hook: it runs in the FUSE request.
func (a *aim) hook(e powerfs.Event) {
	m := a.match.Load()
	if m == nil || !(*m)(e) || !a.match.CompareAndSwap(m, nil) {
		return
	}
	a.hit <- e
	<-a.release
}

// disarm lets every held process go, and any later one pass.
func (a *aim) disarm() {
	a.match.Store(nil)
	close(a.release)
}

// wait arms the aim and waits up to timeout for a matching event; the
// caller must then call a.release <- struct{}{} once the processes are
// killed.
func (a *aim) wait(match func(powerfs.Event) bool, timeout time.Duration) (powerfs.Event, bool) {
	a.match.Store(&match)
	select {
	case e := <-a.hit:
		return e, true
	case <-time.After(timeout):
		if a.match.CompareAndSwap(&match, nil) {
			return powerfs.Event{}, false
		}
		return <-a.hit, true // it matched while timing out
	}
}

// powerPush is a realtime push_realtime whose state, logs and File
// outputs are on a power-loss file system, cut again and again.
type powerPush struct {
	t      *testing.T
	fs     *powerfs.FS
	aim    *aim
	rng    *rand.Rand
	args   []string
	cmd    *exec.Cmd
	done   chan error           // push_realtime's end; nil once received
	stderr *testutil.SyncBuffer // every run's
	cuts   map[string]int
	torn   int      // appends torn by the cuts
	lost   int64    // bytes the cuts dropped
	aimed  []string // what the aimed cuts interrupted
}

func (p *powerPush) start() {
	p.cmd = exec.Command(testutil.Tool(p.t, "push_realtime"), p.args...)
	p.cmd.Stderr = p.stderr
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	done := make(chan error, 1)
	p.done = done
	go func() { done <- p.cmd.Wait() }()
}

// exited reports, without waiting, whether push_realtime ended, and how.
func (p *powerPush) exited() (bool, error) {
	select {
	case err := <-p.done:
		p.done = nil
		return true, err
	default:
		return p.done == nil, nil
	}
}

// powerCut kills every process of the push at once, as the power going
// would, drops what the file system had not made durable (tearing
// unsynced appends), and starts push_realtime again. kind aims the cut:
// right after a ledger append or a checkpoint write, before its fsync;
// right after a split's rename, before the folder's fsync; or at random.
func (p *powerPush) powerCut(kind string) {
	p.t.Helper()
	if ok, err := p.exited(); ok {
		p.t.Fatalf("push_realtime ended on its own before a power cut: %v\n%s", err, tail(p.stderr.String(), 20))
	}
	var pids []int
	if m := aims[kind]; m != nil {
		e, ok := p.aim.wait(m, 8*time.Second)
		if ok {
			pids = proctree.Stop(p.cmd.Process.Pid)
			proctree.Signal(pids, syscall.SIGKILL)
			p.aim.release <- struct{}{}
			p.aimed = append(p.aimed, e.Kind.String()+" "+e.Path)
		} else {
			kind = "random (nothing to aim at)"
		}
	}
	if pids == nil {
		pids = proctree.Stop(p.cmd.Process.Pid)
		proctree.Signal(pids, syscall.SIGKILL)
	}
	if err := proctree.WaitGone(pids, 20*time.Second); err != nil {
		p.t.Fatalf("power cut: %v", err)
	}
	<-p.done // killed
	rep, err := p.fs.Cut(powerfs.CutOptions{Tear: true, Rand: p.rng})
	if err != nil {
		p.t.Fatal(err)
	}
	p.torn += rep.Torn
	p.lost += rep.Lost
	p.cuts[kind]++
	p.start()
}

// aims are the events an aimed cut waits for.
var aims = map[string]func(powerfs.Event) bool{
	"ledger append": func(e powerfs.Event) bool {
		return e.Kind == powerfs.Write && strings.HasSuffix(e.Path, ".ledger")
	},
	"checkpoint write": func(e powerfs.Event) bool {
		return e.Kind == powerfs.Write && strings.Contains(path.Base(e.Path), "checkpoint")
	},
	"split rename": func(e powerfs.Event) bool {
		return e.Kind == powerfs.Publish && strings.HasPrefix(e.Path, "push/")
	},
	"random": nil,
}

var cutKinds = []string{"ledger append", "checkpoint write", "split rename", "random"}

// stop sends SIGTERM and expects a clean exit within a minute.
func (p *powerPush) stop() {
	p.t.Helper()
	if ok, err := p.exited(); ok {
		p.t.Fatalf("push_realtime ended on its own before SIGTERM: %v\n%s", err, tail(p.stderr.String(), 20))
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		p.t.Fatal(err)
	}
	select {
	case err := <-p.done:
		p.done = nil
		if err != nil {
			p.t.Errorf("push_realtime after SIGTERM: %v\n%s", err, tail(p.stderr.String(), 40))
		}
	case <-time.After(time.Minute):
		proctree.Kill(p.cmd.Process.Pid, 10*time.Second) //nolint:errcheck // failing anyway
		p.t.Fatalf("push_realtime still running a minute after SIGTERM\n%s", tail(p.stderr.String(), 40))
	}
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// TestPowerCut pushes a live capture in realtime to five targets (time
// splits of 3 s: all packets, and decapsulated TCP of one network; size
// splits of 300 kB; and to S3 in time and size splits) with the state
// folder, the logs and the File targets' folder on a file system that
// loses what was not fsynced. Again and again the power goes: every
// process of the push is killed at once, the unsynced data is dropped
// (unsynced appends torn) and push_realtime starts again; some cuts come
// right after a ledger append or a checkpoint write and before its fsync,
// or right after a split's rename and before the folder's fsync. After
// SIGTERM every packet must be published exactly once per target, no
// published split replaced or removed, no split pushed twice, no .pending
// left, also after one more cut. Then the whole state folder is deleted
// and the push run again (with cuts), with the same checks.
func TestPowerCut(t *testing.T) {
	if testing.Short() {
		t.Skip("power cuts take a while")
	}
	root := t.TempDir()
	a := newAim()
	fs := powerfs.MountTest(t, powerfs.Options{Hook: a.hook})
	e := pushEnv{root: root, store: filepath.Join(root, "store"), state: filepath.Join(fs.Dir(), "state"),
		logs: filepath.Join(fs.Dir(), "log"), out: filepath.Join(fs.Dir(), "push")}
	mkdirDurable(t, e.out)
	s3 := startRemote(t, "s3")
	rc := writeConf(t, s3.conf)
	watch := watchS3(t, s3.dir("time"), s3.dir("size"))
	w := liveDir(t, e, "33")
	cfg := writeLua(t, e, fmt.Sprintf(`local Config = {}
Config.Target = {}
table.insert(Config.Target, { Desc = "all", Path = %q, Split = "--split-time 3e9", FileName = "--filename-tstr-HHMMSS" })
table.insert(Config.Target, { Desc = "tcp", Path = %q, Split = "--split-time 3e9", FileName = "--filename-tstr-HHMMSS",
    Decap = true, FilterBPF = "net 192.168.1.0/24 and tcp" })
table.insert(Config.Target, { Desc = "bytes", Path = %q, Split = "--split-byte 300e3", FileName = "--filename-tstr-HHMMSS_NS" })
table.insert(Config.Target, { Desc = "s3", Mode = "rclone", Path = %q, Split = "--split-time 3e9", FileName = "--filename-tstr-HHMMSS" })
table.insert(Config.Target, { Desc = "s3bytes", Mode = "rclone", Path = %q, Split = "--split-byte 300e3", FileName = "--filename-tstr-HHMMSS_NS" })
return Config
`, e.out+"/all", e.out+"/tcp", e.out+"/bytes", s3.prefix("time"), s3.prefix("size")))
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	p := &powerPush{t: t, fs: fs, aim: a, rng: rand.New(rand.NewSource(seed)), stderr: &testutil.SyncBuffer{}, cuts: map[string]int{},
		args: e.args(cfg, "--bin-dir", binDir(t), "--status-interval", "1s", "--rclone-config", rc)}
	p.start()
	t.Cleanup(func() {
		a.disarm()
		proctree.Kill(p.cmd.Process.Pid, 10*time.Second) //nolint:errcheck // may be gone
	})
	targets := powerTargets(e, s3)

	stop := record(w)
	cutAtRandom(p, powerCuts())
	stop()
	// A quiet link: clock ticks close the time splits, so that SIGTERM
	// cuts none short (a split cut short and then, with the state folder
	// gone, built again whole could only be published twice).
	deadline := time.Now().Add(20 * time.Second)
	for _, tg := range targets {
		if tg.time {
			waitPublished(t, tg.dir, tg.prefix, len(tg.want(t, w.written)), time.Until(deadline))
		}
	}
	time.Sleep(time.Second)
	p.stop()
	checkPowerCut(t, "cuts", p, watch, targets, w.written, powerMarks{})

	// The state folder deleted by hand between two runs.
	if err := os.RemoveAll(e.state); err != nil {
		t.Fatal(err)
	}
	testutil.SyncDir(t, fs.Dir())
	marks := powerMarks{journal: len(fs.Journal()), s3: watch.mark()}
	p.cuts, p.torn, p.lost, p.aimed = map[string]int{}, 0, 0, nil
	p.start()
	stop = record(w)
	cutAtRandom(p, max(1, powerCuts()/2))
	stop()
	w.f.Close()
	if err := os.WriteFile(filepath.Join(w.dir, ".complete"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// The capture is complete: every pipeline ends at its end, publishing
	// its last split.
	deadline = time.Now().Add(60 * time.Second)
	for _, tg := range targets {
		waitPublished(t, tg.dir, tg.prefix, len(tg.want(t, w.written)), time.Until(deadline))
	}
	p.stop()
	checkPowerCut(t, "state folder deleted", p, watch, targets, w.written, marks)
}

// cutAtRandom makes n power cuts 1 to 4 s apart, aimed in turn.
func cutAtRandom(p *powerPush, n int) {
	for i := 0; i < n; i++ {
		time.Sleep(time.Duration(1000+p.rng.Intn(3000)) * time.Millisecond)
		p.powerCut(cutKinds[i%len(cutKinds)])
	}
}

// mkdirDurable makes a folder on the power-loss file system and syncs its
// parent, as an installation would.
func mkdirDurable(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	testutil.SyncDir(t, filepath.Dir(dir))
}
