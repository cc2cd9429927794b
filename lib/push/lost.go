package push

import (
	"fmt"
	"path/filepath"

	"github.com/pcappush/pcappush/lib/capture"
	"github.com/pcappush/pcappush/lib/push/status"
	"github.com/pcappush/pcappush/lib/state"
	"github.com/pcappush/pcappush/lib/state/ledger"
)

// lost reports, loudly, a capture deleted (by its recorder's ring buffer)
// before t pushed it to its end, with the time range lost: from the end
// of the last split published from it to its last packet seen (when the
// status loop saw it). The loss goes to the analytics log, stderr and
// the target's status, and is kept in the capture's done marker so that
// a later push_realtime still shows it.
func (p *Pusher) lost(t *target, name string) {
	l := state.Loss{Capture: name, Detected: p.o.Clock.Now()}
	if last, ok, err := ledger.Last(p.state().Ledger(t.uid, name, false)); err == nil && ok {
		from := last.End
		l.FromNS, l.After = &from, filepath.Base(last.Name)
	}
	t.mu.Lock()
	if t.seenCapture == name && (l.FromNS == nil || t.seenEnd > *l.FromNS) {
		to := t.seenEnd
		l.ToNS = &to
	}
	t.st.Lost = append(t.st.Lost, l)
	if n := len(t.st.Lost); n > status.MaxLost {
		t.st.Lost = append([]state.Loss(nil), t.st.Lost[n-status.MaxLost:]...)
	}
	t.st.LastError, t.st.LastErrorTime = l.String(), &l.Detected
	t.mu.Unlock()
	p.log.Printf("push %s: %s", t.desc(), l)
	fmt.Fprintf(p.o.Stderr, "push_realtime: %s: %s\n", t.desc(), l)
	if err := p.state().MarkLost(t.desc(), l); err != nil {
		p.log.Printf("push %s: warning: %v", t.desc(), err)
	}
	p.persist(t)
}

// losses reads the losses kept in desc's done markers, oldest first, at
// most status.MaxLost.
func (p *Pusher) losses(desc string) []state.Loss { return p.state().Losses(desc, status.MaxLost) }

// noteEnd remembers the last packet time of the capture t pushes in
// realtime (running, or waiting to restart after a failure), to bound the
// range lost should the capture be deleted before it is pushed.
func (p *Pusher) noteEnd(t *target) {
	t.mu.Lock()
	name, realtime := t.st.Capture, t.st.Mode == status.Realtime
	t.mu.Unlock()
	if !realtime || name == "" {
		return
	}
	c, err := capture.Store{Dir: p.settings().store}.Capture(name)
	if err != nil {
		return
	}
	in, err := c.Info(capture.DefaultActiveWindow, p.o.Clock.Now())
	if err != nil || !in.HasLast || in.LastApprox {
		return
	}
	t.mu.Lock()
	t.seenCapture, t.seenEnd = name, in.Last
	t.mu.Unlock()
}
