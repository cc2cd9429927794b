package schedule

import (
	"testing"
	"time"
)

// FuzzParseWindow: ParseWindow never panics, and a window it accepts
// prints in a canonical form that reads back as the same window.
func FuzzParseWindow(f *testing.F) {
	for _, s := range []string{"Mon-Fri 08:00-18:00", "Sat 00:00-06:00", "Mon-Fri 08:00-18:00 Europe/London",
		"Fri 22:00-06:00", "* 00:00-24:00", "daily 12:00:30-12:01", "Mon,Wed,Fri-Sun 1:00-2:00", "24/7",
		"08:00 - 18:00 Asia/Tokyo", "Mon-Fri 8-18", "Sun 23:59:59-00:00:01"} {
		f.Add(s)
	}
	t0 := time.Date(2021, 5, 24, 7, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, spec string) {
		w, err := ParseWindow(spec)
		if err != nil {
			return
		}
		again, err := ParseWindow(w.String())
		if err != nil {
			t.Fatalf("ParseWindow(%q) printed %q, which does not parse: %v", spec, w.String(), err)
		}
		if again.String() != w.String() || again.Days != w.Days || again.Start != w.Start || again.End != w.End {
			t.Fatalf("ParseWindow(%q) = %q; read back as %q", spec, w.String(), again.String())
		}
		s := Schedule{windows: []Window{w}}
		if next, ok := s.Next(t0); ok && s.Open(next) == s.Open(t0) {
			t.Fatalf("%q: Next(%v) = %v, where Open does not change", w.String(), t0, next)
		}
	})
}
