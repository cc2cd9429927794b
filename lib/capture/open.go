package capture

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
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

// ErrNotRegular is wrapped by the error for a chunk that is not a regular
// file: it is never opened (a FIFO would block the reader for ever, a
// device could act on being opened) and a symbolic link is not followed.
var ErrNotRegular = errors.New("not a regular file")

// Open opens a chunk of the capture for reading, decompressing gzip, zstd
// and lz4 (frame format) by the file's first bytes, whatever its name. A
// chunk that no longer exists gives an error wrapping fs.ErrNotExist; a
// chunk that is not a regular file, a symbolic link included, one
// wrapping ErrNotRegular, and is not opened.
func (c *Capture) Open(ch Chunk) (*ChunkFile, error) {
	if c.File != "" {
		return OpenFile(c.Path(ch)) // a file named by the user: links followed
	}
	return openChunk(c.Path(ch), false)
}

// OpenFile is Open for a path given by the user: a symbolic link is
// followed, but only to a regular file.
func OpenFile(path string) (*ChunkFile, error) {
	return openChunk(path, true)
}

// openChunk opens a chunk file (see openRegular) and its decompressor.
func openChunk(path string, follow bool) (*ChunkFile, error) {
	f, err := openRegular(path, follow)
	if err != nil {
		return nil, err
	}
	return open(f)
}

// openRegular opens a regular file without following a final symbolic
// link unless follow is set. The file's type is checked before it is
// opened and again, on the open file, after: opened non-blocking, a FIFO
// that replaces the file in between cannot block.
func openRegular(path string, follow bool) (*os.File, error) {
	stat, flags := os.Lstat, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_NOFOLLOW
	if follow {
		stat, flags = os.Stat, flags&^unix.O_NOFOLLOW
	}
	st, err := stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, notRegular(st.Mode())
	}
	fd, err := unix.Open(path, flags, 0)
	if errors.Is(err, unix.ELOOP) {
		return nil, notRegular(fs.ModeSymlink)
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	if st, err = f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		if err != nil {
			return nil, err
		}
		return nil, notRegular(st.Mode())
	}
	unix.SetNonblock(fd, false) //nolint:errcheck // a regular file ignores it anyway
	return f, nil
}

// notRegular describes a file that is not read as a chunk.
func notRegular(m fs.FileMode) error {
	what := "of type " + m.Type().String()
	switch {
	case m&fs.ModeSymlink != 0:
		what = "a symbolic link, not followed: chunks must be regular files in their capture's folder"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO), never opened"
	case m&fs.ModeSocket != 0:
		what = "a socket, never opened"
	case m&fs.ModeDevice != 0:
		what = "a device, never opened"
	case m.IsDir():
		what = "a folder"
	}
	return fmt.Errorf("%w: %s", ErrNotRegular, what)
}

// open reads the start of an open chunk file and puts the decompressor
// its first bytes call for in front of it.
func open(f *os.File) (*ChunkFile, error) {
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
