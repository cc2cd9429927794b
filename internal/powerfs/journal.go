package powerfs

import (
	"crypto/sha256"
	"fmt"
)

// Kind is what an Event says happened.
type Kind int

// The kinds of events. Write, Sync and SyncDir go to the hook only; the
// others are about published names and go to the journal too.
const (
	Write    Kind = iota + 1 // a write to a file (Off, Size)
	Sync                     // fsync or fdatasync of a file
	SyncDir                  // fsync of a directory
	Create                   // a file created under a published name
	Publish                  // a rename or link gave a file a published name that was free
	Replace                  // a rename put a file over a published name
	Refused                  // a rename without replace or a link found a published name taken (only in a race: the kernel refuses what it sees first)
	Remove                   // a published name unlinked, or renamed away
	Truncate                 // a non-empty file under a published name truncated (Size: the new size)
	Undone                   // at a cut: the published name was visible and is gone
	Reverted                 // at a cut: the published name now holds other contents (Size: their size)
)

var kindNames = map[Kind]string{
	Write: "write", Sync: "sync", SyncDir: "sync dir", Create: "create", Publish: "publish",
	Replace: "replace", Refused: "refused", Remove: "remove", Truncate: "truncate",
	Undone: "undone", Reverted: "reverted",
}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// journaled reports whether events of kind k go to the journal.
func (k Kind) journaled() bool { return k >= Create }

// Event is one thing that happened in the file system.
type Event struct {
	Kind Kind
	// Path is the name concerned, slash-separated, relative to the mount
	// point (for Write and Sync: the file's latest name).
	Path string
	// From is, for Publish and Replace by rename, the file's former name.
	From string
	// Pid is the process that made the change; 0 at a cut.
	Pid       uint32
	Off, Size int64
	// Sum is, for Publish, Replace and Reverted, the SHA-256 of the
	// contents the name now holds.
	Sum [sha256.Size]byte
}

func (e Event) String() string {
	s := e.Kind.String() + " " + e.Path
	if e.From != "" {
		s += " from " + e.From
	}
	if e.Pid != 0 {
		s += fmt.Sprintf(" (pid %d)", e.Pid)
	}
	return s
}
