package tests

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
)

// recAt is a record of a stream, ticks included.
type recAt struct {
	rec
	tick bool
}

// parseAll reads every record of a stream, ticks included.
func parseAll(t *testing.T, b []byte) []recAt {
	t.Helper()
	var out []recAt
	for _, r := range parseRecs(t, "stream", b) {
		out = append(out, recAt{r, r.Data == "" && r.OrigLen == 0})
	}
	return out
}

// TestStreamCatCheckpoints: with --uid, a tick at every second of packet
// time precedes the first record after it and is recorded under
// --state-dir; --resume at any recorded second gives exactly what followed
// that tick in the first run.
func TestStreamCatCheckpoints(t *testing.T) {
	tcpdump := testutil.Need(t, "tcpdump")
	in := gen(t, "--seed", "27", "--start", "2021-05-24T09:50:00Z", "--duration", "20s", "--size", "4MB")
	store := t.TempDir()
	dir := filepath.Join(store, "capture6")
	os.Mkdir(dir, 0o755)
	testutil.MustRun(t, nil, tcpdump, "-Z", "root", "-r", in, "-w", filepath.Join(dir, "x.pcap"), "-C", "1")
	testutil.MustRun(t, nil, "gzip", filepath.Join(dir, "x.pcap2"))
	os.WriteFile(filepath.Join(dir, ".complete"), nil, 0o644)
	state := t.TempDir()
	args := []string{"--store", store, "--state-dir", state, "--uid", "push_1622272417078768896"}
	res := streamCat(t, append(args, "capture6")...)
	if res.Code != 0 || string(res.Stderr) != "stream_cat UID [push_1622272417078768896]\n" {
		t.Fatalf("exit %d, stderr %q", res.Code, res.Stderr)
	}
	full := parseAll(t, res.Stdout)
	var ticks []int64
	for i, r := range full {
		if r.tick {
			if r.Time%1e9 != 0 || full[i+1].tick || full[i+1].Time < r.Time {
				t.Fatalf("tick %d at %d is not followed by a packet of its second", i, r.Time)
			}
			ticks = append(ticks, r.Time)
		}
	}
	if len(ticks) != 20 {
		t.Fatalf("%d checkpoint ticks in 20 s of packets; want 20", len(ticks))
	}
	file := filepath.Join(state, "push_1622272417078768896", "capture6.checkpoints")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := regexp.MustCompile(`(?m)^(\d+) (\d+) "(x\.pcap\d*(\.gz)?)"$`).FindAllStringSubmatch(string(b), -1)
	if len(lines) != 20 {
		t.Fatalf("checkpoint file:\n%s\nwant 20 lines", b)
	}
	for i, l := range lines {
		if l[1] != strconv.FormatInt(ticks[i], 10) {
			t.Errorf("line %d records %s; tick %d", i, l[1], ticks[i])
		}
	}
	for _, i := range []int{0, 7, 19} {
		e := strconv.FormatInt(ticks[i], 10)
		res := streamCat(t, append(args, "--resume", e, "capture6")...)
		if res.Code != 0 {
			t.Fatalf("--resume %s: exit %d %s", e, res.Code, res.Stderr)
		}
		got := parseAll(t, res.Stdout)
		at := 0
		for full[at].Time != ticks[i] || !full[at].tick {
			at++
		}
		if len(got) != len(full)-at {
			t.Fatalf("--resume %s (%s): %d records; want %d", e, lines[i][3], len(got), len(full)-at)
		}
		for k := range got {
			if got[k] != full[at+k] {
				t.Fatalf("--resume %s: record %d differs", e, k)
			}
		}
	}
	res = streamCat(t, append(args, "--resume", "1621849800500000000", "capture6")...)
	if res.Code != 1 || !strings.Contains(string(res.Stderr), "stream_cat: checkpoint 1621849800500000000 is not recorded in "+file) {
		t.Errorf("unknown checkpoint: exit %d, %s", res.Code, res.Stderr)
	}
}

