package schedule

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// dayNames are the days' names by time.Weekday.
var dayNames = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// ParseWindow reads one window: "Mon-Fri 08:00-18:00", "Sat 22:00-06:00
// Europe/London", "08:00-18:00", "always".
func ParseWindow(spec string) (Window, error) {
	w, err := parseWindow(spec)
	if err != nil {
		return Window{}, fmt.Errorf("window %q: %w", spec, err)
	}
	return w, nil
}

func parseWindow(spec string) (Window, error) {
	f := strings.Fields(spec)
	if len(f) == 0 {
		return Window{}, errors.New("empty")
	}
	if l := strings.ToLower(f[0]); len(f) == 1 && (l == "always" || l == "24/7") {
		return Window{Always: true}, nil
	}
	// "08:00 - 18:00" reads as "08:00-18:00".
	for i := 1; i+1 < len(f); i++ {
		if f[i] == "-" {
			f = append(f[:i-1], append([]string{f[i-1] + "-" + f[i+1]}, f[i+2:]...)...)
			break
		}
	}
	w := Window{Loc: time.UTC}
	if startsWithDigit(f[0]) {
		w.Days = everyDay()
	} else {
		days, err := parseDays(f[0])
		if err != nil {
			return w, err
		}
		w.Days, f = days, f[1:]
	}
	if len(f) == 0 {
		return w, errors.New("no hours: want START-END, e.g. 08:00-18:00")
	}
	if err := w.parseHours(f[0]); err != nil {
		return w, err
	}
	switch {
	case len(f) == 2:
		loc, err := time.LoadLocation(f[1])
		if err != nil || f[1] == "" {
			return w, fmt.Errorf("unknown time zone %q (want an IANA name such as Europe/London, or UTC)", f[1])
		}
		w.Loc = loc
	case len(f) > 2:
		return w, fmt.Errorf("unexpected %q after the zone (want DAYS START-END [ZONE])", f[2])
	}
	return w, nil
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

func everyDay() [7]bool { return [7]bool{true, true, true, true, true, true, true} }

func (w *Window) parseHours(s string) error {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return fmt.Errorf("%q: want START-END, e.g. 08:00-18:00", s)
	}
	var err error
	if w.Start, err = parseClock(a); err != nil {
		return fmt.Errorf("start %w", err)
	}
	if w.Start == day {
		return errors.New("start 24:00: a window starts at 23:59:59 at the latest")
	}
	if w.End, err = parseClock(b); err != nil {
		return fmt.Errorf("end %w", err)
	}
	if w.End == w.Start {
		return fmt.Errorf("%q is empty: write 00:00-24:00 for a whole day", s)
	}
	return nil
}

// parseClock reads HH:MM or HH:MM:SS (24:00 allowed) as seconds after
// midnight.
func parseClock(s string) (int, error) {
	parts := strings.Split(s, ":")
	bad := fmt.Errorf("%q: want HH:MM or HH:MM:SS, e.g. 08:00 or 17:30:15", s)
	if len(parts) < 2 || len(parts) > 3 || len(parts[0]) == 0 || len(parts[0]) > 2 {
		return 0, bad
	}
	var v [3]int
	for i, p := range parts {
		if i > 0 && len(p) != 2 {
			return 0, bad
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p[0] == '+' || p[0] == '-' {
			return 0, bad
		}
		v[i] = n
	}
	sec := v[0]*3600 + v[1]*60 + v[2]
	switch {
	case v[1] > 59 || v[2] > 59:
		return 0, bad
	case v[0] > 24 || sec > day:
		return 0, fmt.Errorf("%q: past 24:00", s)
	}
	return sec, nil
}

// parseDays reads "*", "daily", a day, a range of days, or a comma list
// of days and ranges.
func parseDays(s string) ([7]bool, error) {
	var days [7]bool
	if l := strings.ToLower(s); l == "*" || l == "daily" {
		return everyDay(), nil
	}
	for _, part := range strings.Split(s, ",") {
		a, b, isRange := strings.Cut(part, "-")
		from, err := parseDay(a)
		if err != nil {
			return days, err
		}
		to := from
		if isRange {
			if to, err = parseDay(b); err != nil {
				return days, err
			}
		}
		for d := from; ; d = (d + 1) % 7 {
			days[d] = true
			if d == to {
				break
			}
		}
	}
	return days, nil
}

func parseDay(s string) (time.Weekday, error) {
	l := strings.ToLower(s)
	if len(l) >= 3 {
		for i, n := range dayNames {
			if strings.HasPrefix(strings.ToLower(n), l) {
				return time.Weekday(i), nil
			}
		}
	}
	return 0, fmt.Errorf("%q is not a day: want Mon, Tue, Wed, Thu, Fri, Sat, Sun, a range such as Mon-Fri, a list such as Sat,Sun, or * for every day", s)
}
