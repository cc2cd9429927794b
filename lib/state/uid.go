package state

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pcappush/pcappush/lib/durable"
)

// uidPrefix begins every target id.
const uidPrefix = "push_"

// validUID reports whether s is a target id: push_ and digits.
func validUID(s string) bool {
	digits, ok := strings.CutPrefix(s, uidPrefix)
	if !ok || digits == "" {
		return false
	}
	_, err := strconv.ParseUint(digits, 10, 64)
	return err == nil
}

// TargetUID returns target desc's id. The id is read from
// targets/<Desc>/uid; when that file is missing, empty or torn, or names
// an id whose folder does not name desc while another does, it is found
// again from the id folders, whose desc file names their target (note
// then says so, for the log); only a target never seen gets a new id,
// push_<now in ns>. Either way both files are left written durably. A link
// at the uid file is refused.
func (d Dir) TargetUID(desc string, now time.Time) (uid, note string, err error) {
	b, err := durable.ReadFile(d.UIDFile(desc))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", "", fmt.Errorf("state: target %s: %w", desc, err)
	}
	read := strings.TrimSpace(string(b))
	if validUID(read) && d.descOf(read) == desc {
		return read, "", nil
	}
	found, err := d.findUID(desc)
	if err != nil {
		return "", "", err
	}
	if validUID(read) && (len(found) == 0 || slices.Contains(found, read)) {
		// An id folder from before desc files, or one whose desc a crash
		// lost: the id file is right.
		return read, "", d.writeDesc(read, desc)
	}
	switch {
	case len(found) == 1:
		uid = found[0]
		note = fmt.Sprintf("target %s: its id file %s was lost (%s); found its id %s again in %s", desc, d.UIDFile(desc), lostHow(b), uid, d.DescFile(uid))
	case len(found) > 1:
		uid = d.newestByLedger(found)
		note = fmt.Sprintf("target %s: its id file %s was lost (%s); ids %s all name it, keeping %s, the one that published last", desc, d.UIDFile(desc), lostHow(b), strings.Join(found, ", "), uid)
	default:
		uid = d.freeUID(now)
		if err := d.writeDesc(uid, desc); err != nil {
			return "", "", err
		}
	}
	if err := durable.MkdirAll(d.TargetDir(desc), DirPerm); err != nil {
		return "", "", fmt.Errorf("state: %w", err)
	}
	if err := durable.WriteFile(d.UIDFile(desc), []byte(uid+"\n"), FilePerm); err != nil {
		return "", "", fmt.Errorf("state: target %s: %w", desc, err)
	}
	return uid, note, nil
}

// freeUID returns a new id, push_<now in ns>, or the next nanosecond
// whose folder does not exist yet: two targets seen at the same instant
// (a clock that stands still, or coarse) never share one.
func (d Dir) freeUID(now time.Time) string {
	for n := now.UnixNano(); ; n++ {
		uid := uidPrefix + strconv.FormatInt(n, 10)
		if _, err := os.Lstat(d.IDDir(uid)); errors.Is(err, fs.ErrNotExist) {
			return uid
		}
	}
}

// lostHow describes what a uid file held.
func lostHow(b []byte) string {
	if len(b) == 0 {
		return "missing or empty"
	}
	if validUID(strings.TrimSpace(string(b))) {
		return fmt.Sprintf("it names %s, whose folder does not name the target", strings.TrimSpace(string(b)))
	}
	return fmt.Sprintf("it holds %q", string(b[:min(len(b), 40)]))
}

// descOf returns the target uid's desc file names ("" when none).
func (d Dir) descOf(uid string) string {
	b, err := durable.ReadFile(d.DescFile(uid))
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(b), "\n")
}

// writeDesc makes uid's folder and records desc in it.
func (d Dir) writeDesc(uid, desc string) error {
	if err := durable.MkdirAll(d.IDDir(uid), DirPerm); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if err := durable.WriteFile(d.DescFile(uid), []byte(desc+"\n"), FilePerm); err != nil {
		return fmt.Errorf("state: target %s: %w", desc, err)
	}
	return nil
}

// findUID returns the ids whose desc file names desc.
func (d Dir) findUID(desc string) ([]string, error) {
	var out []string
	for _, uid := range d.ids() {
		b, err := durable.ReadFile(d.DescFile(uid))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("state: target %s: %w", desc, err)
		}
		if strings.TrimSuffix(string(b), "\n") == desc {
			out = append(out, uid)
		}
	}
	return out, nil
}

// newestByLedger returns the id, of several, whose ledgers changed last
// (the last of them when none has a ledger).
func (d Dir) newestByLedger(uids []string) string {
	best, at := uids[len(uids)-1], time.Time{}
	for _, uid := range uids {
		for _, l := range d.Ledgers(uid) {
			if l.ModTime.After(at) {
				best, at = uid, l.ModTime
			}
		}
	}
	return best
}

// KnownUID returns target desc's id when the state folder holds one,
// writing nothing: the id file's, else the one id folder naming desc.
func (d Dir) KnownUID(desc string) (string, bool) {
	b, err := durable.ReadFile(d.UIDFile(desc))
	if read := strings.TrimSpace(string(b)); err == nil && validUID(read) {
		return read, true
	}
	if found, err := d.findUID(desc); err == nil && len(found) > 0 {
		return d.newestByLedger(found), true
	}
	return "", false
}
