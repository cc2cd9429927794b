package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"github.com/pcappush/pcappush/lib/pcapio"
)

func init() { suites["cat"] = benchCat }

// catChunks is the number of chunks the 1 GB capture is cut into.
const catChunks = 100

// benchCat: stream_cat of a stored 1 GB capture in ~100 chunks into a
// pipe, against cat of the same chunks into the same pipe; then the
// latency of following a live writer.
func benchCat(e *env) error {
	dir, size, err := e.chunkedCapture()
	if err != nil {
		return err
	}
	if err := e.compare(comparison{
		title: "stream_cat CAPTURE | cat (1 GB in 100 chunks)",
		ours:  job{name: "stream_cat CAPTURE | cat > /dev/null", bytes: size, shell: "$BIN/stream_cat " + dir + " | cat > /dev/null"},
		peers: []job{{name: "cat CHUNKS... | cat > /dev/null", bytes: size, shell: "cat " + dir + "/*.pcap | cat > /dev/null", target: 2}},
		note:  "Both read the same chunk files from the page cache; stream_cat also validates every record, and moves runs of records into the pipe with splice(2) instead of writing them.",
	}); err != nil {
		return err
	}
	return e.followLatency()
}

// chunkedCapture cuts the shared 1 GB capture into chunk files once, in the
// data folder, and returns the folder and the chunks' total size.
func (e *env) chunkedCapture() (string, int64, error) {
	in, _, err := e.bigCapture()
	if err != nil {
		return "", 0, err
	}
	dir := filepath.Join(e.data, "cat-1g-chunks")
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(e.out, "cutting %s into %d chunks in %s\n", in, catChunks, dir)
		if err := cutCapture(in, dir+".tmp", catChunks); err != nil {
			return "", 0, err
		}
		if err := os.Rename(dir+".tmp", dir); err != nil {
			return "", 0, err
		}
	}
	var size int64
	es, err := os.ReadDir(dir)
	for _, f := range es {
		if st, err := f.Info(); err == nil {
			size += st.Size()
		}
	}
	return dir, size, err
}

// cutCapture writes in as n chunk files of about equal size, named as
// dumpcap names its ring buffer files.
func cutCapture(in, dir string, n int) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	r, err := pcapio.NewReader(f, in)
	if err != nil {
		return err
	}
	per := st.Size() / int64(n)
	var out *os.File
	var w *pcapio.Writer
	var written int64
	for i := 0; ; {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if w == nil || written >= per {
			if err := closeChunk(out, w); err != nil {
				return err
			}
			i++
			if out, err = os.Create(filepath.Join(dir, fmt.Sprintf("chunk_%05d_20210524095030.pcap", i))); err != nil {
				return err
			}
			w = pcapio.NewWriter(out, r.LinkType(), r.Snaplen())
			if err := w.WriteHeader(); err != nil {
				return err
			}
			written = 0
		}
		if err := w.WriteRecord(rec); err != nil {
			return err
		}
		written += int64(pcapio.RecordHeaderLen + len(rec.Data))
	}
	return closeChunk(out, w)
}

func closeChunk(f *os.File, w *pcapio.Writer) error {
	if f == nil {
		return nil
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// followLatency runs stream_cat --follow on a capture that a writer in
// this process fills at 2,000 packets a second, rotating every second,
// and prints how long packets took from their write to stream_cat's
// output.
func (e *env) followLatency() error {
	store := filepath.Join(e.work, "store")
	dir := filepath.Join(store, "live")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cmd := exec.Command(filepath.Join(e.bin, "stream_cat"), "--store", store, "--follow", "--no-ticks", "live")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	arrived := make(chan []int64, 1)
	go func() { arrived <- readArrivals(stdout) }()
	sent, err := writeLive(dir, 5, 2000)
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, ".complete"), nil, 0o644)
	}
	lat := latencies(sent, <-arrived)
	if werr := cmd.Wait(); err == nil {
		err = werr
	}
	if err != nil {
		return err
	}
	if len(lat) == 0 {
		return errors.New("follow: no packets came out")
	}
	fmt.Fprintf(e.out, "\n== stream_cat --follow latency (write of a packet to stream_cat's output; %d packets, 2,000/s, chunks rotated every second)\n", len(lat))
	fmt.Fprintf(e.out, "  median %v  p99 %v  max %v  (target: under 1 s)\n", lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1])
	return nil
}

// writeLive writes rate packets a second for secs seconds, each stamped
// with its time of writing and written on its own, one chunk a second. It
// returns, per packet, when its write completed.
func writeLive(dir string, secs, rate int) ([]int64, error) {
	var sent []int64
	payload := make([]byte, 200)
	var f *os.File
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	for s := 0; s < secs; s++ {
		if f != nil {
			f.Close()
		}
		var err error
		if f, err = os.Create(filepath.Join(dir, fmt.Sprintf("live.pcap%d", s))); err != nil {
			return nil, err
		}
		var h [pcapio.HeaderLen]byte
		pcapio.PutHeader(h[:], pcapio.LinkTypeEthernet, 0)
		if _, err := f.Write(h[:]); err != nil {
			return nil, err
		}
		for i := 0; i < rate; i++ {
			rec := make([]byte, pcapio.RecordHeaderLen+len(payload))
			ts := time.Now().UnixNano()
			if err := pcapio.PutRecordHeader(rec, ts, uint32(len(payload)), uint32(len(payload))); err != nil {
				return nil, err
			}
			if _, err := f.Write(rec); err != nil {
				return nil, err
			}
			sent = append(sent, time.Now().UnixNano())
			time.Sleep(time.Second / time.Duration(rate))
		}
	}
	return sent, nil
}

// readArrivals returns when each packet of the stream arrived.
func readArrivals(r io.Reader) []int64 {
	br := bufio.NewReaderSize(r, 1<<20)
	var out []int64
	if _, err := io.ReadFull(br, make([]byte, pcapio.HeaderLen)); err != nil {
		return nil
	}
	h := make([]byte, pcapio.RecordHeaderLen)
	for {
		if _, err := io.ReadFull(br, h); err != nil {
			return out
		}
		if _, err := br.Discard(int(binary.LittleEndian.Uint32(h[8:]))); err != nil {
			return out
		}
		out = append(out, time.Now().UnixNano())
	}
}

// latencies pairs writes and arrivals in order and sorts the differences.
func latencies(sent, arrived []int64) []time.Duration {
	n := min(len(sent), len(arrived))
	out := make([]time.Duration, n)
	for i := 0; i < n; i++ {
		out[i] = time.Duration(max(0, arrived[i]-sent[i]))
	}
	slices.Sort(out)
	return out
}
