package split

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pcappush/pcappush/lib/pcapio"
)

// recs returns n records 1 s apart from t0, each with its own bytes.
func recs(n int) []pcapio.Record {
	out := make([]pcapio.Record, n)
	for i := range out {
		out[i] = pcapio.Record{Time: 1621849860e9 + int64(i)*1e9, OrigLen: 60, Data: bytes.Repeat([]byte{byte(i + 1)}, 60)}
	}
	return out
}

func TestPrefixOf(t *testing.T) {
	all := recs(5)
	full := classicBytes(all...)
	rec := int64(pcapio.RecordHeaderLen + 60)
	gz := func(b []byte) []byte {
		var out bytes.Buffer
		w := gzip.NewWriter(&out)
		w.Write(b)
		w.Close()
		return out.Bytes()
	}
	for _, tc := range []struct {
		name string
		old  []byte
		want Prefix
		ok   bool
	}{
		{"the first two", classicBytes(all[:2]...), Prefix{Packets: 2, Bytes: 2 * rec, Next: all[2].Time}, true},
		{"the header alone", classicBytes(), Prefix{Next: all[0].Time}, true},
		{"all of them", full, Prefix{}, false},
		{"other packets", classicBytes(all[1:3]...), Prefix{}, false},
		{"cut in a record", full[:len(full)-10], Prefix{}, false},
		{"more than ours", classicBytes(append(recs(5), pcapio.Record{Time: 1, Data: []byte{1}})...), Prefix{}, false},
		{"compressed", gz(classicBytes(all[:2]...)), Prefix{}, false},
		{"garbage", []byte("not a pcap"), Prefix{}, false},
	} {
		got, ok, err := PrefixOf(bytes.NewReader(tc.old), bytes.NewReader(full))
		if err != nil || ok != tc.ok || got != tc.want {
			t.Errorf("%s: PrefixOf = %+v, %v, %v; want %+v, %v", tc.name, got, ok, err, tc.want, tc.ok)
		}
	}
}

// TestFileSinkPublishesTheRest: a split built again whole after the
// state of a run that published it cut short was lost: the names holding
// its first packets byte for byte are left as they are, and only the rest
// is published, under the next name; when the rest is there too, nothing
// is written.
func TestFileSinkPublishesTheRest(t *testing.T) {
	all := recs(5)
	rec := int64(pcapio.RecordHeaderLen + 60)
	dir := t.TempDir()
	base := filepath.Join(dir, "a")
	write := func(name string, rs ...pcapio.Record) {
		must(t, os.WriteFile(filepath.Join(dir, name), classicBytes(rs...), 0o640))
	}
	read := func(name string) []byte {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		return b
	}
	publish := func() Published {
		t.Helper()
		res, err := publishOne(t, FileSink{}, base, string(classicBytes(all...)))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	write("a.pcap", all[:2]...)
	res := publish()
	if want := (Published{Names: Names{Base: base, Dup: 2, Suffix: ".pcap"}, Prefix: Prefix{2, 2 * rec, all[2].Time}}); !cmp.Equal(res, want) {
		t.Fatalf("one piece there: %+v; want %+v", res, want)
	}
	if !bytes.Equal(read("a_2.pcap"), classicBytes(all[2:]...)) || !bytes.Equal(read("a.pcap"), classicBytes(all[:2]...)) {
		t.Fatal("a_2.pcap does not hold the rest, or a.pcap changed")
	}
	// Two pieces there (a stop, a resume, another stop): the rest goes on.
	must(t, os.Remove(filepath.Join(dir, "a_2.pcap")))
	write("a_2.pcap", all[2:4]...)
	res = publish()
	if res.Name() != base+"_3.pcap" || res.Prefix.Packets != 4 || res.Existed || !bytes.Equal(read("a_3.pcap"), classicBytes(all[4])) {
		t.Fatalf("two pieces there: %+v", res)
	}
	// Every piece there: nothing to write.
	res = publish()
	if !res.Existed || res.Name() != base+"_3.pcap" || res.Prefix.Packets != 4 {
		t.Fatalf("every piece there: %+v; want existed at a_3.pcap after 4 packets", res)
	}
	if got := listDir(t, dir); !cmp.Equal(got, []string{"a.pcap", "a_2.pcap", "a_3.pcap"}) {
		t.Errorf("folder holds %v", got)
	}
}

// FuzzPrefixOf: never panics, and what it calls a prefix is one: old's
// bytes begin ours, and ours holds more.
func FuzzPrefixOf(f *testing.F) {
	all := recs(3)
	f.Add(classicBytes(all[:1]...), classicBytes(all...))
	f.Add(classicBytes(all...), classicBytes(all...))
	f.Add([]byte("x"), classicBytes(all...))
	f.Fuzz(func(t *testing.T, old, ours []byte) {
		p, ok, err := PrefixOf(bytes.NewReader(old), bytes.NewReader(ours))
		if err != nil || !ok {
			return
		}
		if !bytes.HasPrefix(ours, old) || len(old) >= len(ours) || int64(len(old)) != pcapio.HeaderLen+p.Bytes {
			t.Fatalf("PrefixOf(%d bytes, %d bytes) = %+v: not a prefix", len(old), len(ours), p)
		}
	})
}
