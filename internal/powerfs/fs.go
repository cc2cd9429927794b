package powerfs

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"math/rand"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"
)

// Options tune a mount.
type Options struct {
	// Temporary reports whether a base name is a temporary one, not a
	// published one; nil means IsTemporary.
	Temporary func(name string) bool
	// Hook, if set, sees every event as it happens, from the FUSE request
	// of the calling process, which waits for it to return.
	Hook func(Event)
}

// CutOptions tune a Cut.
type CutOptions struct {
	// Tear keeps a random prefix of what was appended to a file since its
	// last fsync, instead of dropping all of it.
	Tear bool
	// Rand chooses the torn lengths; nil means a source seeded from the
	// clock.
	Rand *rand.Rand
	// Wait is how long to wait for the files of dead processes to be
	// released by the kernel; 0 means 5 s.
	Wait time.Duration
}

// CutReport says what a Cut dropped.
type CutReport struct {
	Undone   int   // published names visible before and gone after
	Reverted int   // published names whose contents changed
	Torn     int   // files that kept part of their unsynced append
	Lost     int64 // bytes of file contents dropped
}

// IsTemporary is the default Options.Temporary: names ending in .pending,
// holding .tmp, or starting with a dot.
func IsTemporary(name string) bool {
	return strings.HasSuffix(name, ".pending") || strings.Contains(name, ".tmp") || strings.HasPrefix(name, ".")
}

// ErrBusy is wrapped by Cut's error when files stay open, and by
// Unmount's when the mount is in use.
var ErrBusy = errors.New("in use")

// FS is a mounted power-loss file system.
type FS struct {
	fuse.RawFileSystem // ENOSYS for what is not implemented below

	dir  string
	opts Options
	srv  *fuse.Server

	mu      sync.Mutex
	nodes   map[uint64]*node
	nextID  uint64
	handles map[uint64]*handle
	nextFh  uint64
	journal []Event
}

// node is a file, directory or symbolic link.
type node struct {
	id                  uint64
	mode                uint32 // type and permission bits
	owner               fuse.Owner
	atime, mtime, ctime time.Time
	nlink               uint32            // names in volatile entries
	data, synced        []byte            // file contents; never share an array
	target              string            // symbolic link
	entries, durable    map[string]uint64 // directory entries
	parent              uint64            // where its last name is
	name                string
}

func (n *node) isDir() bool { return n.mode&syscall.S_IFMT == syscall.S_IFDIR }
func (n *node) isReg() bool { return n.mode&syscall.S_IFMT == syscall.S_IFREG }

// handle is an open file or directory.
type handle struct {
	n     *node
	flags uint32
	names []string // directory listing taken at open
	ids   []uint64
}

// Mount serves a new, empty file system at dir, which must exist.
func Mount(dir string, o Options) (*FS, error) {
	if o.Temporary == nil {
		o.Temporary = IsTemporary
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		return nil, fmt.Errorf("powerfs: %w", err)
	}
	now := time.Now()
	fs := &FS{
		RawFileSystem: fuse.NewDefaultRawFileSystem(),
		dir:           dir, opts: o,
		nodes:   map[uint64]*node{},
		nextID:  fuse.FUSE_ROOT_ID,
		handles: map[uint64]*handle{},
	}
	root := fs.newNode(syscall.S_IFDIR|0o755, fuse.Owner{Uid: uint32(os.Getuid()), Gid: uint32(os.Getgid())}, now)
	root.durable = map[string]uint64{}
	srv, err := fuse.NewServer(fs, dir, &fuse.MountOptions{
		FsName: "powerfs", Name: "powerfs",
		DirectMount:        true, // as root: mount(2), no fusermount needed
		DisableXAttrs:      true,
		DisableReadDirPlus: true,
		MaxWrite:           1 << 20,
	})
	if err != nil {
		return nil, fmt.Errorf("powerfs: mount %s: %w", dir, err)
	}
	go srv.Serve()
	if err := srv.WaitMount(); err != nil {
		srv.Unmount() //nolint:errcheck // reporting the mount's error
		return nil, fmt.Errorf("powerfs: mount %s: %w", dir, err)
	}
	fs.srv = srv
	return fs, nil
}

// Dir is the mount point.
func (fs *FS) Dir() string { return fs.dir }

// Unmount ends the mount. When processes still use it, it is detached
// (the folder is free at once, the file system goes when they let go) and
// the error wraps ErrBusy.
func (fs *FS) Unmount() error {
	err := fs.srv.Unmount()
	if err == nil {
		return nil
	}
	if derr := syscall.Unmount(fs.dir, syscall.MNT_DETACH); derr != nil {
		return fmt.Errorf("powerfs: unmount %s: %w", fs.dir, err)
	}
	return fmt.Errorf("powerfs: unmount %s: %w (detached): %w", fs.dir, ErrBusy, err)
}

