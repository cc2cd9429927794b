package bpf

import (
	"sync"
	"testing"
)

// fuzzPrograms are every valid expression compiled for the link types of
// the corpus, with libpcap's copy of each, built once per test binary.
var fuzzPrograms struct {
	once sync.Once
	ours []*Program
	ref  []*cProgram
}

func loadFuzzPrograms(t testing.TB) {
	fuzzPrograms.once.Do(func() {
		for _, lt := range []uint32{LinkTypeEthernet, 113, 276, 101, 0} {
			for _, expr := range validFilters(t) {
				if p, err := Compile(expr, lt, 0); err == nil {
					fuzzPrograms.ours = append(fuzzPrograms.ours, p)
					fuzzPrograms.ref = append(fuzzPrograms.ref, newCProgram(p.raw))
				}
			}
		}
	})
	if len(fuzzPrograms.ours) < 4000 {
		t.Fatalf("only %d programs", len(fuzzPrograms.ours))
	}
}

// FuzzRun: random packets × the programs libpcap compiles from the valid
// filter list; our executor and pcap_offline_filter must agree. Seeds are
// the corpus's packets.
func FuzzRun(f *testing.F) {
	loadFuzzPrograms(f)
	for i, c := range corpusCaptures(f) {
		for j, pk := range c.packets {
			if j < 8 {
				f.Add(uint16(i*131+j*17), pk.data, pk.wireLen)
			}
		}
	}
	f.Fuzz(func(t *testing.T, pick uint16, data []byte, wireLen uint32) {
		n := len(fuzzPrograms.ours)
		// Each input runs a few programs, so the fuzzer finds both new
		// packets and new programs.
		for i := 0; i < 8; i++ {
			k := (int(pick) + i*(n/8+1)) % n
			p, c := fuzzPrograms.ours[k], fuzzPrograms.ref[k]
			if got, want := p.Run(data, wireLen), c.run(data, wireLen); got != want {
				t.Fatalf("%q (link type %d) on % x, len %d: Run = %d; pcap_offline_filter = %d",
					p.Expr(), p.LinkType(), data, wireLen, got, want)
			}
		}
	})
}
