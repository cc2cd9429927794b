package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pcappush/pcappush/lib/capture"
	"github.com/pcappush/pcappush/lib/push/status"
	"github.com/pcappush/pcappush/lib/quote"
)

// writeTable writes the report for a person: a line on the service, the
// targets' table, the details, and the store's listing.
func writeTable(w io.Writer, r *status.Report) error {
	if r.Service.Running {
		fmt.Fprintf(w, "push_realtime: running, pid %d, since %s\n\n", r.Service.PID, r.Service.Started.UTC().Format("2006-01-02 15:04:05 UTC"))
	} else {
		fmt.Fprintf(w, "push_realtime: not running (state %s)\n\n", r.StateDir)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tSTATE\tCAPTURE\tLAST SPLIT\tPUBLISHED\tSPLITS\tBYTES\tPACKETS\tLAG\tRESTARTS\tERROR")
	for _, row := range r.Targets {
		fmt.Fprintln(tw, strings.Join(cells(r, row), "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, row := range r.Targets {
		if row.Detail != "" {
			fmt.Fprintf(w, "  %s: %s\n", name(row), quote.OneLine(row.Detail))
		}
		if row.Skipped > 0 {
			fmt.Fprintf(w, "  %s: %d splits skipped: their names already held the same bytes (published before)\n", name(row), row.Skipped)
		}
		for _, l := range row.Lost {
			fmt.Fprintf(w, "  %s: %s (noticed %s)\n", name(row), quote.OneLine(l.String()), l.Detected.UTC().Format("2006-01-02 15:04:05 UTC"))
		}
		if s := row.LastOutOfClock; s != nil {
			fmt.Fprintf(w, "  %s: %d packets stamped out of the clock, published apart; the newest in %s (%s to %s)\n", name(row), row.OutOfClock,
				quote.OneLine(path.Base(s.Name)), time.Unix(0, s.First).UTC().Format(time.RFC3339), time.Unix(0, s.Last).UTC().Format(time.RFC3339))
		}
		if row.LastError != "" && row.Log != "" {
			fmt.Fprintf(w, "  %s: its log: %s\n", name(row), quote.Name(row.Log))
		}
	}
	if r.FoldersFrom != "" {
		fmt.Fprintf(w, "\nfolders from %s\n", quote.OneLine(r.FoldersFrom))
	}
	if r.LogDir != "" {
		fmt.Fprintf(w, "logs %s: analytics_push_realtime.cur, push_<target>.cur\n", r.LogDir)
	}
	if _, err := os.Stat(r.Store.Dir); errors.Is(err, fs.ErrNotExist) {
		// an offline push of a capture given by its path needs no store
		fmt.Fprintf(w, "store %s: none (no such folder)\n", r.Store.Dir)
		return nil
	}
	fmt.Fprintf(w, "store %s:\n", r.Store.Dir)
	if r.Store.Error != "" {
		fmt.Fprintf(w, "  cannot list it: %s\n", quote.OneLine(r.Store.Error))
		return nil
	}
	return capture.WriteList(w, r.Store.Infos())
}

func name(row status.Row) string {
	if row.Mode == status.Offline {
		return row.Target + " (offline)"
	}
	return row.Target
}

func cells(r *status.Report, row status.Row) []string {
	last, published, lag := "-", "-", "-"
	if s := row.LastSplit; s != nil {
		last = path.Base(s.Name)
		published = status.Duration(r.Now.Sub(s.Published)) + " ago"
	}
	if row.LagSeconds != nil {
		lag = status.Duration(time.Duration(*row.LagSeconds * float64(time.Second)))
	}
	errText := quote.OneLine(row.LastError)
	if errText == "" && len(row.Lost) > 0 {
		errText = quote.OneLine(row.Lost[len(row.Lost)-1].String()) // lost before this push_realtime started
	}
	switch {
	case errText == "":
		errText = "-"
	case len(errText) > 60:
		errText = errText[:57] + "..."
	}
	return []string{name(row), row.State, orDash(quote.Name(row.Capture)), quote.OneLine(last), published, strconv.FormatInt(row.Splits, 10),
		status.Bytes(row.Bytes), strconv.FormatInt(row.Packets, 10), lag, strconv.FormatInt(row.Restarts, 10), errText}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
