package push

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/pcappush/pcappush/lib/capture"
	"github.com/pcappush/pcappush/lib/ledger"
	"github.com/pcappush/pcappush/lib/pushstatus"
)

// lost reports, loudly, a capture deleted (by its recorder's ring buffer)
// before t pushed it to its end, with the time range lost: from the end
// of the last split published from it to its last packet seen (when the
// status loop saw it). The loss goes to the analytics log, stderr and
// the target's status, and is kept in the capture's done marker so that
// a later push_realtime still shows it.
func (p *Pusher) lost(t *target, name string) {
	l := pushstatus.Loss{Capture: name, Detected: p.o.Now()}
	if last, ok, err := ledger.Last(ledgerPath(p.o.StateDir, t.uid, name, false)); err == nil && ok {
		from := last.End
		l.FromNS, l.After = &from, filepath.Base(last.Name)
	}
	t.mu.Lock()
	if t.seenCapture == name && (l.FromNS == nil || t.seenEnd > *l.FromNS) {
		to := t.seenEnd
		l.ToNS = &to
	}
	t.st.Lost = append(t.st.Lost, l)
	if n := len(t.st.Lost); n > pushstatus.MaxLost {
		t.st.Lost = append([]pushstatus.Loss(nil), t.st.Lost[n-pushstatus.MaxLost:]...)
	}
	t.st.LastError, t.st.LastErrorTime = l.String(), &l.Detected
	t.mu.Unlock()
	p.log.Printf("push %s: %s", t.desc(), l)
	fmt.Fprintf(p.o.Stderr, "push_realtime: %s: %s\n", t.desc(), l)
	b, _ := json.Marshal(l)
	p.markDoneWith(t, name, b)
	p.persist(t)
}

// losses reads the losses kept in desc's done markers, oldest first, at
// most pushstatus.MaxLost.
func (p *Pusher) losses(desc string) []pushstatus.Loss {
	dir := filepath.Join(p.o.StateDir, "targets", desc, "done")
	es, _ := os.ReadDir(dir)
	var out []pushstatus.Loss
	for _, e := range es {
		if info, err := e.Info(); err != nil || info.Size() == 0 {
			continue // a capture pushed to its end
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		var l pushstatus.Loss
		if err == nil && json.Unmarshal(b, &l) == nil && l.Capture == e.Name() {
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Detected.Before(out[j].Detected) })
	if len(out) > pushstatus.MaxLost {
		out = out[len(out)-pushstatus.MaxLost:]
	}
	return out
}

// noteEnd remembers the last packet time of the capture t pushes in
// realtime (running, or waiting to restart after a failure), to bound the
// range lost should the capture be deleted before it is pushed.
func (p *Pusher) noteEnd(t *target) {
	t.mu.Lock()
	name, realtime := t.st.Capture, t.st.Mode == pushstatus.Realtime
	t.mu.Unlock()
	if !realtime || name == "" {
		return
	}
	c, err := capture.Store{Dir: p.settings().store}.Capture(name)
	if err != nil {
		return
	}
	in, err := c.Info(capture.DefaultActiveWindow, time.Now())
	if err != nil || !in.HasLast || in.LastApprox {
		return
	}
	t.mu.Lock()
	t.seenCapture, t.seenEnd = name, in.Last
	t.mu.Unlock()
}
