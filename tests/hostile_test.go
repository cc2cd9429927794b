package tests

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
)

var le = binary.LittleEndian

// classicHdr is a microsecond pcap header with the given snaplen.
func classicHdr(snaplen uint32) []byte {
	b := make([]byte, 24)
	le.PutUint32(b, 0xa1b2c3d4)
	le.PutUint16(b[4:], 2)
	le.PutUint16(b[6:], 4)
	le.PutUint32(b[16:], snaplen)
	le.PutUint32(b[20:], 1)
	return b
}

func recHdr(sec, frac, capLen, origLen uint32) []byte {
	b := make([]byte, 16)
	le.PutUint32(b, sec)
	le.PutUint32(b[4:], frac)
	le.PutUint32(b[8:], capLen)
	le.PutUint32(b[12:], origLen)
	return b
}

// ngBlock is a little-endian pcapng block.
func ngBlock(typ uint32, body []byte) []byte {
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	b := make([]byte, 8, 12+len(body))
	le.PutUint32(b, typ)
	le.PutUint32(b[4:], uint32(12+len(body)))
	b = append(b, body...)
	return le.AppendUint32(b, uint32(12+len(body)))
}

func shb() []byte {
	body := make([]byte, 16)
	le.PutUint32(body, 0x1a2b3c4d)
	le.PutUint16(body[4:], 1)
	le.PutUint64(body[8:], ^uint64(0))
	return ngBlock(0x0a0d0d0a, body)
}

func idb(opts ...byte) []byte {
	body := make([]byte, 8)
	le.PutUint16(body, 1)
	return ngBlock(1, append(body, opts...))
}

func epb(tsHi, tsLo uint32, data []byte) []byte {
	body := make([]byte, 20)
	le.PutUint32(body[4:], tsHi)
	le.PutUint32(body[8:], tsLo)
	le.PutUint32(body[12:], uint32(len(data)))
	le.PutUint32(body[16:], uint32(len(data)))
	return ngBlock(6, append(body, data...))
}

// hostileInputs are crafted files each tool must refuse clearly: exit 1,
// a message naming the input and where, bounded memory, no hang.
func hostileInputs() map[string]struct {
	data []byte
	msg  string
} {
	pkt := bytes.Repeat([]byte{0xab}, 64)
	good := append(recHdr(1621849860, 0, 64, 64), pkt...)
	join := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	manyIDB := make([]byte, 0, 20*1_000_000+64)
	manyIDB = append(manyIDB, shb()...)
	one := idb()
	for i := 0; i < 1_000_000; i++ {
		manyIDB = append(manyIDB, one...)
	}
	shortOrig := epb(0, 1, pkt)
	le.PutUint32(shortOrig[24:], 10)
	hugeBlock := join(shb(), idb(), []byte{6, 0, 0, 0, 0xfc, 0xff, 0xff, 0x7f}, make([]byte, 100))
	return map[string]struct {
		data []byte
		msg  string
	}{
		"caplen over snaplen":      {join(classicHdr(64), good, recHdr(1621849861, 0, 65, 65), pkt, []byte{1}), "packet 2 at byte 104: captured length 65 exceeds the snapshot length 64"},
		"caplen 0xFFFFFFFF":        {join(classicHdr(0), good, recHdr(1621849861, 0, 0xffffffff, 60)), "packet 2 at byte 104: captured length 4294967295 exceeds the 262144-byte maximum"},
		"overflowing fraction":     {join(classicHdr(0), good, recHdr(1621849861, 1000000, 64, 64), pkt), "packet 2 at byte 104: fraction of a second 1000000"},
		"origlen below caplen":     {join(classicHdr(0), good, recHdr(1621849861, 0, 64, 63), pkt), "packet 2 at byte 104: original length 63 is smaller than the captured length 64"},
		"origlen 0xFFFFFFFF":       {join(classicHdr(0), good, recHdr(1621849861, 0, 64, 0xffffffff), pkt), "packet 2 at byte 104: original length 4294967295 exceeds the 16777216-byte maximum"},
		"pcapng origlen short":     {join(shb(), idb(), epb(0, 1, pkt), shortOrig), "packet 2 at byte 144: original length 10 is smaller than the captured length 64"},
		"pcapng time overflow":     {join(shb(), idb(9, 0, 1, 0, 0, 0, 0, 0), epb(0x7fffffff, 0, pkt)), "packet 1 at byte 56: timestamp 9223372032559808512 in units of interface 0: timestamp out of range"},
		"pcapng negative offset":   {join(shb(), idb(14, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0x80), epb(0, 1, pkt)), "interface time offset"},
		"pcapng block length 0":    {join(shb(), idb(), []byte{6, 0, 0, 0, 0, 0, 0, 0}), "has length 0"},
		"pcapng huge block length": {hugeBlock, "block type 0x6 has length 2147483644"},
		"pcapng 10^6 interfaces":   {manyIDB, "more than 65536 interfaces"},
	}
}

// runBounded runs a tool on input with a deadline and reports its peak RSS.
func runBounded(t *testing.T, input []byte, tool string, args ...string) (code int, stderr string, rssMB float64, took time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// GNU time reports the tool's own peak RSS: a child's rusage would
	// include the moment it was forked from this (large) test process.
	rssFile := filepath.Join(t.TempDir(), "rss")
	cmd := exec.CommandContext(ctx, testutil.Need(t, "time"), append([]string{"-f", "%M", "-o", rssFile, tool}, args...)...)
	cmd.Stdin = bytes.NewReader(input)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	begin := time.Now()
	err := cmd.Run()
	took = time.Since(begin)
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("%s: %v", tool, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("%s hung on hostile input", tool)
	}
	b, _ := os.ReadFile(rssFile)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	kb, err := strconv.ParseFloat(lines[len(lines)-1], 64)
	if err != nil {
		t.Fatalf("peak RSS of %s: %q", tool, b)
	}
	return cmd.ProcessState.ExitCode(), errb.String(), kb / 1024, took
}

func TestHostileInputs(t *testing.T) {
	dir := t.TempDir()
	for name, in := range hostileInputs() {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".pcap")
			if err := os.WriteFile(file, in.data, 0o644); err != nil {
				t.Fatal(err)
			}
			out := t.TempDir()
			for _, c := range []struct {
				tool  string
				args  []string
				stdin bool
				input string
			}{
				{"pcap_split", []string{"-o", out + "/", "--split-time", "60e9", "--filename-epoch-sec"}, true, "stdin"},
				{"pcap_filter", []string{"tcp"}, true, "stdin"},
				{"pcap_decap", nil, true, "stdin"},
				{"stream_cat", []string{file}, false, filepath.Base(file)},
			} {
				var input []byte
				if c.stdin {
					input = in.data
				}
				code, stderr, rss, took := runBounded(t, input, testutil.Tool(t, c.tool), c.args...)
				if code != 1 || !strings.Contains(stderr, c.tool+": ") || !strings.Contains(stderr, c.input) || !strings.Contains(stderr, in.msg) {
					t.Errorf("%s: exit %d, stderr %q; want exit 1 naming %s and %q", c.tool, code, stderr, c.input, in.msg)
				}
				if rss > 150 || took > 10*time.Second {
					t.Errorf("%s: peak RSS %.0f MB, %v; want bounded memory and time", c.tool, rss, took)
				}
			}
			noPending(t, out)
		})
	}
}
