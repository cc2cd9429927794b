package tests

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/pcappush/pcappush/internal/powerfs"
	"github.com/pcappush/pcappush/internal/testutil"
)

// powerTarget is a target of TestPowerCut and where its splits land.
type powerTarget struct {
	desc   string
	dir    string // the splits are dir/prefix*
	prefix string
	rel    string // dir on the power-loss file system; "" for S3
	time   bool   // time splits
	tcp    bool   // decapsulated and filtered
}

func powerTargets(e pushEnv, s3 *remote) []powerTarget {
	return []powerTarget{
		{desc: "all", dir: e.out, prefix: "all_", rel: "push", time: true},
		{desc: "tcp", dir: e.out, prefix: "tcp_", rel: "push", time: true, tcp: true},
		{desc: "bytes", dir: e.out, prefix: "bytes_", rel: "push"},
		{desc: "s3", dir: s3.dir("time"), prefix: "all_", time: true},
		{desc: "s3bytes", dir: s3.dir("size"), prefix: "all_"},
	}
}

// want is what the target must publish of the packets written: all of
// them, or for tcp what pcap_decap and then tcpdump's filter keep.
func (tg powerTarget) want(t *testing.T, written []rec) []rec {
	if !tg.tcp {
		return written
	}
	var b bytes.Buffer
	writeRecs(t, &b, true, written...)
	decapped := testutil.MustRun(t, b.Bytes(), testutil.Tool(t, "pcap_decap")).Stdout
	return parseRecs(t, "tcpdump", testutil.MustRun(t, decapped, testutil.Need(t, "tcpdump"), "--time-stamp-precision", "nano", "-r", "-", "-w", "-", "net 192.168.1.0/24 and tcp").Stdout)
}

// splitRecs is a published split and its packets.
type splitRecs struct {
	name string
	recs []rec
}

// splitsOf reads every split in dir whose name starts with prefix:
// mergecap joins them in name order, capinfos counts each one's packets.
func splitsOf(t *testing.T, dir, prefix string) []splitRecs {
	t.Helper()
	names := splitFiles(t, dir, prefix)
	if len(names) == 0 {
		return nil
	}
	all := merged(t, dir, names)
	args := []string{"-T", "-r", "-c", "-M"}
	for _, n := range names {
		args = append(args, filepath.Join(dir, n))
	}
	counts := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(string(testutil.MustRun(t, nil, testutil.Need(t, "capinfos"), args...).Stdout)), "\n") {
		f := strings.Split(l, "\t")
		n, err := strconv.Atoi(f[len(f)-1])
		if err != nil || len(f) != 2 {
			t.Fatalf("capinfos line %q", l)
		}
		counts[filepath.Base(f[0])] = n
	}
	out := make([]splitRecs, 0, len(names))
	for _, n := range names {
		c := counts[n]
		if c > len(all) {
			t.Fatalf("capinfos counts %d packets in %s; mergecap gave %d in all", c, n, len(all))
		}
		out = append(out, splitRecs{n, all[:c]})
		all = all[c:]
	}
	return out
}

// pushedTwice counts splits holding packets that an earlier split (in
// name order) holds too: the same packets published under two names.
func pushedTwice(splits []splitRecs) (n int, names []string) {
	owner := map[rec]int{}
	for i, s := range splits {
		twice := false
		for _, r := range s.recs {
			if j, ok := owner[r]; ok && j != i {
				twice = true
			} else if !ok {
				owner[r] = i
			}
		}
		if twice {
			n++
			names = append(names, s.name)
		}
	}
	return n, names
}

// damage is what happened to published splits that must not: replaced
// (renamed over, truncated, or given other contents under the same
// name), or removed.
type damage struct {
	replaced, removed map[string]bool
}

func newDamage() damage { return damage{replaced: map[string]bool{}, removed: map[string]bool{}} }

// localDamage reads the power-loss file system's journal for the splits
// dir/prefix*, counting events from index from on (earlier ones tell what
// was published first).
func localDamage(journal []powerfs.Event, from int, dir, prefix string) damage {
	d := newDamage()
	first := map[string][32]byte{}
	for i, e := range journal {
		if path.Dir(e.Path) != dir || !strings.HasPrefix(path.Base(e.Path), prefix) {
			continue
		}
		count := i >= from
		switch e.Kind {
		case powerfs.Replace, powerfs.Truncate:
			if count {
				d.replaced[e.Path] = true
			}
		case powerfs.Remove:
			if count {
				d.removed[e.Path] = true
			}
		case powerfs.Publish, powerfs.Reverted, powerfs.Create:
			if s, ok := first[e.Path]; ok && s != e.Sum && count {
				d.replaced[e.Path] = true // published again with other contents
			}
		}
		if _, ok := first[e.Path]; !ok && (e.Kind == powerfs.Publish || e.Kind == powerfs.Replace) {
			first[e.Path] = e.Sum
		}
	}
	return d
}

// s3Watch follows the S3 server's folders through inotify: an object
// created where one was already published replaced it (versitygw links
// a new object in place, or renames it over the old one), an object
// deleted or renamed away was removed.
type s3Watch struct {
	mu     sync.Mutex
	events []fsnotify.Event
	errs   []error
}

func watchS3(t *testing.T, dirs ...string) *s3Watch {
	t.Helper()
	w, err := fsnotify.NewWatcher()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := w.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	s := &s3Watch{}
	go func() {
		for {
			select {
			case e, ok := <-w.Events:
				if !ok {
					return
				}
				s.mu.Lock()
				s.events = append(s.events, e)
				s.mu.Unlock()
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				s.mu.Lock()
				s.errs = append(s.errs, err)
				s.mu.Unlock()
			}
		}
	}()
	return s
}

