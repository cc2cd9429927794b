package split

import (
	"math/rand"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pcappush/pcappush/lib/pcapio"
	"github.com/pcappush/pcappush/lib/state/ledger"
)

const year = int64(365 * 24 * time.Hour)

// now is a wall clock stopped at sec(90), for the tests of packets ahead
// of it.
func now() time.Time { return time.Unix(0, sec(90)) }

// TestPacketAheadOfTheWallClock: one packet stamped a year ahead in a live
// stream goes into a split of its own, flagged; the minute it came in is
// continued as "_2" and published on time by the next tick; nothing is
// lost and no split holds a packet outside its interval.
func TestPacketAheadOfTheWallClock(t *testing.T) {
	var infos []ledger.Entry
	o := Options{Time: 60e9, Name: EpochSec, Now: now, OnPublish: func(i ledger.Entry) error { infos = append(infos, i); return nil }}
	sink, st := feedSteps(t, o, []step{
		{t: sec(60), size: 60},
		{t: sec(61) + year, size: 60}, // a NIC clock jump
		{t: sec(62), size: 60},
		{t: sec(63), size: 60},
		{t: sec(121), tick: true}, // closes the minute on time
		{t: sec(122), size: 60},
	})
	want := map[string][]int64{
		"/out/1621849920.pcap":   {sec(60)},
		"/out/1653385920.pcap":   {sec(61) + year},
		"/out/1621849920_2.pcap": {sec(62), sec(63)},
		"/out/1621849980.pcap":   {sec(122)},
	}
	if d := cmp.Diff(want, contents(t, sink)); d != "" {
		t.Errorf("splits (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"/out/1621849920.pcap", "/out/1653385920.pcap", "/out/1621849920_2.pcap", "/out/1621849980.pcap"}, sink.order); d != "" {
		t.Errorf("published (-want +got):\n%s", d)
	}
	if st.OutOfClock != 1 || st.Reordered != 0 || st.Packets != 5 {
		t.Errorf("stats %+v; want 1 out of the clock, 5 packets", st)
	}
	for _, i := range infos {
		if i.Outlier != (i.Name == "/out/1653385920.pcap") {
			t.Errorf("%s: Outlier %v", i.Name, i.Outlier)
		}
	}
}

// TestPacketsFarInThePast: a packet stamped at the epoch (a recorder whose
// clock was not set) and one a year before the clock's split each go into
// a split of their own interval; a burst of them in one interval shares
// one, and a later burst in the same interval gets "_2".
func TestPacketsFarInThePast(t *testing.T) {
	sink, st := feedSteps(t, Options{Time: 60e9, Name: EpochSec, Now: now}, []step{
		{t: sec(60), size: 60},
		{t: 5e9, size: 60}, // 1970-01-01 00:00:05
		{t: sec(61), size: 60},
		{t: sec(10) - year, size: 60},
		{t: sec(11) - year, size: 60},
		{t: sec(62), size: 60},
		{t: sec(12) - year, size: 60},
		{t: sec(63), size: 60},
	})
	want := map[string][]int64{
		"/out/1621849920.pcap":   {sec(60)},
		"/out/0.pcap":            {5e9},
		"/out/1621849920_2.pcap": {sec(61)},
		"/out/1590313860.pcap":   {sec(10) - year, sec(11) - year},
		"/out/1621849920_3.pcap": {sec(62)},
		"/out/1590313860_2.pcap": {sec(12) - year},
		"/out/1621849920_4.pcap": {sec(63)},
	}
	if d := cmp.Diff(want, contents(t, sink)); d != "" {
		t.Errorf("splits (-want +got):\n%s", d)
	}
	if st.OutOfClock != 4 {
		t.Errorf("stats %+v; want 4 out of the clock", st)
	}
}

// TestJumpAheadOfNeighbours: in a stored capture (the wall clock far
// later), a packet an hour ahead of its neighbours is out of the clock
// once the next packet comes back; a real gap, followed by more packets,
// moves the clock.
func TestJumpAheadOfNeighbours(t *testing.T) {
	later := func() time.Time { return time.Unix(0, sec(0)+10*year) }
	hour := 3600.0
	var infos []ledger.Entry
	sink, st := feedSteps(t, Options{Time: 60e9, Name: EpochSec, Now: later, OnPublish: func(i ledger.Entry) error { infos = append(infos, i); return nil }}, []step{
		{t: sec(1), size: 60},
		{t: sec(2 + hour), size: 60}, // an hour ahead...
		{t: sec(3), size: 60},        // ...and back: it was out of the clock
		{t: sec(4), size: 60},
		{t: sec(5 + 3*hour), size: 60}, // three hours later, and the time goes on
		{t: sec(6 + 3*hour), size: 60},
		{t: sec(70 + 3*hour), size: 60},
	})
	want := map[string][]int64{
		"/out/1621849860.pcap":   {sec(1)},
		"/out/1621853460.pcap":   {sec(2 + hour)},
		"/out/1621849860_2.pcap": {sec(3), sec(4)},
		"/out/1621860660.pcap":   {sec(5 + 3*hour), sec(6 + 3*hour)},
		"/out/1621860720.pcap":   {sec(70 + 3*hour)},
	}
	if d := cmp.Diff(want, contents(t, sink)); d != "" {
		t.Errorf("splits (-want +got):\n%s", d)
	}
	flagged := 0
	for _, i := range infos {
		if i.Outlier {
			flagged++
			if i.Name != "/out/1621853460.pcap" {
				t.Errorf("%s flagged out of the clock", i.Name)
			}
		}
	}
	if flagged != 1 || st.OutOfClock != 1 {
		t.Errorf("%d splits flagged, stats %+v; want 1 split, 1 packet", flagged, st)
	}
}

// TestTickAheadOfTheWallClockIsNotBelieved: a tick a year ahead does not
// close the open split; the next tick on time does.
func TestTickAheadOfTheWallClockIsNotBelieved(t *testing.T) {
	sink, _ := feedSteps(t, Options{Time: 60e9, Name: EpochSec, Now: now}, []step{
		{t: sec(60), size: 60},
		{t: sec(61) + year, tick: true},
		{t: sec(62), size: 60},
		{t: sec(120), tick: true},
		{t: sec(121), size: 60},
	})
	want := map[string][]int64{
		"/out/1621849920.pcap": {sec(60), sec(62)},
		"/out/1621849980.pcap": {sec(121)},
	}
	if d := cmp.Diff(want, contents(t, sink)); d != "" {
		t.Errorf("splits (-want +got):\n%s", d)
	}
}

// TestResumeAfterOutlierIsExact: crashing after any split of a stream with
// packets out of the clock and resuming from its ledger entry (position
// from that entry, clock from the last split that is not an outlier, as
// pcap_split --resume does) publishes what an uninterrupted run does.
func TestResumeAfterOutlierIsExact(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	o := Options{Time: 2e9, Name: TstrHHMMSSNS, CheckpointEvery: 2e9, Now: func() time.Time { return time.Unix(0, 1621849860e9+3600e9) }}
	var recs []pcapio.Record
	for _, r := range stream(rng, 400, o.CheckpointEvery) {
		recs = append(recs, r)
		if !r.IsTick() && rng.Intn(40) == 0 {
			off := []int64{year, -year, 30 * 24 * 3600e9}[rng.Intn(3)]
			recs = append(recs, pcapio.Record{Time: r.Time + off, OrigLen: 60, Data: []byte("out of the clock " + string(r.Data))})
		}
	}
	outliers := 0
	for _, info := range checkResumes(t, o, recs) {
		if info.Outlier {
			outliers++
		}
	}
	if outliers < 5 {
		t.Fatalf("only %d outlier splits", outliers)
	}
}
