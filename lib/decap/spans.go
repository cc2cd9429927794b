package decap

import (
	"bufio"
	"io"

	"github.com/pcappush/pcappush/lib/pcapio"
)

// spanWriter writes a list of byte slices as one stream, all of them
// before it returns (nothing is kept for later), and is an io.Writer.
type spanWriter interface {
	io.Writer
	writeSpans(spans [][]byte) error
}

// bufSpans copies spans through a buffer and flushes it after each list.
type bufSpans struct{ bw *bufio.Writer }

func newBufSpans(out io.Writer) *bufSpans {
	return &bufSpans{bw: bufio.NewWriterSize(out, pcapio.DefaultBufferSize)}
}

func (w *bufSpans) Write(p []byte) (int, error) {
	n, err := w.bw.Write(p)
	if err == nil {
		err = w.bw.Flush()
	}
	return n, err
}

func (w *bufSpans) writeSpans(spans [][]byte) error {
	for _, s := range spans {
		if _, err := w.bw.Write(s); err != nil {
			return err
		}
	}
	return w.bw.Flush()
}
