package ledger

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/pcappush/pcappush/lib/durable"
	"github.com/pcappush/pcappush/lib/lockfile"
)

// Entry is one published split: the one description of it, which
// pcap_split's splitter makes (lib/split), its ledger records, its Post
// command is told (lib/hook), its event carries to push_realtime
// (lib/event) and a target's status shows (lib/push/status).
type Entry struct {
	Name    string `json:"name"`    // final name
	Start   int64  `json:"start"`   // interval start (time splits) or first packet, ns
	End     int64  `json:"end"`     // interval end (time splits) or last packet, ns
	First   int64  `json:"first"`   // first packet, ns
	Last    int64  `json:"last"`    // last packet, ns
	Packets int64  `json:"packets"` // packets in the split
	Bytes   int64  `json:"bytes"`   // pcap bytes, file header included, before any pipe command
	// Ckpt is the time of the last checkpoint tick seen before the split's
	// last packet, and Skip the packets received after it up to and
	// including that packet. HasCkpt is false when no checkpoint tick had
	// been seen: such a split cannot be resumed after.
	Ckpt    int64 `json:"ckpt"`
	Skip    int64 `json:"skip"`
	HasCkpt bool  `json:"has_ckpt"`
	// Base and Dup: the name before a "_N" that tells apart size splits
	// that would share a name, or continues a time split cut short by a
	// stop, and that N (0: none).
	Base string `json:"base,omitempty"`
	Dup  int    `json:"dup,omitempty"`
	// Existed says the split was not written: its final name already
	// held the same bytes (published before the ledger was lost, or
	// before a crash kept this entry from being recorded).
	Existed bool `json:"existed,omitempty"`
	// Outlier marks a split of packets stamped out of the clock's
	// tolerance, published apart: its bounds are not the push's clock
	// (see Clock), its resume point is as good as any.
	Outlier bool `json:"outlier,omitempty"`
}

// Limits of a ledger file.
var (
	MaxBytes      int64 = 4 << 20 // compact past this size
	KeepOnCompact       = 1000    // entries kept by a compaction
)

// Ledger appends entries to one file.
type Ledger struct {
	path string
	log  *durable.Log
	lock *lockfile.Lock
}

// LockWait is how long Open waits for another writer of the same ledger
// (the pcap_split of a pipeline being replaced, still publishing its last
// split) to finish.
var LockWait = 2 * time.Minute

// Open opens (creating) the ledger at path for appending, compacting it
// first when it is too large. Only one process at a time has a ledger
// open: Open waits up to LockWait for the previous one.
func Open(path string) (*Ledger, error) {
	lock, err := lockfile.Acquire(path+".lock", LockWait)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	l, err := open(path)
	if err != nil {
		lock.Release() //nolint:errcheck // already failing
		return nil, err
	}
	l.lock = lock
	return l, nil
}

func open(path string) (*Ledger, error) {
	if st, err := os.Lstat(path); err == nil && st.Mode().IsRegular() && st.Size() > MaxBytes {
		if err := compact(path); err != nil {
			return nil, err
		}
	}
	if err := durable.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	log, err := durable.OpenLog(path, 0o640) // cuts a line torn by a crash
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	return &Ledger{path: path, log: log}, nil
}

// Append records e durably: once it returns nil, e survives a power cut.
func (l *Ledger) Append(e Entry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	if err := l.log.Append(append(b, '\n')); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	return nil
}

// Last returns the newest entry of the open ledger, and false when there
// is none. Unlike the function Last, it reads under the ledger's lock.
func (l *Ledger) Last() (Entry, bool, error) { return Last(l.path) }

// Entries returns the ledger's entries, oldest first.
func (l *Ledger) Entries() ([]Entry, error) { return Read(l.path) }

// Close closes the file and lets the lock go.
func (l *Ledger) Close() error {
	err := l.log.Close()
	if l.lock != nil {
		l.lock.Release() //nolint:errcheck // the kernel drops it at exit anyway
	}
	return err
}

// Read returns the entries of the ledger at path, oldest first; a missing
// file has none. A torn last line is ignored; a bad line elsewhere is an
// error, and so is a link at path.
func Read(path string) ([]Entry, error) {
	b, err := durable.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	return parse(path, b)
}

func parse(path string, b []byte) ([]Entry, error) {
	var out []Entry
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Name == "" {
			if !bytes.HasSuffix(b, []byte("\n")) && isLastLine(b, sc.Bytes()) {
				break // torn by a crash while appending
			}
			return out, fmt.Errorf("ledger %s line %d: not an entry", path, line)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil && !errors.Is(err, io.EOF) {
		return out, fmt.Errorf("ledger %s: %w", path, err)
	}
	return out, nil
}

func isLastLine(all, line []byte) bool { return bytes.HasSuffix(all, line) }

// Last returns the newest entry of the ledger at path, and false when
// there is none.
func Last(path string) (Entry, bool, error) {
	es, err := Read(path)
	if err != nil || len(es) == 0 {
		return Entry{}, false, err
	}
	return es[len(es)-1], true, nil
}

// Clock returns the newest entry of es that is not an outlier: the split
// a resumed run continues the clock from (its end, its name); false when
// there is none.
func Clock(es []Entry) (Entry, bool) {
	for i := len(es) - 1; i >= 0; i-- {
		if !es[i].Outlier {
			return es[i], true
		}
	}
	return Entry{}, false
}

// compact rewrites the ledger with its newest entries, durably.
func compact(path string) error {
	es, err := Read(path)
	if err != nil {
		return err
	}
	if len(es) > KeepOnCompact {
		clock, ok := Clock(es)
		es = es[len(es)-KeepOnCompact:]
		if c, kept := Clock(es); ok && (!kept || c != clock) {
			es = append([]Entry{clock}, es...) // keep the clock's entry
		}
	}
	var buf bytes.Buffer
	for _, e := range es {
		b, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("ledger: %w", err)
		}
		buf.Write(append(b, '\n'))
	}
	if err := durable.WriteFile(path, buf.Bytes(), 0o640); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	return nil
}