// TestStreamCatErrors: every kind of mistake gets its message and code,
// and nothing on stdout.
func TestStreamCatErrors(t *testing.T) {
	store := t.TempDir()
	good := gen(t, "--seed", "28", "--duration", "10s", "--size", "200kB")
	mk := func(name string, chunks map[string][]byte) {
		os.Mkdir(filepath.Join(store, name), 0o755)
		for n, b := range chunks {
			os.WriteFile(filepath.Join(store, name, n), b, 0o644)
		}
		os.WriteFile(filepath.Join(store, name, ".complete"), nil, 0o644)
	}
	g, _ := os.ReadFile(good)
	bad := append([]byte(nil), g...)
	off := 24 // the 100th record's header gets a captured length of 0xffffffff
	for i := 0; i < 99; i++ {
		off += 16 + int(binary.LittleEndian.Uint32(bad[off+8:]))
	}
	binary.LittleEndian.PutUint32(bad[off+8:], 0xffffffff)
	other := append([]byte(nil), g...)
	other[20] = 101
	mk("corrupt", map[string][]byte{"a.pcap": g, "b.pcap": bad, "c.pcap": g})
	mk("linktype", map[string][]byte{"a.pcap": g, "b.pcap": other})
	mk("empty", map[string][]byte{"notes.txt": []byte("x")})
	s := []string{"--store", store}
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no capture", s, 2, "no capture given"},
		{"two captures", append(s, "a", "b"), 2, `one capture at a time: got "a" and "b"`},
		{"unknown flag", append(s, "--folow", "x"), 2, "folow"},
		{"bad time", append(s, "--start-time", "yesterday", "x"), 2, `--start-time "yesterday": not a time`},
		{"start after end", append(s, "--start-time", "1621849900", "--end-time", "1621849800", "x"), 2, "--start-time must be before --end-time"},
		{"resume without uid", append(s, "--resume", "1621849800e9", "x"), 2, "--resume needs --uid"},
		{"bad uid", append(s, "--uid", "a/b", "x"), 2, `--uid "a/b": must be a plain name`},
		{"bad checkpoint interval", append(s, "--checkpoint-every", "0", "x"), 2, `--checkpoint-every "0": must be greater than zero`},
		{"list with capture", append(s, "--list", "x"), 2, `--list takes no capture`},
		{"missing capture", append(s, "nope"), 1, `stream_cat: capture "nope" not found in store ` + store + ` \(stream_cat --list shows its captures\)`},
		{"missing path", append(s, "./nope"), 1, `stream_cat: capture ./nope not found`},
		{"no chunks", append(s, "empty"), 1, "capture empty holds no chunks"},
		{"corrupt chunk", append(s, "corrupt"), 1, fmt.Sprintf("stream_cat: b.pcap: packet 100 at byte %d: captured length 4294967295 exceeds the 262144-byte maximum: bad captured length", off)},
		{"link type", append(s, "linktype"), 1, "stream_cat: chunk b.pcap has link type 101; the stream has 1"},
		{"skip bad", append(s, "--skip-bad", "corrupt"), 0, "stream_cat: warning: skipping the rest of chunk b.pcap: b.pcap: packet"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := streamCat(t, tc.args...)
			stderr := string(res.Stderr)
			if res.Code != tc.code || !regexp.MustCompile(tc.msg).MatchString(stderr) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", res.Code, stderr, tc.code, tc.msg)
			}
			if tc.code == 2 && (!strings.Contains(stderr, "Try: stream_cat --help") || len(res.Stdout) != 0) {
				t.Errorf("usage error: stdout %d bytes, stderr:\n%s", len(res.Stdout), stderr)
			}
		})
	}
}

// TestStreamCatList: --list against capinfos' first and last packet times.
func TestStreamCatList(t *testing.T) {
	tcpdump := testutil.Need(t, "tcpdump")
	store := t.TempDir()
	in := gen(t, "--seed", "29", "--start", "2021-05-24T09:50:00Z", "--duration", "2m", "--size", "5MB")
	for _, name := range []string{"capture1_20210524_0950", "capture2_20210524_0950"} {
		os.Mkdir(filepath.Join(store, name), 0o755)
		testutil.MustRun(t, nil, tcpdump, "-Z", "root", "-r", in, "-w", filepath.Join(store, name, "x.pcap"), "-C", "1")
	}
	os.WriteFile(filepath.Join(store, "capture1_20210524_0950", ".complete"), nil, 0o644)
	old := time.Now().Add(-time.Hour)
	ci := capinfos(t, filepath.Dir(in), []string{filepath.Base(in)})[filepath.Base(in)]
	var size int64
	for _, f := range files(t, filepath.Join(store, "capture2_20210524_0950")) {
		st, _ := os.Stat(filepath.Join(store, "capture2_20210524_0950", f))
		size += st.Size()
		os.Chtimes(filepath.Join(store, "capture2_20210524_0950", f), old, old)
	}
	res := streamCat(t, "--list", "--store", store)
	if res.Code != 0 {
		t.Fatalf("exit %d %s", res.Code, res.Stderr)
	}
	ms := func(ns int64) string { return time.Unix(0, ns).UTC().Format("2006-01-02T15:04:05.000Z") }
	lines := strings.Split(strings.TrimSpace(string(res.Stdout)), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "CAPTURE ") {
		t.Fatalf("list:\n%s", res.Stdout)
	}
	for i, active := range []string{"no", "no"} {
		f := strings.Fields(lines[i+1])
		if len(f) != 6 || f[1] != "5" || f[2] != strconv.FormatInt(size, 10) || f[3] != ms(ci.first) || f[4] != ms(ci.last) || f[5] != active {
			t.Errorf("line %q; want 5 chunks, %d bytes, %s to %s, active %s", lines[i+1], size, ms(ci.first), ms(ci.last), active)
		}
	}
}

// TestStreamCatHelp: synopsis, every option and two examples; --version.
func TestStreamCatHelp(t *testing.T) {
	res := streamCat(t, "--help")
	out := string(res.Stdout)
	for _, want := range []string{"stream_cat [--store DIR]", "stream_cat --list", "--follow", "--start-time", "--end-time", "--uid", "--state-dir", "--checkpoint-every", "--resume", "--no-ticks", "--tick-lag", "--active-window", "--skip-bad", "--verbose", "--store", "--list", "EXAMPLES:", "PCAPPUSH_STORE", "PCAPPUSH_STATE"} {
		if !strings.Contains(out, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
	if strings.Count(out, "   stream_cat ") < 2 || res.Code != 0 {
		t.Errorf("--help: exit %d, want two examples:\n%s", res.Code, out)
	}
	if v := streamCat(t, "--version"); v.Code != 0 || !strings.HasPrefix(string(v.Stdout), "stream_cat version ") {
		t.Errorf("--version: %d %q", v.Code, v.Stdout)
	}
}