// mark is the index of the next event.
func (s *s3Watch) mark() int {
	time.Sleep(200 * time.Millisecond) // let inotify's queue drain
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.events)
}

// damage counts, from event index from on, what happened to published
// objects dir/prefix*.
func (s *s3Watch) damage(t *testing.T, from int, dir, prefix string) damage {
	t.Helper()
	s.mark()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, err := range s.errs {
		t.Errorf("inotify on the S3 folders: %v (events may be missing)", err)
	}
	d := newDamage()
	seen := map[string]bool{}
	for i, e := range s.events {
		name := filepath.Base(e.Name)
		if filepath.Dir(e.Name) != dir || !strings.HasPrefix(name, prefix) || powerfs.IsTemporary(name) {
			continue
		}
		switch {
		case e.Has(fsnotify.Create):
			if seen[e.Name] && i >= from {
				d.replaced[e.Name] = true
			}
			seen[e.Name] = true
		case e.Has(fsnotify.Remove) || e.Has(fsnotify.Rename):
			if seen[e.Name] && i >= from {
				d.removed[e.Name] = true
			}
			delete(seen, e.Name)
		}
	}
	return d
}

// powerMarks are where a phase of TestPowerCut starts in the journals.
type powerMarks struct{ journal, s3 int }

// checkPowerCut stops nothing: the push has ended. It checks the .pending
// files, cuts the power once more (what a clean stop published must be
// durable), then checks every target's splits and prints a summary line.
func checkPowerCut(t *testing.T, phase string, p *powerPush, watch *s3Watch, targets []powerTarget, written []rec, m powerMarks) {
	t.Helper()
	pending := 0
	for _, tg := range targets {
		for _, n := range files(t, tg.dir) {
			if strings.HasSuffix(n, ".pending") {
				pending++
			}
		}
	}
	var logTails string // the cut below drops the logs, never fsynced
	logs, _ := filepath.Glob(filepath.Join(p.fs.Dir(), "log", "*"))
	for _, l := range logs {
		b, _ := os.ReadFile(l)
		n := 12
		if strings.HasPrefix(filepath.Base(l), "analytics") {
			n = 80
		}
		logTails += fmt.Sprintf("-- %s ends:\n%s\n", filepath.Base(l), tail(string(b), n))
	}
	beforeCut := len(p.fs.Journal())
	if _, err := p.fs.Cut(powerfs.CutOptions{Tear: true, Rand: p.rng}); err != nil {
		t.Fatal(err)
	}
	journal := p.fs.Journal()
	undone, reverted, finalUndone := 0, 0, 0
	for i, e := range journal[m.journal:] {
		if !strings.HasPrefix(e.Path, "push/") {
			continue
		}
		switch {
		case m.journal+i >= beforeCut:
			finalUndone++
		case e.Kind == powerfs.Undone:
			undone++
		case e.Kind == powerfs.Reverted:
			reverted++
		}
	}
	var parts, bad []string
	var dups, losses, replaced, removed, twice int
	for _, tg := range targets {
		want := tg.want(t, written)
		splits := splitsOf(t, tg.dir, tg.prefix)
		var got []rec
		for _, s := range splits {
			got = append(got, s.recs...)
		}
		d, l := compareOnce(want, got)
		var dm damage
		if tg.rel != "" {
			dm = localDamage(journal, m.journal, tg.rel, tg.prefix)
		} else {
			dm = watch.damage(t, m.s3, tg.dir, tg.prefix)
		}
		tw, twNames := pushedTwice(splits)
		dups, losses, replaced, removed, twice = dups+d, losses+l, replaced+len(dm.replaced), removed+len(dm.removed), twice+tw
		parts = append(parts, fmt.Sprintf("%s %d/%d in %d splits", tg.desc, len(got), len(want), len(splits)))
		if d+l+len(dm.replaced)+len(dm.removed)+tw > 0 {
			bad = append(bad, fmt.Sprintf("%s: %d duplicates, %d losses, replaced %v, removed %v, pushed twice %v",
				tg.desc, d, l, some(dm.replaced), some(dm.removed), first(twNames, 5)))
		}
	}
	summary := fmt.Sprintf("chaos: power cuts, %s: %v; packets %s; duplicates %d, losses %d, published splits replaced: %d, removed: %d, splits pushed twice: %d, .pending left: %d; the cuts undid %d split publishes, reverted %d splits, tore %d appends, dropped %d bytes; the cut after SIGTERM changed %d splits",
		phase, p.cuts, strings.Join(parts, ", "), dups, losses, replaced, removed, twice, pending,
		undone, reverted, p.torn, p.lost, finalUndone)
	t.Log(summary)
	t.Logf("aimed cuts interrupted: %q", p.aimed)
	fmt.Fprintln(os.Stderr, summary)
	if len(bad) > 0 || pending > 0 || finalUndone > 0 {
		t.Errorf("%s: not every packet once, a published split replaced, removed or pushed twice, .pending left (%d) or a published split lost at a cut after SIGTERM (%d):\n%s\npush_realtime's stderr ends:\n%s",
			phase, pending, finalUndone, strings.Join(bad, "\n"), tail(p.stderr.String(), 20))
		t.Logf("the logs before the last cut:\n%s", logTails)
	}
}

// some lists up to 5 names of a set.
func some(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, path.Base(k))
	}
	sort.Strings(out)
	return first(out, 5)
}

func first(s []string, n int) []string { return s[:min(n, len(s))] }
