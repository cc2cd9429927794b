package split

import (
	"bytes"
	"errors"
	"io"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pcappush/pcappush/lib/pcapio"
)

// memSink keeps published splits in memory. CreateFunc, when set, can make
// Create fail; WriteErr makes writes fail.
type memSink struct {
	CreateFunc func(name string) error
	WriteErr   error
	published  map[string][]byte
	order      []string
	aborted    int
	open       int
}

type memPart struct {
	s   *memSink
	buf bytes.Buffer
}

func (s *memSink) Create(name string) (Part, error) {
	if s.CreateFunc != nil {
		if err := s.CreateFunc(name); err != nil {
			return nil, err
		}
	}
	s.open++
	return &memPart{s: s}, nil
}

func (p *memPart) Write(b []byte) (int, error) {
	if p.s.WriteErr != nil {
		return 0, p.s.WriteErr
	}
	return p.buf.Write(b)
}

// Commit publishes as a file sink does: never over a published split; a
// name holding the same bytes counts as published, one holding others is
// passed over.
func (p *memPart) Commit(names Names) (Published, error) {
	if p.s.published == nil {
		p.s.published = map[string][]byte{}
	}
	p.s.open--
	for ; ; names = names.Next() {
		old, taken := p.s.published[names.Name()]
		if !taken {
			break
		}
		if bytes.Equal(old, p.buf.Bytes()) {
			return Published{Names: names, Existed: true}, nil
		}
	}
	p.s.published[names.Name()] = p.buf.Bytes()
	p.s.order = append(p.s.order, names.Name())
	return Published{Names: names}, nil
}

func (p *memPart) Abort() error { p.s.aborted++; p.s.open--; return nil }

// times returns the packet times in a published split, checking its header.
func times(t *testing.T, b []byte) []int64 {
	t.Helper()
	r, err := pcapio.NewReader(bytes.NewReader(b), "split")
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec.Time)
	}
}

const base = int64(1621849860e9) // 2021-05-24 09:51:00 UTC, a minute boundary

func sec(s float64) int64 { return base + int64(s*1e9) }

type step struct {
	t    int64
	size int  // captured bytes; 0 with tick set is a tick
	tick bool // a clock tick
}

