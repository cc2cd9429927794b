package push

import (
	"errors"
	"fmt"
	"os"

	"github.com/pcappush/pcappush/lib/capture"
	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/state"
	"github.com/pcappush/pcappush/lib/state/checkpoint"
	"github.com/pcappush/pcappush/lib/state/ledger"
)

// checkpointEvery is the checkpoint interval stream_cat and pcap_split
// agree on for a target: its split time, so that every split ends on a
// checkpoint tick, or a second for size splits.
func checkpointEvery(t config.Target) int64 {
	if t.SplitTime > 0 {
		return t.SplitTime
	}
	return 1e9
}

// resumePoint is how a realtime pipeline starts.
type resumePoint struct {
	resume bool  // stream_cat --resume ckpt, pcap_split --resume
	ckpt   int64 // the checkpoint to resume at
	after  int64 // pcap_split --after (no time split before it); 0: none
	start  int64 // stream_cat --start-time when resuming is impossible; 0: none
	note   string
}

// planResume reads the target's ledger for this capture and stream_cat's
// checkpoints to decide where the pipeline starts.
func planResume(t config.Target, stateDir, uid, captureName string) (resumePoint, error) {
	es, err := ledger.Read(state.At(stateDir).Ledger(uid, captureName, false))
	if err != nil {
		return resumePoint{}, err
	}
	if len(es) == 0 {
		return resumePoint{after: lastEndElsewhere(stateDir, uid, captureName)}, nil
	}
	last := es[len(es)-1]
	if last.HasCkpt && hasCheckpoint(stateDir, uid, captureName, last.Ckpt) {
		return resumePoint{resume: true, ckpt: last.Ckpt, note: fmt.Sprintf("resuming after %s at checkpoint %d", last.Name, last.Ckpt)}, nil
	}
	// The checkpoint is gone (its file was lost, emptied or torn by a
	// crash): start after the last split by time, which is exact unless
	// packets were reordered across its end. A split of packets out of the
	// clock is not the clock.
	clock, _ := ledger.Clock(es)
	rp := resumePoint{start: clock.Last + 1, note: fmt.Sprintf("WARNING: checkpoint %d of %s is missing; resuming by time after %s, packets reordered across its end may be lost or repeated", last.Ckpt, captureName, clock.Name)}
	if t.SplitTime > 0 {
		rp.start, rp.after = clock.End, clock.End
	}
	return rp, nil
}

func hasCheckpoint(stateDir, uid, captureName string, at int64) bool {
	cps, err := checkpoint.Read(state.At(stateDir).Checkpoints(uid, captureName))
	if err != nil {
		return false
	}
	for _, c := range cps {
		if c.Time == at {
			return true
		}
	}
	return false
}

// lastEndElsewhere returns the latest split end the target published from
// other captures, so that a new capture's first split does not replace a
// split of the previous capture that covers the same time.
func lastEndElsewhere(stateDir, uid, captureName string) int64 {
	var end int64
	for _, l := range state.At(stateDir).Ledgers(uid) {
		if l.Capture == captureName {
			continue
		}
		if es, err := ledger.Read(l.Path); err == nil {
			if clock, ok := ledger.Clock(es); ok {
				end = max(end, clock.End)
			}
		}
	}
	return end
}

// clearOffline removes an offline push's ledger before it starts again.
func clearOffline(stateDir, uid, captureName string) error {
	err := os.Remove(state.At(stateDir).Ledger(uid, capture.ArgName(captureName), true))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("state: %w", err)
	}
	return nil
}
