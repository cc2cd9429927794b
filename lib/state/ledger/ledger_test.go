package ledger

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pcappush/pcappush/internal/testutil"
)

func TestAppendReadLast(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sub", "ledger")
	if _, ok, err := Last(p); ok || err != nil {
		t.Fatalf("Last of a missing ledger = %v, %v", ok, err)
	}
	l, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	a := Entry{Name: "/x/1.pcap", Start: 1, End: 2, First: 1, Last: 1, Packets: 3, Bytes: 100, Ckpt: 1, Skip: 3, HasCkpt: true}
	b := Entry{Name: "/x/with space\n.pcap", Start: 2, End: 3, Packets: 1}
	for _, e := range []Entry{a, b} {
		if err := l.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	es, err := Read(p)
	if err != nil || !cmp.Equal(es, []Entry{a, b}) {
		t.Fatalf("Read = %v, %v", es, err)
	}
	// A crash while appending leaves a torn line: it is ignored.
	f, _ := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	f.Write([]byte(`{"name":"/x/3.pc`))
	f.Close()
	last, ok, err := Last(p)
	if err != nil || !ok || last.Name != b.Name {
		t.Fatalf("Last after a torn line = %v, %v, %v", last, ok, err)
	}
	// The next writer cuts the torn line off before appending: the new
	// entry never joins it.
	c := Entry{Name: "/x/3.pcap", Existed: true}
	l, err = Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append(c); err != nil {
		t.Fatal(err)
	}
	l.Close()
	if es, err := Read(p); err != nil || !cmp.Equal(es, []Entry{a, b, c}) {
		t.Fatalf("Read after a torn line and an append = %v, %v", es, err)
	}
	// A bad line in the middle is an error.
	os.WriteFile(p, []byte("{\"name\":\"a\"}\ngarbage\n{\"name\":\"b\"}\n"), 0o640)
	if _, err := Read(p); err == nil {
		t.Error("Read of a corrupt ledger succeeded")
	}
}

// TestEmptyAfterCut: a ledger a power cut emptied has no entries, and is
// written again.
func TestEmptyAfterCut(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ledger")
	os.WriteFile(p, nil, 0o640)
	if _, ok, err := Last(p); ok || err != nil {
		t.Fatalf("Last of an empty ledger = %v, %v", ok, err)
	}
	l, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	l.Append(Entry{Name: "a"})
	l.Close()
	if last, ok, err := Last(p); !ok || err != nil || last.Name != "a" {
		t.Fatalf("Last = %v, %v, %v", last, ok, err)
	}
}

// TestRefusesLink: a link planted at the ledger is refused, naming it,
// and its target is left alone.
func TestRefusesLink(t *testing.T) {
	v := testutil.PlantLink(t, filepath.Join(t.TempDir(), "x.ledger"))
	_, err := Open(v.Link)
	v.Refused("Open", fmt.Sprint(err))
	_, err = Read(v.Link)
	v.Refused("Read", fmt.Sprint(err))
}

func TestCompaction(t *testing.T) {
	defer func(m int64, k int) { MaxBytes, KeepOnCompact = m, k }(MaxBytes, KeepOnCompact)
	MaxBytes, KeepOnCompact = 2000, 5
	p := filepath.Join(t.TempDir(), "ledger")
	for round := 0; round < 3; round++ {
		l, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 30; i++ {
			if err := l.Append(Entry{Name: "split", Packets: int64(round*100 + i)}); err != nil {
				t.Fatal(err)
			}
		}
		l.Close()
	}
	es, err := Read(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 35 || es[len(es)-1].Packets != 229 || es[0].Packets != 125 {
		t.Errorf("%d entries from %d to %d; want 35, 125..229", len(es), es[0].Packets, es[len(es)-1].Packets)
	}
}

// TestCompactionKeepsTheClock: a compaction keeps the newest entry that is
// not an outlier, even when only outliers come after it.
func TestCompactionKeepsTheClock(t *testing.T) {
	defer func(m int64, k int) { MaxBytes, KeepOnCompact = m, k }(MaxBytes, KeepOnCompact)
	MaxBytes, KeepOnCompact = 2000, 5
	p := filepath.Join(t.TempDir(), "ledger")
	for round := 0; round < 2; round++ {
		l, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 30; i++ {
			if err := l.Append(Entry{Name: "split", End: int64(round*100 + i), Outlier: round == 1 || i > 0}); err != nil {
				t.Fatal(err)
			}
		}
		l.Close()
	}
	l, err := Open(p) // compacts
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	es, err := Read(p)
	if err != nil {
		t.Fatal(err)
	}
	clock, ok := Clock(es)
	if !ok || clock.End != 0 || len(es) != KeepOnCompact+1 {
		t.Errorf("after compaction: %d entries, clock %+v, %v; want %d and the entry of end 0", len(es), clock, ok, KeepOnCompact+1)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("{\"name\":\"a\",\"ckpt\":5,\"has_ckpt\":true}\n{\"name\":\"b\"}\n"))
	f.Add([]byte("{\"name\":\"a\"}\n{\"na"))
	f.Add([]byte("\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := parse("fuzz", b)
		if err == nil {
			for _, e := range es {
				if e.Name == "" {
					t.Fatalf("entry without a name from %q", b)
				}
			}
		}
	})
}
