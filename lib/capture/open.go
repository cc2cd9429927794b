package capture

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"golang.org/x/sys/unix"
)

// ChunkFile is an open chunk: its decompressed bytes from the start.
type ChunkFile struct {
	io.Reader              // the chunk's pcap or pcapng bytes
	File      *os.File     // the file itself; the Reader when Comp is None
	Comp      Compression  // compression found by the chunk's first bytes
	close     func() error // releases the decompressor
}

// Close releases the decompressor and closes the file.
func (c *ChunkFile) Close() error {
	if c.close != nil {
		c.close() //nolint:errcheck // the file's Close below reports what matters
	}
	return c.File.Close()
}

// Open opens a chunk of the capture for reading, decompressing gzip, zstd
// and lz4 (frame format) by the file's first bytes, whatever its name. A
// chunk that no longer exists gives an error wrapping fs.ErrNotExist.
func (c *Capture) Open(ch Chunk) (*ChunkFile, error) {
	return OpenFile(c.Path(ch))
}

// OpenFile is Open for a path.
func OpenFile(path string) (*ChunkFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	adviseSequential(f)
	var head [4]byte
	n, err := f.ReadAt(head[:], 0)
	if err != nil && !errors.Is(err, io.EOF) {
		f.Close()
		return nil, err
	}
	cf := &ChunkFile{Reader: f, File: f, Comp: sniffCompression(head[:n])}
	if err := cf.decompress(); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", cf.Comp.Name(), err)
	}
	return cf, nil
}

func sniffCompression(b []byte) Compression {
	switch {
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		return Gzip
	case bytes.HasPrefix(b, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return Zstd
	case bytes.HasPrefix(b, []byte{0x04, 0x22, 0x4d, 0x18}):
		return LZ4
	}
	return None
}

// decompress puts the right decompressor in front of the file.
func (c *ChunkFile) decompress() error {
	switch c.Comp {
	case Gzip:
		zr, err := gzip.NewReader(c.File)
		if err != nil {
			return err
		}
		c.Reader, c.close = zr, zr.Close
	case Zstd:
		zr, err := zstd.NewReader(c.File, zstd.WithDecoderConcurrency(2))
		if err != nil {
			return err
		}
		c.Reader, c.close = zr, func() error { zr.Close(); return nil }
	case LZ4:
		c.Reader = lz4.NewReader(c.File)
	}
	return nil
}

// Name returns the compression's name for messages ("gzip", "zstd", "lz4",
// "none").
func (c Compression) Name() string {
	switch c {
	case Gzip:
		return "gzip"
	case Zstd:
		return "zstd"
	case LZ4:
		return "lz4"
	}
	return "none"
}

// adviseSequential tells the kernel the file is read from start to end, so
// that it reads further ahead (as cat does).
func adviseSequential(f *os.File) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) { //nolint:errcheck // advice only
		unix.Fadvise(int(fd), 0, 0, unix.FADV_SEQUENTIAL) //nolint:errcheck // advice only
	})
}
