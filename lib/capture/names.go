package capture

import "strings"

// Compression is how a chunk file is compressed, told by its name.
type Compression int

// Compressions of chunk files.
const (
	None Compression = iota // plain pcap or pcapng
	Gzip                    // .gz
	Zstd                    // .zst
	LZ4                     // .lz4 (frame format)
)

var compSuffix = []struct {
	suffix string
	comp   Compression
}{{".gz", Gzip}, {".zst", Zstd}, {".lz4", LZ4}}

// String returns the suffix that marks the compression ("" for None).
func (c Compression) String() string {
	for _, s := range compSuffix {
		if s.comp == c {
			return s.suffix
		}
	}
	return ""
}

// nameClass says what a file name in a capture folder is.
type nameClass int

const (
	notChunk   nameClass = iota // ignored: dotfiles, indexes, temporary files
	chunkName                   // a chunk by its extension
	maybeChunk                  // no extension at all: a chunk if its content says so
)

// chunkExts are the extensions of chunk files, before any compression
// suffix; tcpdump -C appends a number to them (x.pcap, x.pcap1, ...).
var chunkExts = []string{".pcap", ".pcapng", ".cap"}

// classify tells whether name is a chunk file. key is the name without its
// compression suffix: a chunk and its compressed copy share it.
func classify(name string) (key string, comp Compression, class nameClass) {
	if name == "" || name[0] == '.' || strings.ContainsAny(name, "\n\r") {
		return "", None, notChunk
	}
	key = name
	for _, s := range compSuffix {
		if len(name) > len(s.suffix) && strings.EqualFold(name[len(name)-len(s.suffix):], s.suffix) {
			key, comp = name[:len(name)-len(s.suffix)], s.comp
			break
		}
	}
	dot := strings.LastIndexByte(key, '.')
	if dot < 0 {
		return key, comp, maybeChunk
	}
	ext := strings.TrimRight(key[dot:], "0123456789")
	for _, e := range chunkExts {
		if strings.EqualFold(ext, e) {
			return key, comp, chunkName
		}
	}
	return "", None, notChunk
}

// IsChunkName reports whether a file of this name is taken as a chunk by
// its name alone: *.pcap, *.pcapng, *.cap, those followed by digits (as
// tcpdump -C numbers them), each optionally compressed (.gz, .zst, .lz4).
// Names without any extension (tcpdump -w x -C gives x, x1, x2 ...) are
// chunks when their content starts like a capture; dotfiles never are.
func IsChunkName(name string) bool {
	_, _, c := classify(name)
	return c == chunkName
}
