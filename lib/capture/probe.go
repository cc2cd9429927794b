package capture

import (
	"bufio"
	"io"

	"github.com/pcappush/pcappush/lib/pcapio"
)

// FirstTime returns the time of a chunk's first packet, reading as little
// of it as it can; ok is false when the chunk holds no complete packet.
func FirstTime(path string) (t int64, ok bool, err error) {
	cf, err := OpenFile(path)
	if err != nil {
		return 0, false, err
	}
	defer cf.Close() //nolint:errcheck // read-only
	t, ok = firstTime(cf.Reader)
	return t, ok, nil
}

// firstTime reads the first packet's time from a chunk's data.
func firstTime(r io.Reader) (int64, bool) {
	br := bufio.NewReaderSize(r, 4096)
	h, err := br.Peek(pcapio.HeaderLen + pcapio.RecordHeaderLen)
	if f, herr := pcapio.ParseClassicHeader(h); herr == nil {
		if err != nil {
			return 0, false
		}
		t, _, _, valid := f.Record(h[pcapio.HeaderLen:])
		return t, valid
	}
	rd, err := pcapio.NewReader(br, "chunk")
	if err != nil {
		return 0, false
	}
	rec, err := rd.Next()
	if err != nil {
		return 0, false
	}
	return rec.Time, true
}
