package window

import (
	"context"
	"io"
	"strings"

	"github.com/pcappush/pcappush/lib/pcapio"
)

// outBuffer is the size of the output buffer.
const outBuffer = 1 << 20

// Read lists the destinations, reads the splits that meet the window and
// writes their packets in the window to w as one nanosecond PCAP stream,
// merged by time. Option mistakes wrap ErrUsage or are
// *output.ConfigError; everything else is a runtime failure naming the
// folder or split at fault.
func Read(ctx context.Context, w io.Writer, opts Options) (Stats, error) {
	series, err := List(ctx, opts)
	if err != nil {
		return Stats{}, err
	}
	return readSeries(ctx, w, series, opts)
}

// readSeries merges the selected splits of series into w. What was
// merged before a failure is flushed; a stop (ctx cancelled) ends the
// stream there with a warning, and no error.
func readSeries(ctx context.Context, w io.Writer, series []*Series, opts Options) (st Stats, err error) {
	stop := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := &reader{opts: &opts, start: opts.Start, end: opts.end(), stats: &st, stop: stop}
	srcs := sources(ctx, series, r)
	st.Sources = len(srcs)
	if len(srcs) == 0 {
		opts.warnf("no split of %s meets the window", strings.Join(opts.From, ", "))
	}
	defer func() {
		for _, s := range srcs {
			st.Splits += s.opened
			st.Bytes += s.f.read.Load()
		}
		st.Splits -= st.Skipped
	}()
	time, done := make([]int64, len(srcs)), make([]bool, len(srcs))
	for i, s := range srcs {
		if err := s.next(r); err != nil {
			return st, r.stopped(err)
		}
		time[i], done[i] = s.time, s.done
	}
	if !r.linkSet {
		r.linkType = pcapio.LinkTypeEthernet
	}
	out := pcapio.NewWriterSize(w, r.linkType, pcapio.DefaultSnaplen, outBuffer)
	err = out.WriteHeader()
	if err == nil {
		err = merge(srcs, newLoserTree(time, done), out, r)
	}
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	return st, r.stopped(err)
}

// merge writes the sources' packets in time order until none is left.
func merge(srcs []*source, lt *loserTree, out *pcapio.Writer, r *reader) error {
	for len(srcs) > 0 {
		i := lt.winner()
		s := srcs[i]
		if s.done {
			return nil
		}
		if err := s.write(out); err != nil {
			return err
		}
		r.stats.Packets++
		r.last = s.time
		if err := s.next(r); err != nil {
			return err
		}
		lt.time[i], lt.done[i] = s.time, s.done
		lt.fix()
	}
	return nil
}

// sources starts a fetcher for each series with splits in the window.
func sources(ctx context.Context, series []*Series, r *reader) []*source {
	var out []*source
	for _, s := range series {
		sel := s.Select(r.start, r.end)
		if len(sel) == 0 {
			continue
		}
		src := &source{s: s, splits: sel, cur: -1, f: newFetcher(sel, r.opts.pieceSize())}
		src.in = splitReader{ctx: ctx, f: src.f}
		go src.f.run(ctx)
		out = append(out, src)
	}
	return out
}
