package compress

import (
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// Decoder is a decompressing stream reader that can be reused: Reset
// starts on another compressed stream, keeping the buffers. Close releases
// them; the Decoder is not usable after.
type Decoder interface {
	io.Reader
	Reset(r io.Reader) error
	Close() error
}

// zstdMaxWindow is the largest zstd window a Decoder accepts: what the
// zstd tool decompresses without --long or --memory (level 22 with
// --ultra, or windowLog 27). Larger windows are refused rather than
// allocated.
const zstdMaxWindow = 128 << 20

// ByName returns the compression a file name ends with: ".gz", ".zst" or
// ".lz4" (any case); false when it ends with none of them.
func ByName(name string) (Algorithm, bool) {
	lower := strings.ToLower(name)
	for _, x := range algorithms {
		if strings.HasSuffix(lower, x.ext) {
			return x.alg, true
		}
	}
	return 0, false
}

// NewDecoder returns a decoder of the algorithm's format reading r, on the
// caller's goroutine and with one stream's buffers: a gzip stream of any
// number of members (gzip -c, pgzip), a zstd stream of any number of
// frames, an LZ4 frame stream as the lz4 tool writes it.
func (a Algorithm) NewDecoder(r io.Reader) (Decoder, error) {
	switch a {
	case Gzip:
		z, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return gzipDecoder{z}, nil
	case Zstd:
		z, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxWindow(zstdMaxWindow))
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		return zstdDecoder{z}, nil
	case LZ4:
		return lz4Decoder{lz4.NewReader(r)}, nil
	}
	return nil, fmt.Errorf("no decoder for %v", a)
}

// gzipDecoder reads gzip; its header is read by NewDecoder and Reset.
type gzipDecoder struct{ *gzip.Reader }

func (g gzipDecoder) Reset(r io.Reader) error {
	if err := g.Reader.Reset(r); err != nil {
		return fmt.Errorf("gzip: %w", err)
	}
	return nil
}

type zstdDecoder struct{ *zstd.Decoder }

func (z zstdDecoder) Reset(r io.Reader) error {
	if err := z.Decoder.Reset(r); err != nil {
		return fmt.Errorf("zstd: %w", err)
	}
	return nil
}

func (z zstdDecoder) Close() error { z.Decoder.Close(); return nil }

type lz4Decoder struct{ *lz4.Reader }

func (l lz4Decoder) Reset(r io.Reader) error { l.Reader.Reset(r); return nil }
func (l lz4Decoder) Close() error            { return nil }
