// Package pcaptest reads packet streams back in tests: every record of a
// pcap or pcapng stream, copied, to compare with what a tool wrote. (It is
// apart from internal/testutil, which lib/pcapio's own tests import.)
//
//	want := pcaptest.Parse(t, "tcpdump", tcpdumpOutput)
package pcaptest

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/pcappush/pcappush/lib/pcapio"
)

// Rec is a packet record, copied.
type Rec struct {
	Time    int64
	OrigLen uint32
	Data    string
}

// Parse reads every record of a pcap or pcapng stream named name, failing
// the test on a malformed one.
func Parse(t testing.TB, name string, b []byte) []Rec {
	t.Helper()
	r, err := pcapio.NewReader(bytes.NewReader(b), name)
	if err != nil {
		t.Fatal(err)
	}
	var out []Rec
	for {
		x, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, Rec{x.Time, x.OrigLen, string(x.Data)})
	}
}
