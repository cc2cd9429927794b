package split

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"testing"

	"github.com/pcappush/pcappush/lib/pcapio"
	"github.com/pcappush/pcappush/lib/state/ledger"
)

// stream makes records as stream_cat emits them with checkpoints every g:
// a checkpoint tick before the first record past each multiple of g, some
// packets out of order, and idle ticks.
func stream(rng *rand.Rand, n int, g int64) []pcapio.Record {
	var out []pcapio.Record
	wm := int64(0)
	t := int64(1621849860e9)
	for i := 0; i < n; i++ {
		t += rng.Int63n(3e8)
		ts := t
		if rng.Intn(20) == 0 {
			ts -= rng.Int63n(4e9) // late
		}
		rec := pcapio.Record{Time: ts, OrigLen: 60, Data: []byte(fmt.Sprintf("packet %06d", i))}
		if rng.Intn(50) == 0 {
			rec = pcapio.Record{Time: max(wm, ts)} // idle tick
		}
		if e := rec.Time / g * g; e > wm && e > 0 && wm/g != rec.Time/g {
			out = append(out, pcapio.Record{Time: e})
		}
		wm = max(wm, rec.Time)
		out = append(out, rec)
	}
	return out
}

// runSplit feeds recs to a Splitter and returns what it published.
func runSplit(t *testing.T, o Options, recs []pcapio.Record) ([]ledger.Entry, map[string][]string) {
	t.Helper()
	var infos []ledger.Entry
	o.Prefix = "/out/"
	o.OnPublish = func(i ledger.Entry) error { infos = append(infos, i); return nil }
	must(t, o.Validate())
	sink := &memSink{}
	s := New(o, sink, nil)
	s.SetFormat(1, 0)
	for _, r := range recs {
		must(t, s.Write(r))
	}
	must(t, s.Close())
	files := map[string][]string{}
	for name, b := range sink.published {
		files[name] = payloads(t, b)
	}
	return infos, files
}

func payloads(t *testing.T, b []byte) []string {
	r, err := pcapio.NewReader(bytes.NewReader(b), "split")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for {
		rec, err := r.Next()
		if err != nil {
			return out
		}
		out = append(out, string(rec.Data))
	}
}

// TestResumeAfterAnySplitIsExact crashes the push right after each
// published split in turn, resumes from that split's ledger entry, and
// checks that the splits published before and after equal those of a run
// without a crash: every packet once, every split whole, same names.
func TestResumeAfterAnySplitIsExact(t *testing.T) {
	for _, o := range []Options{
		{Time: 2e9, Name: TstrHHMMSSNS, CheckpointEvery: 2e9},
		{Time: 5e9, Name: EpochSec, CheckpointEvery: 1e9},
		{Bytes: 700, Name: TstrHHMMSSNS, CheckpointEvery: 1e9},
		{Bytes: 700, Name: EpochSec, CheckpointEvery: 1e9}, // names repeat: _2, _3, ...
	} {
		rng := rand.New(rand.NewSource(o.Time + o.Bytes))
		if whole := checkResumes(t, o, stream(rng, 400, o.CheckpointEvery)); len(whole) < 10 {
			t.Fatalf("%+v: only %d splits", o, len(whole))
		}
	}
}

// checkResumes runs recs whole, then for each published split in turn as
// if the push had crashed right after it: resumed from that split's
// ledger entry (its position, and the clock of the last split that is not
// an outlier, as pcap_split --resume takes them), the splits published
// before and after must equal the whole run's. It returns the whole run's
// splits.
func checkResumes(t *testing.T, o Options, recs []pcapio.Record) []ledger.Entry {
	t.Helper()
	whole, wholeFiles := runSplit(t, o, recs)
	for k, info := range whole[:len(whole)-1] {
		if !info.HasCkpt {
			continue
		}
		// Published before the crash: splits 0..k.
		got := map[string][]string{}
		clock := ledger.Entry{}
		for _, i := range whole[:k+1] {
			got[i.Name] = wholeFiles[i.Name]
			if !i.Outlier {
				clock = i
			}
		}
		// stream_cat --resume Ckpt replays from that checkpoint tick.
		at := -1
		for i, r := range recs {
			if r.IsTick() && r.Time == info.Ckpt {
				at = i
			}
		}
		if at < 0 {
			t.Fatalf("checkpoint %d not in the stream", info.Ckpt)
		}
		ro := o
		ro.Resume = Resume{Skip: info.Skip, Base: clock.Base, Dup: clock.Dup, Ckpt: info.Ckpt, HasCkpt: true}
		if o.Time != 0 {
			ro.Resume.End = clock.End
		}
		_, resumed := runSplit(t, ro, recs[at:])
		for name, p := range resumed {
			if _, dup := got[name]; dup {
				t.Fatalf("%+v crash after split %d (%s): %s published twice", o, k, info.Name, name)
			}
			got[name] = p
		}
		if fmt.Sprint(got) != fmt.Sprint(wholeFiles) {
			t.Fatalf("%+v crash after split %d (%s): resumed splits differ from an uninterrupted run", o, k, info.Name)
		}
	}
	return whole
}

func TestResumeRefusesAnotherStart(t *testing.T) {
	o := Options{Time: 2e9, Name: EpochSec, Prefix: "/out/", CheckpointEvery: 2e9, Resume: Resume{Skip: 1, Ckpt: 4e9, HasCkpt: true}}
	must(t, o.Validate())
	s := New(o, &memSink{}, nil)
	s.SetFormat(1, 0)
	defer s.Abort()
	if err := s.Write(pcapio.Record{Time: 6e9}); !errors.Is(err, ErrResume) {
		t.Errorf("a stream starting at another checkpoint: %v; want ErrResume", err)
	}
}
