package split

import (
	"fmt"
	"io"
	"time"
)

// progress writes the reference system's progress lines:
//
//	[0.001 H][2021-05-24 18:51:04] NAME : Total Bytes 0.080 GB Speed: 0.256Gbps : New Split
type progress struct {
	w       io.Writer
	every   int64
	now     func() time.Time
	began   time.Time
	total   int64
	nextAt  int64
	enabled bool
}

func newProgress(w io.Writer, o Options) *progress {
	p := &progress{w: w, every: o.ProgressEvery, now: o.Now, enabled: w != nil && o.ProgressEvery > 0}
	if p.now == nil {
		p.now = time.Now
	}
	p.began = p.now()
	p.nextAt = p.every
	return p
}

func (p *progress) add(n int64, name string) {
	p.total += n
	if p.enabled && p.total >= p.nextAt {
		p.nextAt = (p.total/p.every + 1) * p.every
		p.line(name, "")
	}
}

func (p *progress) newSplit(n int64, name string) {
	p.total += n
	if p.enabled {
		p.line(name, " : New Split")
	}
}

// renamed notes that a size split shown under its provisional name was
// published as name.
func (p *progress) renamed(name string) {
	if p.enabled {
		p.line(name, " : Published")
	}
}

// note writes a line whatever the progress interval.
func (p *progress) note(format string, args ...any) {
	if p.w != nil {
		fmt.Fprintf(p.w, format+"\n", args...)
	}
}

func (p *progress) line(name, tail string) {
	now := p.now()
	el := now.Sub(p.began)
	gbps := 0.0
	if s := el.Seconds(); s > 0 {
		gbps = float64(p.total) * 8 / s / 1e9
	}
	fmt.Fprintf(p.w, "[%.3f H][%s] %s : Total Bytes %.3f GB Speed: %.3fGbps%s\n",
		el.Hours(), now.Format("2006-01-02 15:04:05"), name, float64(p.total)/1e9, gbps, tail)
}
