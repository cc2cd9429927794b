package capture

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strconv"
	"testing"

	"github.com/pcappush/pcappush/internal/testutil"
	"github.com/pcappush/pcappush/lib/pcapio"
)

// addChunkSeeds adds the corpus captures and a few built ones.
func addChunkSeeds(f *testing.F) {
	for _, p := range testutil.CorpusFiles(f) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) < 1<<20 {
			f.Add(b)
		}
	}
	f.Add(pcapFile(usBE, 1, pkts(t0, 1e6, 5, "s")...))
	f.Add(ngFile(1, pkts(t0, 1e6, 5, "n")...))
}

// FuzzChunk: a chunk of any bytes read by stream_cat's readers gives
// exactly the packets pcapio's Reader gives, and fails where it fails.
func FuzzChunk(f *testing.F) {
	addChunkSeeds(f)
	buf := make([]byte, readBufSize)
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		err := catBytes(in, &out, buf)
		want, werr := pcapioRecords(in)
		var got []rec
		if out.Len() > 0 {
			got, _ = pcapioRecords(out.Bytes())
		}
		if (err == nil) != (werr == nil) {
			t.Fatalf("stream_cat error %v; pcapio error %v", err, werr)
		}
		sameRecs(t, "stream_cat against pcapio", got, want)
	})
}

// catBytes reads a complete chunk held in memory as Cat does.
func catBytes(in []byte, w io.Writer, buf []byte) error {
	o := newOutput(w, 0, nil)
	s := newSink(o, 0, 0)
	cf := &ChunkFile{Reader: bytes.NewReader(in), Comp: Gzip} // not a file: read it as a stream
	var r chunkReader = newPCAPChunk(cf, "c.pcap", buf, 0)
	if bytes.HasPrefix(in, []byte{0x0a, 0x0d, 0x0d, 0x0a}) {
		r = newNGChunk(cf, "c.pcap", 0)
	}
	r.setFinal()
	err := r.run(s)
	if err == nil && r.pending() > 0 {
		err = r.truncated()
	}
	return firstErr(o.flush(), err)
}

// pcapioRecords reads b with pcapio: the records before any error.
func pcapioRecords(b []byte) ([]rec, error) {
	r, err := pcapio.NewReader(bytes.NewReader(b), "c.pcap")
	if err != nil {
		if len(b) == 0 {
			return nil, nil // an empty chunk holds nothing
		}
		return nil, err
	}
	var out []rec
	for {
		x, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, rec{T: x.Time, Data: strconv.Itoa(int(x.OrigLen)) + ":" + string(x.Data)})
	}
}

// FuzzTail: finding the first and last packet of any bytes never panics,
// and the last packet of a chunk pcapio reads whole is at or after its
// first.
func FuzzTail(f *testing.F) {
	addChunkSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		first, okFirst := firstTime(bytes.NewReader(in))
		last, okLast := tailTime(bytes.NewReader(in), int64(len(in)))
		if recs, err := pcapioRecords(in); err == nil && len(recs) > 0 {
			if !okFirst || first != recs[0].T || !okLast {
				t.Fatalf("first %d (%v), last %d (%v); pcapio reads %d packets from %d", first, okFirst, last, okLast, len(recs), recs[0].T)
			}
		}
	})
}
