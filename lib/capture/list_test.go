package capture

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestLastTime: the last packet of large and small chunks in every format,
// complete or with a record being written at the end.
func TestLastTime(t *testing.T) {
	p := pkts(t0, 1e6, 20000, "L") // about 420 kB of data: larger than the tail window with 100 bytes added
	for i := range p {
		p[i].data += strings.Repeat("\x00", 60)
	}
	last := p[len(p)-1].t
	tests := []struct {
		name   string
		b      []byte
		cut    int // bytes cut from the end
		want   int64
		approx bool
		limit  int64 // maxInflate
	}{
		{"pcap ns", pcapFile(nsLE, 1, p...), 0, last, false, 0},
		{"pcap us BE", pcapFile(usBE, 1, p...), 0, last, false, 0},
		{"pcap cut", pcapFile(nsLE, 1, p...), 10, p[len(p)-2].t, false, 0},
		{"pcap cut header", pcapFile(usLE, 1, p...), 80, p[len(p)-2].t, false, 0},
		{"pcapng", ngFile(1, p...), 0, last, false, 0},
		{"pcapng cut", ngFile(1, p...), 7, p[len(p)-2].t, false, 0},
		{"small", pcapFile(nsLE, 1, p[:10]...), 0, p[9].t, false, 0},
		{"gzip", compress(t, Gzip, pcapFile(nsLE, 1, p...)), 0, last, false, 32 << 20},
		{"zstd large", compress(t, Zstd, ngFile(1, p...)), 0, p[0].t, true, 1000},
	}
	old := maxInflate
	defer func() { maxInflate = old }()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			maxInflate = old
			if tc.limit != 0 {
				maxInflate = tc.limit
			}
			path := writeFile(t, t.TempDir(), "c", tc.b[:len(tc.b)-tc.cut])
			got, ok, approx, err := LastTime(path)
			if err != nil || !ok || got != tc.want || approx != tc.approx {
				t.Errorf("LastTime = %d, %v, approx %v, %v; want %d, approx %v", got, ok, approx, err, tc.want, tc.approx)
			}
		})
	}
}

// TestList: the --list table, activity by marker and by modification time.
func TestList(t *testing.T) {
	store := t.TempDir()
	now := time.Now()
	mk := func(name string, age time.Duration, marker bool, chunks ...[]byte) {
		dir := filepath.Join(store, name)
		os.Mkdir(dir, 0o755)
		for i, b := range chunks {
			p := writeFile(t, dir, fmt.Sprintf("c%d.pcap", i), b)
			os.Chtimes(p, now.Add(-age), now.Add(-age))
		}
		if marker {
			writeFile(t, dir, CompleteMarker, nil)
		}
	}
	a, b := pcapFile(nsLE, 1, pkts(t0, 1e6, 100, "a")...), pcapFile(nsLE, 1, pkts(t0+3600e9, 1e6, 100, "b")...)
	mk("capture10", time.Second, false, a, b)
	mk("capture2", time.Second, true, a)
	mk("capture3", time.Hour, false, b, pcapFile(nsLE, 1))
	mk("empty", time.Hour, false)
	writeFile(t, store, "stray.pcap", a)
	infos, err := Store{Dir: store}.List(DefaultActiveWindow, now)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := WriteList(&out, infos); err != nil {
		t.Fatal(err)
	}
	sz, sz2 := len(a)+len(b), len(b)+24
	want := fmt.Sprintf(`CAPTURE    CHUNKS  BYTES  FIRST                     LAST                      ACTIVE
capture2        1  %5d  2021-05-24T09:51:00.000Z  2021-05-24T09:51:00.099Z  no
capture3        2  %5d  2021-05-24T10:51:00.000Z  2021-05-24T10:51:00.099Z  no
capture10       2  %5d  2021-05-24T09:51:00.000Z  2021-05-24T10:51:00.099Z  yes
empty           0      0  -                         -                         no
`, len(a), sz2, sz)
	if out.String() != want {
		t.Errorf("list:\n%s\nwant:\n%s", out.String(), want)
	}
}

// TestListScale: listing a capture of 10,000 chunks takes well under a
// second per thousand chunks.
func TestListScale(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 10,000 files")
	}
	store := t.TempDir()
	dir := filepath.Join(store, "big")
	os.Mkdir(dir, 0o755)
	for i := 0; i < 10000; i++ {
		writeFile(t, dir, fmt.Sprintf("cap_%05d.pcap", i), pcapFile(nsLE, 1, pkts(t0+int64(i)*1e9, 1e6, 3, "s")...))
	}
	start := time.Now()
	infos, err := Store{Dir: store}.List(DefaultActiveWindow, time.Now())
	el := time.Since(start)
	if err != nil || len(infos) != 1 || infos[0].Chunks != 10000 || infos[0].Last != t0+9999e9+2e6 {
		t.Fatalf("List = %+v, %v", infos, err)
	}
	if el > 2*time.Second {
		t.Errorf("listing 10,000 chunks took %v; want well under 10 s", el)
	}
	t.Logf("listed 10,000 chunks in %v", el)
	if !regexp.MustCompile(`^2021-`).MatchString(FormatTime(infos[0].First)) {
		t.Errorf("first %d", infos[0].First)
	}
}
