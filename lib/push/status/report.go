package status

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pcappush/pcappush/lib/capture"
)

// Report is what `push_realtime status` shows: the service, one row per
// target, and the capture store.
type Report struct {
	Now      time.Time `json:"now"`
	StateDir string    `json:"state_dir"`
	LogDir   string    `json:"log_dir,omitempty"` // set by the caller: the log folder, shown with the report
	// FoldersFrom says where the caller found the log folder and the
	// store: a push's record, or the configuration or the defaults.
	FoldersFrom string  `json:"folders_from,omitempty"`
	Service     Service `json:"push_realtime"`
	Targets     []Row   `json:"targets"`
	Store       Store   `json:"store"`
}

// Service says whether a realtime push_realtime is running.
type Service struct {
	Running bool       `json:"running"`
	PID     int        `json:"pid,omitempty"`
	Started *time.Time `json:"started,omitempty"`
}

// Row is a target's status as shown: when the push_realtime that wrote it
// is gone, State is Stopped and Recorded holds the state it recorded.
type Row struct {
	Status
	Alive      bool     `json:"alive"`
	Recorded   string   `json:"recorded_state,omitempty"`
	LagSeconds *float64 `json:"lag_seconds,omitempty"`
}

// Store is the capture store's listing, as stream_cat --list shows it.
type Store struct {
	Dir      string         `json:"dir"`
	Captures []StoreEntry   `json:"captures"`
	Error    string         `json:"error,omitempty"`
	infos    []capture.Info // for the table
}

// StoreEntry is one capture of the store.
type StoreEntry struct {
	Name       string `json:"name"`
	Chunks     int    `json:"chunks"`
	Bytes      int64  `json:"bytes"`
	FirstNS    *int64 `json:"first_ns,omitempty"`
	LastNS     *int64 `json:"last_ns,omitempty"`
	LastApprox bool   `json:"last_approx,omitempty"`
	Complete   bool   `json:"complete"`
	Active     bool   `json:"active"`
}

// NewReport reads the state folder and lists the store. configured, when
// not nil, names the targets of the configuration: those without a status
// get a row saying so, and rows of others say they are not configured.
// A store that cannot be listed is reported in Store.Error.
func NewReport(stateDir, storeDir string, configured []string, now time.Time) (*Report, error) {
	sts, err := ReadAll(stateDir)
	if err != nil {
		return nil, err
	}
	r := &Report{Now: now, StateDir: stateDir, Targets: []Row{}}
	seen := map[string]bool{}
	for _, s := range sts {
		r.Targets = append(r.Targets, r.row(s, configured))
		seen[s.Target] = true
	}
	for _, name := range configured {
		if !seen[name] {
			r.Targets = append(r.Targets, Row{Status: Status{Format: Format, Target: name, Mode: Realtime, State: Stopped, Detail: "no status yet: not run with this state folder"}})
		}
	}
	r.Store = listStore(storeDir, now)
	return r, nil
}

func (r *Report) row(s Status, configured []string) Row {
	row := Row{Status: s, Alive: s.Alive()}
	if !row.Alive && s.State != Stopped {
		row.Recorded, row.State = s.State, Stopped
		row.Detail = fmt.Sprintf("push_realtime (pid %d) is not running; it recorded %q", s.PID, s.State)
	}
	if row.Alive && s.Mode == Realtime && !r.Service.Running {
		started := s.Started
		r.Service = Service{Running: true, PID: s.PID, Started: &started}
	}
	if lag, ok := s.Lag(r.Now); ok {
		sec := lag.Seconds()
		row.LagSeconds = &sec
	}
	if configured != nil && !slices.Contains(configured, s.Target) {
		row.Detail = strings.TrimPrefix(row.Detail+"; not in the configuration", "; ")
	}
	return row
}

func listStore(dir string, now time.Time) Store {
	st := Store{Dir: dir, Captures: []StoreEntry{}}
	infos, err := capture.Store{Dir: dir}.List(capture.DefaultActiveWindow, now)
	if err != nil {
		st.Error = err.Error()
	}
	st.infos = infos
	for _, in := range infos {
		e := StoreEntry{Name: in.Name, Chunks: in.Chunks, Bytes: in.Bytes, LastApprox: in.LastApprox, Complete: in.Complete, Active: in.Active}
		if in.HasFirst {
			e.FirstNS = &in.First
		}
		if in.HasLast {
			e.LastNS = &in.Last
		}
		st.Captures = append(st.Captures, e)
	}
	return st
}

// WriteJSON writes the report as one indented JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// Infos are the store's captures as capture.WriteList takes them.
func (s Store) Infos() []capture.Info { return s.infos }

// Bytes formats n in SI units: "0 B", "812 B", "80.1 MB", "1.20 GB".
func Bytes(n int64) string {
	const units = "kMGTPE"
	if n < 1000 {
		return strconv.FormatInt(n, 10) + " B"
	}
	f, i := float64(n)/1000, 0
	for f >= 1000 && i < len(units)-1 {
		f /= 1000
		i++
	}
	if f < 10 {
		return fmt.Sprintf("%.2f %cB", f, units[i])
	}
	return fmt.Sprintf("%.1f %cB", f, units[i])
}

// Duration formats d shortly: "0.4s", "42s", "3m10s", "5h02m", "3d04h".
func Duration(d time.Duration) string {
	neg := ""
	if d < 0 {
		neg, d = "-", -d
	}
	switch {
	case d < 10*time.Second:
		return fmt.Sprintf("%s%.1fs", neg, d.Seconds())
	case d < time.Minute:
		return fmt.Sprintf("%s%ds", neg, int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%s%dm%02ds", neg, int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%s%dh%02dm", neg, int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%s%dd%02dh", neg, int(d.Hours())/24, int(d.Hours())%24)
}
