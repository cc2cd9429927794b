package pcapio

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pcappush/pcappush/internal/testutil"
)

// corpusFaults lists the corpus files a Reader refuses, with the error and
// how many packets come first. libpcap truncates records longer than the
// snapshot length and accepts a microsecond fraction of 1000000; pcappush
// reports both, as it does a pcapng interface of another link type.
var corpusFaults = map[string]struct {
	want error
	read int
}{
	"be_test006.pcapng":                       {ErrLinkType, 1},
	"le_test202.pcapng":                       {ErrLinkType, 2},
	"erspan-type-ii-3.truncated.pcap":         {ErrTruncated, 50},
	"pcapng-multi-interface.truncated.pcapng": {ErrTruncated, 4},
	"icmp-icmp_print-oobr-2.pcap":             {ErrCapLen, 0},
	"trunc-hdr.pcap":                          {ErrCapLen, 0},
	"vrrp-vrrp_print-oobr-2.pcap":             {ErrCapLen, 0},
	"timestamp_invalid_micro.pcap":            {ErrTimestamp, 1},
	"linktype-reserved-field-not-zero.pcap":   {ErrLinkType, -1},
	"pcap-invalid-version-1.pcap":             {ErrVersion, -1},
	"pcapng-invalid-vers-1.pcapng":            {ErrVersion, -1},
	"shb-option-too-long.pcapng":              {ErrBadBlock, -1},
}

func readFile(t *testing.T, path string) ([]got, *Reader, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewReader(f, filepath.Base(path))
	if err != nil {
		return nil, nil, err
	}
	recs, err := readAll(t, r)
	return recs, r, err
}

// TestCorpusAgainstTshark compares every record's time and lengths with
// what tshark, which does not use libpcap to read files, decodes.
func TestCorpusAgainstTshark(t *testing.T) {
	tshark := testutil.Need(t, "tshark")
	for _, path := range testutil.CorpusFiles(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			recs, r, err := readFile(t, path)
			if fault, ok := corpusFaults[name]; ok {
				if !errors.Is(err, fault.want) || (r != nil) != (fault.read >= 0) || (r != nil && len(recs) != fault.read) {
					t.Fatalf("read %d records then %v; want %d then %v", len(recs), err, fault.read, fault.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(tshark, "-r", path, "-T", "fields", "-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.cap_len").Output()
			if err != nil {
				t.Fatalf("tshark: %v", err)
			}
			var want, have []string
			for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				if l != "" {
					want = append(want, l)
				}
			}
			for _, g := range recs {
				have = append(have, fmt.Sprintf("%d.%09d\t%d\t%d", g.Time/1e9, g.Time%1e9, g.OrigLen, len(g.Data)))
			}
			if d := cmp.Diff(want, have); d != "" {
				t.Errorf("records differ from tshark (-tshark +ours):\n%s", d)
			}
		})
	}
}

// TestCorpusAgainstTcpdump checks every byte: the records read from a
// corpus file equal those of tcpdump's nanosecond rewrite of it.
func TestCorpusAgainstTcpdump(t *testing.T) {
	tcpdump := testutil.Need(t, "tcpdump")
	for _, path := range testutil.CorpusFiles(t) {
		name := filepath.Base(path)
		if _, bad := corpusFaults[name]; bad || name == "be_test005.pcapng" {
			continue // tcpdump cannot read be_test005 (two snapshot lengths)
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "out.pcap")
			if b, err := exec.Command(tcpdump, "--time-stamp-precision", "nano", "-r", path, "-w", out).CombinedOutput(); err != nil {
				t.Fatalf("tcpdump: %v\n%s", err, b)
			}
			want, wr, err := readFile(t, out)
			if err != nil {
				t.Fatal(err)
			}
			recs, r, err := readFile(t, path)
			if err != nil {
				t.Fatal(err)
			}
			if r.LinkType() != wr.LinkType() {
				t.Errorf("link type %d; tcpdump wrote %d", r.LinkType(), wr.LinkType())
			}
			if d := cmp.Diff(want, recs); d != "" {
				t.Errorf("records differ from tcpdump's (-tcpdump +ours):\n%s", d)
			}
		})
	}
}

// TestWriterRoundTrip writes every corpus file with a Writer and checks
// that tcpdump reads back the same packets, and that so does a Reader.
func TestWriterRoundTrip(t *testing.T) {
	tcpdump := testutil.Need(t, "tcpdump")
	path := testutil.Corpus(t, "pcapng-multi-interface.pcapng")
	recs, r, err := readFile(t, path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := NewWriter(&buf, r.LinkType(), r.Snaplen())
	if err := w.WriteHeader(); err != nil {
		t.Fatal(err)
	}
	for _, g := range recs {
		if err := w.WritePacket(g.Time, g.OrigLen, []byte(g.Data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "rt.pcap")
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	back, _, err := readFile(t, out)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(recs, back); d != "" {
		t.Errorf("round trip (-in +out):\n%s", d)
	}
	ours, err := exec.Command(tcpdump, "-tt", "--time-stamp-precision", "nano", "-nr", out).Output()
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := exec.Command(tcpdump, "-tt", "--time-stamp-precision", "nano", "-nr", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	if string(ours) != string(theirs) {
		t.Errorf("tcpdump decodes our copy differently:\nours:\n%s\ntheirs:\n%s", ours, theirs)
	}
	if bytes.Count(ours, []byte("\n")) != len(recs) || !bytes.HasPrefix(buf.Bytes(), []byte{0x4d, 0x3c, 0xb2, 0xa1}) {
		t.Errorf("want %d lines and a nanosecond little-endian magic", len(recs))
	}
}

func TestWriterRejectsUnencodableTimes(t *testing.T) {
	w := NewWriter(new(bytes.Buffer), 1, 0)
	for _, ts := range []int64{-1, (1 << 32) * 1e9} {
		if err := w.WritePacket(ts, 1, []byte{1}); !errors.Is(err, ErrTimestamp) {
			t.Errorf("WritePacket(%d) = %v; want ErrTimestamp", ts, err)
		}
	}
	if w.Snaplen() != DefaultSnaplen {
		t.Errorf("snaplen %d; want %d for zero", w.Snaplen(), DefaultSnaplen)
	}
}
