package schedule

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // zone names work on systems without /usr/share/zoneinfo
)

// day is the length of a day on the wall clock, in seconds.
const day = 24 * 3600

// Schedule is a set of windows. The zero Schedule is always open.
type Schedule struct {
	windows []Window
}

// Window is one weekly window of a schedule.
type Window struct {
	Days  [7]bool // by time.Weekday: the days the window begins on
	Start int     // seconds after midnight, 0 to 86399
	End   int     // seconds after midnight, 1 to 86400; End <= Start crosses midnight
	Loc   *time.Location
	// Always is true for "always" and "24/7"; the other fields are unset.
	Always bool
}

// Parse reads a list of windows (see the package comment).
func Parse(specs []string) (Schedule, error) {
	if len(specs) == 0 {
		return Schedule{}, errors.New("no windows (leave the schedule out to push at all times)")
	}
	s := Schedule{windows: make([]Window, 0, len(specs))}
	for _, spec := range specs {
		w, err := ParseWindow(spec)
		if err != nil {
			return Schedule{}, err
		}
		s.windows = append(s.windows, w)
	}
	return s, nil
}

// Windows returns the schedule's windows.
func (s Schedule) Windows() []Window { return s.windows }

// Always reports whether the schedule never closes: it has no windows, or
// an "always" one.
func (s Schedule) Always() bool {
	if len(s.windows) == 0 {
		return true
	}
	for _, w := range s.windows {
		if w.Always {
			return true
		}
	}
	return false
}

// Open reports whether t falls in one of the windows.
func (s Schedule) Open(t time.Time) bool {
	if len(s.windows) == 0 {
		return true
	}
	for _, w := range s.windows {
		if w.Open(t) {
			return true
		}
	}
	return false
}

// Open reports whether t falls in the window.
func (w Window) Open(t time.Time) bool {
	if w.Always {
		return true
	}
	lt := t.In(w.Loc)
	wd := lt.Weekday()
	sec := lt.Hour()*3600 + lt.Minute()*60 + lt.Second()
	if w.Start < w.End {
		return w.Days[wd] && sec >= w.Start && sec < w.End
	}
	return (w.Days[wd] && sec >= w.Start) || (w.Days[(wd+6)%7] && sec < w.End)
}

// Next returns the first instant after t at which the schedule opens or
// closes, and false when it never does (it is always open).
func (s Schedule) Next(t time.Time) (time.Time, bool) {
	if s.Always() {
		return time.Time{}, false
	}
	var cands []time.Time
	for _, w := range s.windows {
		cands = w.edges(t, cands)
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].Before(cands[j]) })
	now := s.Open(t)
	for _, c := range cands {
		if s.Open(c) != now {
			return c, true
		}
	}
	return time.Time{}, false
}

// edges appends the starts and ends of the window's occurrences from the
// day before t to eight days after it, those after t.
func (w Window) edges(t time.Time, out []time.Time) []time.Time {
	lt := t.In(w.Loc)
	y, m, d := lt.Date()
	for off := -1; off <= 8; off++ {
		date := time.Date(y, m, d+off, 0, 0, 0, 0, w.Loc)
		if !w.Days[date.Weekday()] {
			continue
		}
		start := clock(y, m, d+off, w.Start, w.Loc)
		endDay := d + off
		if w.End <= w.Start {
			endDay++
		}
		for _, e := range []time.Time{start, clock(y, m, endDay, w.End, w.Loc)} {
			if e.After(t) {
				out = append(out, e)
			}
		}
	}
	return out
}

func clock(y int, m time.Month, d, sec int, loc *time.Location) time.Time {
	return time.Date(y, m, d, sec/3600, sec/60%60, sec%60, 0, loc)
}

// String returns the schedule in canonical form, windows joined by ", ".
func (s Schedule) String() string {
	if len(s.windows) == 0 {
		return "always"
	}
	parts := make([]string, len(s.windows))
	for i, w := range s.windows {
		parts[i] = w.String()
	}
	return strings.Join(parts, ", ")
}

// String returns the window in canonical form, which Parse reads back as
// the same window: "Mon-Fri 08:00-18:00", "Sat,Sun 22:00-06:00 Europe/London".
func (w Window) String() string {
	if w.Always {
		return "always"
	}
	s := daysString(w.Days) + " " + clockString(w.Start) + "-" + clockString(w.End)
	if w.Loc != time.UTC {
		s += " " + w.Loc.String()
	}
	return s
}

func clockString(sec int) string {
	if sec%60 != 0 {
		return fmt.Sprintf("%02d:%02d:%02d", sec/3600, sec/60%60, sec%60)
	}
	return fmt.Sprintf("%02d:%02d", sec/3600, sec/60%60)
}

// weekOrder lists the days from Monday.
var weekOrder = [7]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// daysString writes a set of days as "*" or comma-separated runs from
// Monday: "Mon-Fri", "Mon,Wed", "Sat,Sun".
func daysString(days [7]bool) string {
	var parts []string
	for i := 0; i < 7; {
		if !days[weekOrder[i]] {
			i++
			continue
		}
		j := i
		for j+1 < 7 && days[weekOrder[j+1]] {
			j++
		}
		switch {
		case i == 0 && j == 6:
			return "*"
		case i == j:
			parts = append(parts, dayNames[weekOrder[i]][:3])
		case j == i+1:
			parts = append(parts, dayNames[weekOrder[i]][:3], dayNames[weekOrder[j]][:3])
		default:
			parts = append(parts, dayNames[weekOrder[i]][:3]+"-"+dayNames[weekOrder[j]][:3])
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}
