package tests

import (
	"bytes"
	"fmt"
	"math/rand"
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

// chaosSeconds is how long TestChaos kills processes: PCAPPUSH_CHAOS_SECONDS
// (make chaos runs 150), else a short run for make test.
func chaosSeconds() time.Duration {
	if s, err := strconv.Atoi(os.Getenv("PCAPPUSH_CHAOS_SECONDS")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 15 * time.Second
}

// pushProcess runs push_realtime, restartable.
type pushProcess struct {
	t    *testing.T
	args []string
	cmd  *exec.Cmd
	out  bytes.Buffer
}

func (p *pushProcess) start() {
	p.cmd = exec.Command(testutil.Tool(p.t, "push_realtime"), p.args...)
	p.cmd.Stderr = &p.out
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
}

// stagePIDs returns the pids of a push's stages: processes named like the
// tools whose command line mentions root.
func stagePIDs(root string) map[string][]int {
	out := map[string][]int{}
	m, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range m {
		b, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(b, []byte(root)) {
			continue
		}
		name := filepath.Base(strings.Split(string(b), "\x00")[0])
		if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p))); err == nil {
			out[name] = append(out[name], pid)
		}
	}
	return out
}

// TestChaos runs a realtime push of a live capture with four targets (all,
// to files and to S3; decapsulated, filtered TCP; all again, in splits of
// 300 kB) and 2-second splits, and kills processes
// at random many times: one stage, push_realtime alone, or everything at
// once (a crash of the push, not of the machine: the page cache survives;
// TestPowerCut cuts the power). The published splits must hold every
// packet written exactly once.
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos takes a while")
	}
	e := newPushEnv(t)
	s3 := startRemote(t, "s3")
	rc := writeConf(t, s3.conf)
	src := readRecs(t, gen(t, "--seed", "31", "--packets", "5000", "--encap", "0.3"))
	live := filepath.Join(e.store, "live")
	if err := os.MkdirAll(live, 0o755); err != nil {
		t.Fatal(err)
	}
	w := &liveWriter{t: t, dir: live, src: src}
	w.rotate()
	cfg := writeLua(t, e, fmt.Sprintf(`local Config = {}
Config.Target = {}
table.insert(Config.Target, { Desc = "all", Path = %q, Split = "--split-time 2e9", FileName = "--filename-tstr-HHMMSS" })
table.insert(Config.Target, { Desc = "tcp", Path = %q, Split = "--split-time 2e9", FileName = "--filename-tstr-HHMMSS",
    Decap = true, FilterBPF = "net 192.168.1.0/24 and tcp" })
table.insert(Config.Target, { Desc = "s3", Mode = "rclone", Path = %q, Split = "--split-time 2e9", FileName = "--filename-tstr-HHMMSS" })
table.insert(Config.Target, { Desc = "bytes", Path = %q, Split = "--split-byte 300e3", FileName = "--filename-tstr-HHMMSS_NS" })
return Config
`, e.out+"/all", e.out+"/tcp", s3.prefix("chaos"), e.out+"/bytes"))
	p := &pushProcess{t: t, args: e.args(cfg, "--bin-dir", binDir(t), "--status-interval", "1s", "--force", "--rclone-config", rc)}
	p.start()
	t.Cleanup(func() { p.cmd.Process.Kill() }) //nolint:errcheck

	stop := record(w)
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	kills := map[string]int{}
	restarts := 0
	s3Down := time.Now().Add(chaosSeconds() / 3)
	for deadline := time.Now().Add(chaosSeconds()); time.Now().Before(deadline); {
		if !s3Down.IsZero() && time.Now().After(s3Down) { // the S3 server dies once, and comes back
			s3.srv.Kill()
			kills["S3 server"]++
			time.Sleep(3 * time.Second)
			s3 = s3.restart(t)
			if err := os.WriteFile(rc, []byte(s3.conf), 0o600); err != nil {
				t.Fatal(err)
			}
			s3Down = time.Time{}
		}
		time.Sleep(time.Duration(300+rng.Intn(1700)) * time.Millisecond)
		pids := stagePIDs(e.root)
		switch n := rng.Intn(10); {
		case n < 6: // one stage
			names := []string{"stream_cat", "pcap_decap", "pcap_filter", "pcap_split"}
			name := names[rng.Intn(len(names))]
			if ps := pids[name]; len(ps) > 0 {
				syscall.Kill(ps[rng.Intn(len(ps))], syscall.SIGKILL) //nolint:errcheck
				kills[name]++
			}
		case n < 8: // push_realtime alone
			p.cmd.Process.Kill() //nolint:errcheck
			p.cmd.Wait()         //nolint:errcheck
			kills["push_realtime"]++
			p.start()
			restarts++
		default: // everything at once (kill -9 keeps the page cache: not a power cut)
			p.cmd.Process.Kill() //nolint:errcheck
			for _, ps := range pids {
				for _, pid := range ps {
					syscall.Kill(pid, syscall.SIGKILL) //nolint:errcheck
				}
			}
			p.cmd.Wait() //nolint:errcheck
			kills["all at once"]++
			p.start()
			restarts++
		}
	}
	stop()
	w.f.Close()
	// Let the push catch up (the S3 target's backoff may have grown), then
	// stop it; the last splits are published.
	waitPublished(t, s3.dir("chaos"), "all_", len(w.written)-2000, 60*time.Second)
	time.Sleep(4 * time.Second)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("push_realtime after SIGTERM: %v\n%s", err, p.out.String())
	}
	all := published(t, e.out, "all_")
	dups, losses := compareOnce(w.written, all)
	var b bytes.Buffer
	writeRecs(t, &b, true, w.written...)
	decapped := testutil.MustRun(t, b.Bytes(), testutil.Tool(t, "pcap_decap")).Stdout
	wantTCP := parseRecs(t, "tcpdump", testutil.MustRun(t, decapped, testutil.Need(t, "tcpdump"), "--time-stamp-precision", "nano", "-r", "-", "-w", "-", "net 192.168.1.0/24 and tcp").Stdout)
	tcp := published(t, e.out, "tcp_")
	tdups, tlosses := compareOnce(wantTCP, tcp)
	objects := published(t, s3.dir("chaos"), "all_")
	sdups, slosses := compareOnce(w.written, objects)
	bySize := published(t, e.out, "bytes_")
	bdups, blosses := compareOnce(w.written, bySize)
	dups, losses = dups+sdups+bdups, losses+slosses+blosses
	summary := fmt.Sprintf("chaos: %v of kills %v, %d push_realtime restarts; packets in %d, published %d (all), %d of %d (tcp), %d (S3), %d (size splits); duplicates %d, losses %d",
		chaosSeconds(), kills, restarts, len(w.written), len(all), len(tcp), len(wantTCP), len(objects), len(bySize), dups+tdups, losses+tlosses)
	t.Log(summary)
	fmt.Fprintln(os.Stderr, summary)
	if dups+losses+tdups+tlosses != 0 {
		t.Fatalf("not exactly once: %d/%d duplicates, %d/%d losses (all, S3 and size splits/tcp)", dups, tdups, losses, tlosses)
	}
	sameRecs(t, "target all", w.written, all)
	sameRecs(t, "target tcp", wantTCP, tcp)
	sameRecs(t, "target s3", w.written, objects)
	sameRecs(t, "target bytes", w.written, bySize)
	total := 0
	for _, n := range kills {
		total += n
	}
	if total < 3 {
		t.Errorf("only %d kills", total)
	}
}

// compareOnce counts packets published more than once and packets written
// but not published.
func compareOnce(want, got []rec) (dups, losses int) {
	seen := map[rec]int{}
	for _, r := range got {
		seen[r]++
	}
	for _, r := range want {
		switch n := seen[r]; {
		case n == 0:
			losses++
		case n > 1:
			dups += n - 1
		}
		delete(seen, r)
	}
	for _, n := range seen {
		dups += n // published but never written: count as wrong
	}
	return dups, losses
}
