package capture

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Capture is one capture: a folder of chunk files, or a single file.
type Capture struct {
	Name  string // the capture's name: its folder's (or file's) base name
	Dir   string // the folder holding the chunks
	File  string // for a one-file capture, the file's name in Dir
	Store string // the store holding Dir, when known; "" otherwise

	sniffed map[string]bool // extensionless names already told apart
}

// Chunk is one file of a capture.
type Chunk struct {
	Name    string      // file name in the capture's folder
	Key     string      // Name without its compression suffix: the order key
	Comp    Compression // compression told by the name
	Size    int64       // file size in bytes (when listed with stat)
	ModTime time.Time   // last modification (when listed with stat)
	// NotRegular marks an entry of a chunk's name that is not a regular
	// file (a FIFO, a device, a symbolic link): listed so that reading
	// reports it, never opened (Open refuses it), not counted by Info.
	NotRegular bool
}

// Path returns the path of one of the capture's chunks.
func (c *Capture) Path(ch Chunk) string { return filepath.Join(c.Dir, ch.Name) }

// MarkerPath returns the path of the capture's completion marker.
func (c *Capture) MarkerPath() string { return filepath.Join(c.Dir, CompleteMarker) }

// Chunks lists the capture's chunks in order (see CompareChunks). With stat
// set, Size and ModTime are filled in; chunks that vanish while being
// listed are left out.
func (c *Capture) Chunks(stat bool) ([]Chunk, error) {
	if c.File != "" {
		ch := Chunk{Name: c.File}
		ch.Key, ch.Comp, _ = classify(c.File)
		if ch.Key == "" {
			ch.Key = c.File
		}
		if stat {
			st, err := os.Stat(c.Path(ch))
			if err != nil {
				return nil, fmt.Errorf("capture %s: %w", c.Name, err)
			}
			ch.Size, ch.ModTime = st.Size(), st.ModTime()
		}
		return []Chunk{ch}, nil
	}
	es, err := os.ReadDir(c.Dir)
	if err != nil {
		return nil, fmt.Errorf("capture %s: %w", c.Name, err)
	}
	out := make([]Chunk, 0, len(es))
	old := c.sniffed
	c.sniffed = nil // keep only the names still present
	for _, e := range es {
		if yes, ok := old[e.Name()]; ok {
			c.remember(e.Name(), yes)
		}
		ch, ok := c.entry(e, stat)
		if ok {
			out = append(out, ch)
		}
	}
	return dedupe(out), nil
}

// entry turns a folder entry into a chunk, if it is one. An entry of a
// chunk's name that is not a regular file (a FIFO, a device, a symbolic
// link) is listed marked NotRegular, so that reading the capture reports
// it; it is never opened, and a name without an extension is not even
// looked into unless it is a regular file.
func (c *Capture) entry(e fs.DirEntry, stat bool) (Chunk, bool) {
	key, comp, class := classify(e.Name())
	if class == notChunk || e.IsDir() {
		return Chunk{}, false
	}
	ch := Chunk{Name: e.Name(), Key: key, Comp: comp}
	if !e.Type().IsRegular() {
		if class != chunkName {
			return Chunk{}, false
		}
		ch.NotRegular = true
		if stat {
			st, err := os.Lstat(c.Path(ch))
			if err != nil {
				return Chunk{}, false
			}
			ch.ModTime = st.ModTime()
		}
		return ch, true
	}
	if class == maybeChunk && !c.looksLikeCapture(ch) {
		return Chunk{}, false
	}
	if !stat {
		return ch, true
	}
	st, err := os.Lstat(c.Path(ch))
	if err != nil || !st.Mode().IsRegular() {
		return Chunk{}, false
	}
	ch.Size, ch.ModTime = st.Size(), st.ModTime()
	return ch, true
}

// dedupe sorts chunks and keeps one per key: the uncompressed file when a
// compressor (tcpdump -z gzip) is still writing its compressed copy.
func dedupe(chs []Chunk) []Chunk {
	slices.SortFunc(chs, CompareChunks)
	return slices.CompactFunc(chs, func(a, b Chunk) bool { return a.Key == b.Key })
}

// CompareChunks orders chunks by key in natural order, then uncompressed
// before compressed, then by name.
func CompareChunks(a, b Chunk) int {
	if c := NaturalCompare(a.Key, b.Key); c != 0 {
		return c
	}
	if a.Comp != b.Comp {
		return cmp.Compare(a.Comp, b.Comp)
	}
	return NaturalCompare(a.Name, b.Name)
}

// magics are the first bytes of the formats a chunk may hold.
var magics = [][]byte{
	{0xd4, 0xc3, 0xb2, 0xa1}, {0xa1, 0xb2, 0xc3, 0xd4}, // pcap, microseconds
	{0x4d, 0x3c, 0xb2, 0xa1}, {0xa1, 0xb2, 0x3c, 0x4d}, // pcap, nanoseconds
	{0x0a, 0x0d, 0x0d, 0x0a}, // pcapng
	{0x1f, 0x8b},             // gzip
	{0x28, 0xb5, 0x2f, 0xfd}, // zstd
	{0x04, 0x22, 0x4d, 0x18}, // lz4 frame
}

// looksLikeCapture tells whether a file without an extension is a chunk:
// it starts with a capture or compressor magic, or is too short to tell
// yet (a recorder has just created it). Answers from whole magics are
// remembered, so that following a capture of such names does not open
// every file each time its folder is listed.
func (c *Capture) looksLikeCapture(ch Chunk) bool {
	if yes, ok := c.sniffed[ch.Name]; ok {
		return yes
	}
	f, err := openRegular(c.Path(ch), false)
	if err != nil {
		return false
	}
	defer f.Close()
	var b [4]byte
	if _, err := io.ReadFull(f, b[:]); err != nil {
		return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
	}
	yes := false
	for _, m := range magics {
		yes = yes || bytes.HasPrefix(b[:], m)
	}
	c.remember(ch.Name, yes)
	return yes
}

func (c *Capture) remember(name string, yes bool) {
	if c.sniffed == nil {
		c.sniffed = map[string]bool{}
	}
	c.sniffed[name] = yes
}
