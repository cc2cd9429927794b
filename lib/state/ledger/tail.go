package ledger

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"syscall"

	"github.com/pcappush/pcappush/lib/durable"
)

// Tail reads the entries pcap_split appends to a ledger file from the
// moment it begins watching: push_realtime counts the splits published
// with it. A line not yet complete is read once whole; a ledger rewritten
// by a compaction (a new file) is read again after the last entry already
// seen. It is not safe for concurrent use.
type Tail struct {
	path    string
	off     int64
	ino     uint64
	partial []byte // a line not yet complete
	last    Entry
	hasLast bool
}

// NewTail watches path for entries added after its present end.
func NewTail(path string) *Tail {
	lt := &Tail{path: path}
	if st, err := os.Stat(path); err == nil {
		lt.off, lt.ino = st.Size(), inode(st)
		lt.last, lt.hasLast, _ = Last(path)
	}
	return lt
}

func inode(st os.FileInfo) uint64 {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return s.Ino
	}
	return 0
}

// Poll returns the entries appended since the last Poll.
func (lt *Tail) Poll() []Entry {
	f, err := durable.OpenFile(lt.path, os.O_RDONLY, 0)
	if err != nil {
		return nil
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil
	}
	if ino := inode(st); (lt.ino != 0 && ino != lt.ino) || st.Size() < lt.off {
		return lt.reread(st)
	}
	lt.ino = inode(st)
	if st.Size() == lt.off {
		return nil
	}
	b := make([]byte, st.Size()-lt.off)
	n, err := f.ReadAt(b, lt.off)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil
	}
	lt.off += int64(n)
	return lt.lines(append(lt.partial, b[:n]...))
}

// lines parses the complete lines of b and keeps the rest for later.
func (lt *Tail) lines(b []byte) []Entry {
	end := bytes.LastIndexByte(b, '\n')
	lt.partial = append([]byte(nil), b[end+1:]...)
	var out []Entry
	for _, line := range bytes.Split(b[:end+1], []byte("\n")) {
		var e Entry
		if len(line) > 0 && json.Unmarshal(line, &e) == nil && e.Name != "" {
			out = append(out, e)
			lt.last, lt.hasLast = e, true
		}
	}
	return out
}

// reread reads a ledger that was replaced, returning the entries after
// the last one seen (none when it cannot be found: it was compacted away).
func (lt *Tail) reread(st os.FileInfo) []Entry {
	es, _ := Read(lt.path)
	lt.off, lt.ino, lt.partial = st.Size(), inode(st), nil
	from := 0
	if lt.hasLast {
		from = len(es)
		for i := len(es) - 1; i >= 0; i-- {
			if es[i] == lt.last {
				from = i + 1
				break
			}
		}
	}
	out := es[from:]
	if len(out) > 0 {
		lt.last, lt.hasLast = out[len(out)-1], true
	}
	return out
}
