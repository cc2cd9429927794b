package state

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pcappush/pcappush/lib/durable"
)

// Permissions of what the package creates.
const (
	DirPerm  fs.FileMode = 0o750
	FilePerm fs.FileMode = 0o640
)

// Default is the state folder when neither --state-dir nor
// PCAPPUSH_STATE names one.
const Default = "/var/lib/pcappush/state"

// Names of the files at the top of the folder.
const (
	LockName       = "push_realtime.lock"
	RunName        = "push_realtime.json"
	OfflineRunName = "push_realtime.offline.json"
)

// Dir is a state folder.
type Dir struct{ root string }

// At returns the state folder at root.
func At(root string) Dir { return Dir{root: root} }

// Root returns the folder's path.
func (d Dir) Root() string { return d.root }

// LockFile is the realtime push_realtime's lock.
func (d Dir) LockFile() string { return filepath.Join(d.root, LockName) }

// RunFile is the record of its folders the realtime push_realtime keeps,
// or the last offline one.
func (d Dir) RunFile(offline bool) string {
	if offline {
		return filepath.Join(d.root, OfflineRunName)
	}
	return filepath.Join(d.root, RunName)
}

// targetsDir holds a folder per target.
func (d Dir) targetsDir() string { return filepath.Join(d.root, "targets") }

// TargetDir is target desc's folder.
func (d Dir) TargetDir(desc string) string { return filepath.Join(d.targetsDir(), desc) }

// UIDFile holds target desc's id.
func (d Dir) UIDFile(desc string) string { return filepath.Join(d.TargetDir(desc), "uid") }

// StatusFile is where target desc's status is kept, realtime or offline.
func (d Dir) StatusFile(desc string, offline bool) string {
	if offline {
		return filepath.Join(d.TargetDir(desc), "status.offline.json")
	}
	return filepath.Join(d.TargetDir(desc), "status.json")
}

// DoneDir holds target desc's done markers.
func (d Dir) DoneDir(desc string) string { return filepath.Join(d.TargetDir(desc), "done") }

// IDDir is the folder of id uid: its checkpoints and ledgers.
func (d Dir) IDDir(uid string) string { return filepath.Join(d.root, uid) }

// DescFile names the target id uid belongs to.
func (d Dir) DescFile(uid string) string { return filepath.Join(d.IDDir(uid), "desc") }

// Ledger is where pcap_split records what id uid publishes from capture,
// in realtime or offline.
func (d Dir) Ledger(uid, capture string, offline bool) string {
	if offline {
		return filepath.Join(d.IDDir(uid), capture+offlineLedgerSuffix)
	}
	return filepath.Join(d.IDDir(uid), capture+ledgerSuffix)
}

const (
	ledgerSuffix        = ".ledger"
	offlineLedgerSuffix = ".offline.ledger"
)

// Checkpoints is where stream_cat keeps its checkpoints in capture for id
// uid.
func (d Dir) Checkpoints(uid, capture string) string {
	return filepath.Join(d.IDDir(uid), capture+".checkpoints")
}

// Offline is the state folder of offline pushes' checkpoints, kept apart
// so that pushing by hand the capture the service follows leaves the
// service's checkpoints alone.
func (d Dir) Offline() Dir { return Dir{root: filepath.Join(d.root, "offline")} }

// Mkdir creates the folder durably when missing.
func (d Dir) Mkdir() error {
	if err := durable.MkdirAll(d.root, DirPerm); err != nil {
		return fmt.Errorf("state folder: %w", err)
	}
	return nil
}

// Check refuses a state folder others can write (see durable.CheckFolder).
func (d Dir) Check() error {
	if err := durable.CheckFolder(d.root); err != nil {
		return fmt.Errorf("state folder: %w", err)
	}
	return nil
}

// TempAge is the age past which Sweep removes a temporary file: older
// than any write in progress.
const TempAge = 10 * time.Minute

// Sweep removes the temporary files of writes a crash interrupted, in
// every folder of the state, and returns how many.
func (d Dir) Sweep() int {
	n := durable.SweepTemps(d.root, TempAge)
	descs, _ := d.Targets()
	for _, desc := range descs {
		n += durable.SweepTemps(d.TargetDir(desc), TempAge)
		n += durable.SweepTemps(d.DoneDir(desc), TempAge)
	}
	for _, uid := range d.ids() {
		n += durable.SweepTemps(d.IDDir(uid), TempAge)
	}
	return n
}

// Targets lists the targets that have a folder, sorted.
func (d Dir) Targets() ([]string, error) {
	es, err := os.ReadDir(d.targetsDir())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	var out []string
	for _, e := range es {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// ids lists the id folders.
func (d Dir) ids() []string {
	es, _ := os.ReadDir(d.root)
	var out []string
	for _, e := range es {
		if e.IsDir() && validUID(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

// LedgerFile is a realtime ledger of an id.
type LedgerFile struct {
	Capture string
	Path    string
	ModTime time.Time
}

// Ledgers lists id uid's realtime ledgers, oldest change first.
func (d Dir) Ledgers(uid string) []LedgerFile {
	es, _ := os.ReadDir(d.IDDir(uid))
	var out []LedgerFile
	for _, e := range es {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasSuffix(name, ledgerSuffix) || strings.HasSuffix(name, offlineLedgerSuffix) {
			continue
		}
		if info, err := e.Info(); err == nil {
			out = append(out, LedgerFile{Capture: strings.TrimSuffix(name, ledgerSuffix), Path: filepath.Join(d.IDDir(uid), name), ModTime: info.ModTime()})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ModTime.Before(out[j].ModTime) })
	return out
}