// feedSteps runs steps through a Splitter and returns its sink and stats.
func feedSteps(t *testing.T, o Options, steps []step) (*memSink, Stats) {
	t.Helper()
	o.Prefix = "/out/"
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	s := New(o, sink, nil)
	s.SetFormat(1, 0)
	data := make([]byte, 2000)
	for _, st := range steps {
		rec := pcapio.Record{Time: st.t, OrigLen: uint32(st.size), Data: data[:st.size]}
		if st.tick {
			rec = pcapio.Record{Time: st.t}
		}
		if err := s.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return sink, s.Stats()
}

func contents(t *testing.T, s *memSink) map[string][]int64 {
	out := map[string][]int64{}
	for name, b := range s.published {
		out[name] = times(t, b)
	}
	return out
}

func TestTimeSplitAlignmentAndBoundaries(t *testing.T) {
	steps := []step{
		{t: sec(-0.5), size: 60}, // previous minute
		{t: sec(0), size: 60},    // exactly on the boundary: the new minute
		{t: sec(59.999999999), size: 60},
		{t: sec(180), size: 60}, // minutes 1 and 2 are empty: no files
		{t: sec(181), size: 60},
	}
	sink, st := feedSteps(t, Options{Time: 60e9, Name: EpochSecStartEnd}, steps)
	want := map[string][]int64{
		"/out/1621849800-1621849860.pcap": {sec(-0.5)},
		"/out/1621849860-1621849920.pcap": {sec(0), sec(59.999999999)},
		"/out/1621850040-1621850100.pcap": {sec(180), sec(181)},
	}
	if d := cmp.Diff(want, contents(t, sink)); d != "" {
		t.Errorf("splits (-want +got):\n%s", d)
	}
	if st.Files != 3 || st.Packets != 5 || st.Reordered != 0 {
		t.Errorf("stats %+v; want 3 files, 5 packets, 0 reordered", st)
	}
	if sink.order[0] != "/out/1621849800-1621849860.pcap" || sink.order[2] != "/out/1621850040-1621850100.pcap" {
		t.Errorf("published in order %v", sink.order)
	}
}

func TestTimeSplitReordering(t *testing.T) {
	steps := []step{
		{t: sec(10), size: 60},
		{t: sec(5), size: 60},   // earlier than its predecessor, same split
		{t: sec(-30), size: 60}, // before the open split's start: kept there, counted
		{t: sec(61), size: 60},  // closes the first minute
		{t: sec(62), tick: true},
		{t: sec(125), tick: true}, // closes the second minute
		{t: sec(70), size: 60},    // late, in the minute just closed: its continuation, "_2"
		{t: sec(30), size: 60},    // older still: kept in the open split, counted
		{t: sec(200), size: 60},
	}
	sink, st := feedSteps(t, Options{Time: 60e9, Name: EpochSec}, steps)
	want := map[string][]int64{
		"/out/1621849860.pcap":   {sec(10), sec(5), sec(-30)},
		"/out/1621849920.pcap":   {sec(61)},
		"/out/1621849920_2.pcap": {sec(70), sec(30)},
		"/out/1621850040.pcap":   {sec(200)},
	}
	if d := cmp.Diff(want, contents(t, sink)); d != "" {
		t.Errorf("splits (-want +got):\n%s", d)
	}
	if st.Reordered != 2 || st.Ticks != 2 || st.Packets != 7 {
		t.Errorf("stats %+v; want 2 reordered, 2 ticks, 7 packets", st)
	}
}

// TestTimeSplitContinuedAfterResume: a split published early (a stop)
// is continued by the next run under "_2", then "_3", within its own
// interval; a run that does not know the last split's name (--after from
// another capture) starts at the next interval instead.
func TestTimeSplitContinuedAfterResume(t *testing.T) {
	base := "/out/1621849860-1621849920"
	for _, tc := range []struct {
		resume Resume
		want   string
	}{
		{Resume{End: sec(60), Base: base}, base + "_2.pcap"},
		{Resume{End: sec(60), Base: base, Dup: 2}, base + "_3.pcap"},
		{Resume{End: sec(60)}, "/out/1621849920-1621849980.pcap"},
		{Resume{End: sec(60), Base: "/elsewhere/1621849860-1621849920", Dup: 3}, base + "_2.pcap"},
	} {
		sink, _ := feedSteps(t, Options{Time: 60e9, Name: EpochSecStartEnd, Resume: tc.resume}, []step{{t: sec(40), size: 60}})
		got := contents(t, sink)
		if len(got) != 1 || got[tc.want] == nil {
			t.Errorf("resume %+v: published %v; want %s", tc.resume, got, tc.want)
		}
	}
}

func TestTicksCloseButAreNeverWritten(t *testing.T) {
	o := Options{Time: 60e9, Name: EpochSec, Prefix: "/out/"}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	s := New(o, sink, nil)
	s.SetFormat(1, 0)
	must(t, s.Write(pcapio.Record{Time: sec(1), OrigLen: 1, Data: []byte{1}}))
	must(t, s.Write(pcapio.Record{Time: sec(59)}))
	if len(sink.published) != 0 {
		t.Fatalf("a tick before the split's end published %v", sink.order)
	}
	must(t, s.Write(pcapio.Record{Time: sec(60)}))
	if got := contents(t, sink); len(got) != 1 || len(got["/out/1621849860.pcap"]) != 1 {
		t.Fatalf("after a tick at the end: %v; want the first minute with one packet", got)
	}
	must(t, s.Write(pcapio.Record{Time: sec(3600)}))
	must(t, s.Close())
	if len(sink.published) != 1 {
		t.Errorf("ticks alone made files: %v", sink.order)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestByteSplitLimits(t *testing.T) {
	// Header 24 + records of 16+84 = 100 bytes: a 224-byte limit holds two.
	steps := []step{
		{t: sec(1), size: 84}, {t: sec(1.5), size: 84}, // 224 bytes: exactly full
		{t: sec(2), size: 84},   // new file
		{t: sec(3), size: 1000}, // larger than the limit: a file of its own
		{t: sec(3.2), size: 84},
	}
	sink, st := feedSteps(t, Options{Bytes: 224, Name: EpochSecStartEnd}, steps)
	want := map[string][]int64{
		"/out/1621849861-1621849861.pcap":   {sec(1), sec(1.5)},
		"/out/1621849862-1621849862.pcap":   {sec(2)},
		"/out/1621849863-1621849863.pcap":   {sec(3)},
		"/out/1621849863-1621849863_2.pcap": {sec(3.2)},
	}
	if d := cmp.Diff(want, contents(t, sink)); d != "" {
		t.Errorf("splits (-want +got):\n%s", d)
	}
	for name, b := range sink.published {
		if len(b) > 224 && len(times(t, b)) > 1 {
			t.Errorf("%s holds %d bytes and several packets", name, len(b))
		}
	}
	if st.Files != 4 {
		t.Errorf("files %d; want 4", st.Files)
	}
}

func TestByteSplitNamesUseFirstAndLastPacket(t *testing.T) {
	steps := []step{{t: sec(1), size: 100}, {t: sec(7.9), size: 100}}
	for _, tt := range []struct {
		format NameFormat
		want   string
	}{
		{EpochSecStartEnd, "/out/1621849861-1621849867.pcap"},
		{EpochSec, "/out/1621849861.pcap"},
		{TstrHHMMSSNS, "/out/20210524_095101.000.000.000.pcap"},
	} {
		sink, _ := feedSteps(t, Options{Bytes: 1e6, Name: tt.format}, steps)
		if len(sink.order) != 1 || sink.order[0] != tt.want {
			t.Errorf("%s: published %v; want %s", tt.format.Flag(), sink.order, tt.want)
		}
	}
}

func TestIdleClose(t *testing.T) {
	now := time.Unix(0, sec(30))
	o := Options{Time: 60e9, Name: EpochSec, Prefix: "/out/", IdleClose: 5 * time.Second, Now: func() time.Time { return now }}
	must(t, o.Validate())
	sink := &memSink{}
	s := New(o, sink, nil)
	s.SetFormat(1, 0)
	must(t, s.Write(pcapio.Record{Time: sec(10), OrigLen: 1, Data: []byte{1}}))
	for _, c := range []struct {
		now   float64
		quiet time.Duration
		files int
	}{
		{30, time.Minute, 0},     // before the split's end
		{64, time.Minute, 0},     // within the grace after the end
		{66, time.Second, 0},     // quiet for less than the grace
		{66, 6 * time.Second, 1}, // closes
		{200, time.Minute, 1},    // nothing open any more
	} {
		now = time.Unix(0, sec(c.now))
		must(t, s.Idle(c.quiet))
		if len(sink.published) != c.files {
			t.Fatalf("at %vs quiet %v: %d files; want %d", c.now, c.quiet, len(sink.published), c.files)
		}
	}
}

func TestWriteErrorAbortsSplit(t *testing.T) {
	o := Options{Time: 60e9, Name: EpochSec, Prefix: "/out/"}
	must(t, o.Validate())
	full := errors.New("no space left on device")
	sink := &memSink{}
	s := New(o, sink, nil)
	s.SetFormat(1, 0)
	must(t, s.Write(pcapio.Record{Time: sec(1), OrigLen: 1, Data: []byte{1}}))
	sink.WriteErr = full
	big := make([]byte, 4000)
	var err error
	for i := 0; i < 1000 && err == nil; i++ {
		err = s.Write(pcapio.Record{Time: sec(2), OrigLen: 4000, Data: big})
	}
	if err == nil {
		err = s.Sync() // the writes happen on a goroutine: Sync waits for them
	}
	if !errors.Is(err, full) || len(sink.published) != 0 || sink.aborted != 1 || sink.open != 0 {
		t.Errorf("err %v, published %v, aborted %d, open %d; want the write error, nothing published, one abort", err, sink.order, sink.aborted, sink.open)
	}
	s.Abort()
	if sink.aborted != 1 {
		t.Errorf("aborted %d times; want 1", sink.aborted)
	}
}

func TestPublishedSplitsHoldEveryPacketOnce(t *testing.T) {
	var steps []step
	for i := 0; i < 5000; i++ {
		steps = append(steps, step{t: sec(float64(i) * 0.1), size: 40 + i%1400})
	}
	for _, o := range []Options{{Time: 7e9, Name: TstrHHMMSSNS}, {Bytes: 100000, Name: TstrHHMMSSNS}} {
		sink, st := feedSteps(t, o, steps)
		var all []int64
		names := append([]string(nil), sink.order...)
		sort.Strings(names)
		for _, n := range names {
			all = append(all, times(t, sink.published[n])...)
		}
		if len(all) != len(steps) || st.Packets != int64(len(steps)) {
			t.Fatalf("%+v: %d packets published; want %d", o, len(all), len(steps))
		}
		for i := range all {
			if all[i] != steps[i].t {
				t.Fatalf("%+v: packet %d at %d; want %d", o, i, all[i], steps[i].t)
			}
		}
	}
}
