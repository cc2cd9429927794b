package window

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/pcappush/pcappush/lib/capture"
)

// WriteList writes, one line each, the splits of series that meet the
// window: the series' folder, the split's name, the bounds of its
// time range as the names tell it (see Split.NameEnd; "?" for the last
// split of a name without an end) and its size as stored.
func WriteList(w io.Writer, series []*Series, opts Options) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "FOLDER\tNAME\tFROM\tTO\tBYTES")
	end := opts.end()
	for _, s := range series {
		for _, sp := range s.Select(opts.Start, end) {
			to := "?"
			if e, ok := sp.NameEnd(); ok {
				to = capture.FormatTime(e)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", s.Remote.Display(), sp.Name, capture.FormatTime(sp.Lo), to, sp.Size)
		}
	}
	return tw.Flush()
}
