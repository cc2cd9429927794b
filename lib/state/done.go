package state

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/pcappush/pcappush/lib/durable"
)

// Loss is a capture deleted before its target pushed it to its end: its
// packets from FromNS (the end of the last split published from it; the
// capture's start when nil) to ToNS (its last packet as last seen by
// push_realtime; unknown when nil) were not pushed. It is kept in the
// capture's done marker.
type Loss struct {
	Capture  string    `json:"capture"`
	Detected time.Time `json:"detected"`
	After    string    `json:"after_split,omitempty"` // the last split published from it
	FromNS   *int64    `json:"from_ns,omitempty"`
	ToNS     *int64    `json:"to_ns,omitempty"`
}

// Range describes the time range lost: "from A to B", "from A on", "from
// its start to B" or "from its start on", with times in UTC RFC 3339 to
// the nanosecond.
func (l Loss) Range() string {
	from := "its start"
	if l.FromNS != nil {
		from = time.Unix(0, *l.FromNS).UTC().Format(time.RFC3339Nano)
		if l.After != "" {
			from += " (after " + l.After + ")"
		}
	}
	if l.ToNS == nil {
		return "from " + from + " on"
	}
	return "from " + from + " to " + time.Unix(0, *l.ToNS).UTC().Format(time.RFC3339Nano) + " (its last packet seen)"
}

// String is the loss as logged and shown: "LOST: capture NAME was deleted
// ...; its packets RANGE were not pushed".
func (l Loss) String() string {
	return fmt.Sprintf("LOST: capture %s was deleted from the store before it was pushed to its end; its packets %s were not pushed", l.Capture, l.Range())
}

// MarkDone records that target desc pushed capture to its end.
func (d Dir) MarkDone(desc, capture string) error { return d.mark(desc, capture, nil) }

// MarkLost records that capture was deleted before target desc pushed it
// to its end.
func (d Dir) MarkLost(desc string, l Loss) error {
	b, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	return d.mark(desc, l.Capture, b)
}

func (d Dir) mark(desc, capture string, body []byte) error {
	dir := d.DoneDir(desc)
	if err := durable.MkdirAll(dir, DirPerm); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if err := durable.WriteFile(filepath.Join(dir, capture), body, FilePerm); err != nil {
		return fmt.Errorf("state: target %s: %w", desc, err)
	}
	return nil
}

// Done returns the captures target desc has finished (pushed to their end,
// or lost).
func (d Dir) Done(desc string) map[string]bool {
	es, _ := os.ReadDir(d.DoneDir(desc))
	out := make(map[string]bool, len(es))
	for _, e := range es {
		if e.Type().IsRegular() && !tempName(e.Name()) {
			out[e.Name()] = true
		}
	}
	return out
}

// tempName reports a name a durable write uses for its temporary file.
func tempName(name string) bool { return len(name) > 0 && name[0] == '.' }

// Losses returns the losses kept in target desc's done markers, oldest
// first, at most max.
func (d Dir) Losses(desc string, max int) []Loss {
	dir := d.DoneDir(desc)
	es, _ := os.ReadDir(dir)
	var out []Loss
	for _, e := range es {
		if info, err := e.Info(); err != nil || !info.Mode().IsRegular() || info.Size() == 0 {
			continue // a capture pushed to its end
		}
		b, err := durable.ReadFile(filepath.Join(dir, e.Name()))
		var l Loss
		if err == nil && json.Unmarshal(b, &l) == nil && l.Capture == e.Name() {
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Detected.Before(out[j].Detected) })
	if len(out) > max {
		out = out[len(out)-max:]
	}
	return out
}