// Journal returns the events recorded so far on published names (every
// kind but Write, Sync and SyncDir), oldest first.
func (fs *FS) Journal() []Event {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return slices.Clone(fs.journal)
}

// Cut drops everything that was not made durable, as a power cut does.
// Every process using the file system must be dead: Cut waits for their
// files to be closed, and fails, cutting nothing, if some stay open.
func (fs *FS) Cut(o CutOptions) (CutReport, error) {
	if o.Rand == nil {
		o.Rand = rand.New(rand.NewSource(time.Now().UnixNano()))
	}
	if o.Wait == 0 {
		o.Wait = 5 * time.Second
	}
	for deadline := time.Now().Add(o.Wait); ; time.Sleep(10 * time.Millisecond) {
		fs.mu.Lock()
		if len(fs.handles) == 0 {
			break
		}
		n := len(fs.handles)
		fs.mu.Unlock()
		if time.Now().After(deadline) {
			return CutReport{}, fmt.Errorf("powerfs: cut: %d files still open: %w", n, ErrBusy)
		}
	}
	defer fs.mu.Unlock()
	before := fs.published()
	var rep CutReport
	reach := fs.reachable()
	for _, id := range slices.Sorted(maps.Keys(fs.nodes)) { // in order: the tears follow o.Rand
		n := fs.nodes[id]
		if !reach[id] {
			delete(fs.nodes, id)
			continue
		}
		n.nlink = 0
		switch {
		case n.isDir():
			n.entries = maps.Clone(n.durable)
		case n.isReg():
			rep.Lost += int64(len(n.data))
			n.synced = tear(n.data, n.synced, o, &rep)
			n.data = slices.Clone(n.synced)
			rep.Lost -= int64(len(n.data))
		}
	}
	fs.relink()
	after := fs.published()
	for _, p := range slices.Sorted(maps.Keys(before)) {
		n := before[p]
		switch m, ok := after[p]; {
		case !ok:
			rep.Undone++
			fs.journal = append(fs.journal, Event{Kind: Undone, Path: p})
		case m.n != n.n || string(m.data) != string(n.data) || m.target != n.target:
			rep.Reverted++
			fs.journal = append(fs.journal, Event{Kind: Reverted, Path: p, Size: int64(len(m.data)), Sum: sha256.Sum256(m.data)})
		}
	}
	return rep, nil
}

// tear returns what a file holds after a cut: its synced contents and,
// with o.Tear, a random prefix of what was appended since.
func tear(data, synced []byte, o CutOptions, rep *CutReport) []byte {
	if !o.Tear || len(data) <= len(synced) || string(data[:len(synced)]) != string(synced) {
		return synced
	}
	tail := len(data) - len(synced)
	keep := o.Rand.Intn(tail + 1)
	if keep > 0 && keep < tail {
		rep.Torn++
	}
	return slices.Clone(data[:len(synced)+keep])
}

// reachable is the set of nodes reachable from the root through durable
// entries.
func (fs *FS) reachable() map[uint64]bool {
	seen := map[uint64]bool{fuse.FUSE_ROOT_ID: true}
	queue := []uint64{fuse.FUSE_ROOT_ID}
	for len(queue) > 0 {
		n := fs.nodes[queue[0]]
		queue = queue[1:]
		for _, id := range n.durable {
			if !seen[id] && fs.nodes[id] != nil {
				seen[id] = true
				queue = append(queue, id)
			}
		}
	}
	return seen
}

// relink recounts links and names after a cut. A directory may have two
// durable names (renamed, both folders fsynced); it is walked once.
func (fs *FS) relink() {
	done := map[uint64]bool{}
	queue := []uint64{fuse.FUSE_ROOT_ID}
	for len(queue) > 0 {
		d := fs.nodes[queue[0]]
		queue = queue[1:]
		if done[d.id] {
			continue
		}
		done[d.id] = true
		for _, name := range slices.Sorted(maps.Keys(d.entries)) {
			c := fs.nodes[d.entries[name]]
			c.nlink++
			if c.nlink == 1 {
				c.parent, c.name = d.id, name
			}
			if c.isDir() {
				queue = append(queue, c.id)
			}
		}
	}
}

// seen is a published name's file as a cut compares it.
type seen struct {
	n      *node
	data   []byte
	target string
}

// published maps every published name of a file or symbolic link to what
// it holds.
func (fs *FS) published() map[string]seen {
	out := map[string]seen{}
	var walk func(dir uint64, prefix string, depth int)
	walk = func(dir uint64, prefix string, depth int) {
		if depth > 64 { // a cut can leave a directory inside itself
			return
		}
		for name, id := range fs.nodes[dir].entries {
			n := fs.nodes[id]
			switch p := path.Join(prefix, name); {
			case n == nil:
			case n.isDir():
				walk(id, p, depth+1)
			case !fs.opts.Temporary(name):
				out[p] = seen{n, n.data, n.target}
			}
		}
	}
	walk(fuse.FUSE_ROOT_ID, "", 0)
	return out
}
