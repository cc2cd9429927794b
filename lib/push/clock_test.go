package push

import (
	"path/filepath"
	"testing"

	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/state/ledger"
)

// TestPlanResumeIgnoresOutliers: a split of packets out of the clock (a
// year ahead) is not the clock: neither a new capture's --after nor a
// resume by time starts after it.
func TestPlanResumeIgnoresOutliers(t *testing.T) {
	state := t.TempDir()
	tgt := config.Target{Desc: "all", SplitTime: 60e9}
	const year = int64(365 * 24 * 3600e9)
	cap1 := filepath.Join(state, "push_1", "cap1.ledger")
	appendEntry(t, cap1, ledger.Entry{Name: "a", End: 300e9, Last: 299e9, HasCkpt: true, Ckpt: 240e9})
	appendEntry(t, cap1, ledger.Entry{Name: "future", Start: 300e9 + year, End: 360e9 + year, Last: 301e9 + year, HasCkpt: true, Ckpt: 240e9, Skip: 3, Outlier: true})
	if rp, _ := planResume(tgt, state, "push_1", "cap2"); rp.after != 300e9 {
		t.Errorf("a new capture after an outlier: %+v; want --after 300e9", rp)
	}
	// No checkpoint file for cap1: a resume by time, after the clock's split.
	rp, err := planResume(tgt, state, "push_1", "cap1")
	if err != nil || rp.resume || rp.start != 300e9 || rp.after != 300e9 {
		t.Errorf("resume by time after an outlier: %+v, %v; want start and after 300e9", rp, err)
	}
}
