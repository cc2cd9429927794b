package logs

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
)

func TestStatusLine(t *testing.T) {
	got := StatusLine("pcap-all", []string{"stream_cat", "pcap_split"}, []bool{true, true}, "")
	want := "push [pcap-all                                 : stream_cat:true split:true]"
	if got != want {
		t.Errorf("StatusLine =\n%q; want\n%q (the reference's form)", got, want)
	}
	got = StatusLine("pcap-tcp", []string{"stream_cat", "pcap_decap", "pcap_filter", "pcap_split"}, []bool{true, true, false, true}, "")
	if !strings.HasSuffix(got, ": stream_cat:true decap:true filter:false split:true]") {
		t.Errorf("StatusLine = %q", got)
	}
	got = StatusLine("pcap-all", []string{"stream_cat", "pcap_split"}, []bool{false, false}, "stopped: finished capture cap1")
	if want := "push [pcap-all                                 : stream_cat:false split:false] stopped: finished capture cap1"; got != want {
		t.Errorf("StatusLine of a finished push =\n%q; want\n%q", got, want)
	}
	if s := Stamp(time.Date(2021, 5, 29, 15, 36, 46, 0, time.Local)); s != "Sat May 29 15:36:46 2021" {
		t.Errorf("Stamp = %q", s)
	}
}

func names(t *testing.T, dir string) []string {
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

func TestAnalyticsRotatesAndKeepsFew(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clock := time.Date(2021, 5, 29, 15, 0, 0, 0, time.Local)
	a, err := OpenAnalytics(dir, Options{MaxBytes: 1000, Keep: 3, Now: func() time.Time { clock = clock.Add(time.Second); return clock }})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 500; i++ {
		a.Printf("push [%-40s : stream_cat:true split:true]", "pcap-all")
	}
	a.Close()
	got := names(t, dir)
	if len(got) != 4 || got[0] != AnalyticsName {
		t.Fatalf("files %v; want 3 rotated logs and the current one", got)
	}
	b, _ := os.ReadFile(filepath.Join(dir, got[1]))
	if !regexp.MustCompile(`^\[Sat May 29 15:\d\d:\d\d 2021\] push \[pcap-all {33}: stream_cat:true split:true\]\n`).Match(b) {
		t.Errorf("line %q", strings.SplitN(string(b), "\n", 2)[0])
	}
	for _, n := range got {
		if st, _ := os.Stat(filepath.Join(dir, n)); st.Size() > 1100 || st.Mode().Perm()&0o007 != 0 {
			t.Errorf("%s: %d bytes, mode %v", n, st.Size(), st.Mode().Perm())
		}
	}
}

func TestTargetLogFilesLinkAndRetention(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clock := time.Date(2021, 5, 24, 18, 51, 4, 0, time.Local)
	o := Options{MaxBytes: 500, Keep: 4, Now: func() time.Time { return clock }}
	// A second target whose name extends the first's must be left alone.
	other, err := OpenTarget(dir, "pcap_x", o)
	if err != nil {
		t.Fatal(err)
	}
	other.Printf("other")
	other.Close()
	for start := 0; start < 3; start++ {
		l, err := OpenTarget(dir, "pcap", o)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 20; i++ {
			l.Printf("[0.001 H][2021-05-24 18:51:04] /x/1621849860-1621849920.pcap : Total Bytes 0.080 GB Speed: 0.256Gbps")
		}
		l.Close()
		clock = clock.Add(time.Minute)
	}
	got := names(t, dir)
	var mine []string
	for _, n := range got {
		if strings.HasPrefix(n, "push_pcap_2021") {
			mine = append(mine, n)
		}
	}
	if len(mine) != 4 || mine[len(mine)-1] != "push_pcap_20210524_1853.4" {
		t.Errorf("files %v; want the newest 4, ending with push_pcap_20210524_1853.4", mine)
	}
	if target, err := os.Readlink(filepath.Join(dir, "push_pcap.cur")); err != nil || target != "push_pcap_20210524_1853.4" {
		t.Errorf("push_pcap.cur -> %q, %v", target, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "push_pcap_x_20210524_1851")); err != nil {
		t.Errorf("another target's log was pruned: %v", got)
	}
}

// TestRefusesLinks: a link planted at a log's name is refused, naming it,
// and its target is untouched.
func TestRefusesLinks(t *testing.T) {
	dir := t.TempDir()
	o := Options{Now: func() time.Time { return time.Date(2021, 5, 29, 15, 36, 0, 0, time.Local) }}
	v := testutil.PlantLink(t, filepath.Join(dir, AnalyticsName))
	_, err := OpenAnalytics(dir, o)
	v.Refused("OpenAnalytics", fmt.Sprint(err))
	v = testutil.PlantLink(t, filepath.Join(dir, "push_all_20210529_1536.1"))
	l, err := OpenTarget(dir, "all", Options{Now: o.Now, MaxBytes: 10})
	if err != nil {
		t.Fatal(err)
	}
	_, err = l.Write([]byte("a line long enough to continue the log\n"))
	l.Close()
	v.Refused("OpenTarget", fmt.Sprint(err))
}

// TestTargetLogSameMinute: two starts in the same minute never share a
// file: the second writes push_DESC_YYYYMMDD_HHMM_2, which .cur names,
// and each keeps its own lines.
func TestTargetLogSameMinute(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	o := Options{Now: func() time.Time { return time.Date(2021, 5, 24, 18, 51, 4, 0, time.Local) }}
	for i, line := range []string{"first start", "second start", "third start"} {
		l, err := OpenTarget(dir, "all", o)
		if err != nil {
			t.Fatal(err)
		}
		l.Printf("%s", line)
		want := filepath.Join(dir, "push_all_20210524_1851")
		if i > 0 {
			want += fmt.Sprintf("_%d", i+1)
		}
		if l.Path() != want {
			t.Errorf("start %d writes %s; want %s", i+1, l.Path(), want)
		}
		l.Close()
		if b, _ := os.ReadFile(want); string(b) != line+"\n" {
			t.Errorf("%s holds %q; want only %q", want, b, line)
		}
	}
	if target, _ := os.Readlink(filepath.Join(dir, "push_all.cur")); target != "push_all_20210524_1851_3" {
		t.Errorf("push_all.cur -> %q; want the third start's file", target)
	}
	got := []string{"push_all_20210524_1851_10", "push_all_20210524_1851_2.1", "push_all_20210524_1851.1", "push_all_20210524_1851", "push_all_20210524_1851_2"}
	sort.Slice(got, func(i, j int) bool { return logOrder(got[i]) < logOrder(got[j]) })
	want := []string{"push_all_20210524_1851", "push_all_20210524_1851.1", "push_all_20210524_1851_2", "push_all_20210524_1851_2.1", "push_all_20210524_1851_10"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("order %v; want %v", got, want)
	}
}
