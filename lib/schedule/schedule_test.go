package schedule

import (
	"strings"
	"testing"
	"time"
)

// at returns a UTC instant; 2021-05-24 is a Monday.
func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestOpen(t *testing.T) {
	tests := []struct {
		specs []string
		when  string
		want  bool
	}{
		{[]string{"Mon-Fri 08:00-18:00"}, "2021-05-24 08:00:00", true},
		{[]string{"Mon-Fri 08:00-18:00"}, "2021-05-24 07:59:59", false},
		{[]string{"Mon-Fri 08:00-18:00"}, "2021-05-24 17:59:59", true},
		{[]string{"Mon-Fri 08:00-18:00"}, "2021-05-24 18:00:00", false},
		{[]string{"Mon-Fri 08:00-18:00"}, "2021-05-29 12:00:00", false}, // Saturday
		{[]string{"Mon-Fri 08:00-18:00", "Sat 00:00-06:00"}, "2021-05-29 05:59:59", true},
		{[]string{"Mon-Fri 08:00-18:00", "Sat 00:00-06:00"}, "2021-05-29 06:00:00", false},
		// Crossing midnight: the days name the day the window begins.
		{[]string{"Fri 22:00-06:00"}, "2021-05-28 21:59:59", false},
		{[]string{"Fri 22:00-06:00"}, "2021-05-28 23:00:00", true},
		{[]string{"Fri 22:00-06:00"}, "2021-05-29 05:59:59", true},
		{[]string{"Fri 22:00-06:00"}, "2021-05-29 06:00:00", false},
		{[]string{"Fri 22:00-06:00"}, "2021-05-29 23:00:00", false}, // Saturday night
		{[]string{"Fri 22:00-06:00"}, "2021-05-28 05:00:00", false}, // Friday morning: Thursday's night
		// Ranges wrapping over the weekend, lists, every day.
		{[]string{"Fri-Mon 10:00-11:00"}, "2021-05-30 10:30:00", true},
		{[]string{"Fri-Mon 10:00-11:00"}, "2021-05-26 10:30:00", false},
		{[]string{"Mon,Wed,Fri-Sun 10:00-11:00"}, "2021-05-26 10:30:00", true},
		{[]string{"Mon,Wed,Fri-Sun 10:00-11:00"}, "2021-05-25 10:30:00", false},
		{[]string{"* 10:00-11:00"}, "2021-05-25 10:30:00", true},
		{[]string{"daily 23:00-24:00"}, "2021-05-25 23:59:59", true},
		{[]string{"23:00-24:00"}, "2021-05-26 00:00:00", false},
		{[]string{"12:00:05-12:00:10"}, "2021-05-26 12:00:05", true},
		{[]string{"12:00:05-12:00:10"}, "2021-05-26 12:00:10", false},
		{[]string{"always"}, "2021-05-26 03:00:00", true},
		// Zones: 08:00-18:00 in London is 07:00-17:00 UTC in May (BST).
		{[]string{"Mon-Fri 08:00-18:00 Europe/London"}, "2021-05-24 07:00:00", true},
		{[]string{"Mon-Fri 08:00-18:00 Europe/London"}, "2021-05-24 17:00:00", false},
		{[]string{"Mon-Fri 08:00-18:00 Europe/London"}, "2021-01-04 07:30:00", false}, // GMT in winter
		{[]string{"Mon 00:00-01:00 Asia/Tokyo"}, "2021-05-23 15:30:00", true},         // Sunday in UTC
	}
	for _, tt := range tests {
		s, err := Parse(tt.specs)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.specs, err)
		}
		if got := s.Open(at(tt.when)); got != tt.want {
			t.Errorf("Parse(%q).Open(%s) = %v; want %v", tt.specs, tt.when, got, tt.want)
		}
	}
}

func TestNext(t *testing.T) {
	tests := []struct {
		specs      []string
		when, want string
	}{
		{[]string{"Mon-Fri 08:00-18:00"}, "2021-05-24 07:00:00", "2021-05-24 08:00:00"},
		{[]string{"Mon-Fri 08:00-18:00"}, "2021-05-24 08:00:00", "2021-05-24 18:00:00"},
		{[]string{"Mon-Fri 08:00-18:00"}, "2021-05-28 18:00:00", "2021-05-31 08:00:00"}, // Friday evening: Monday
		{[]string{"Fri 22:00-06:00"}, "2021-05-28 23:00:00", "2021-05-29 06:00:00"},
		// Adjacent windows join: no change at Saturday 00:00.
		{[]string{"Fri 18:00-24:00", "Sat 00:00-02:00"}, "2021-05-28 19:00:00", "2021-05-29 02:00:00"},
		{[]string{"Sun 12:00-13:00"}, "2021-05-24 00:00:00", "2021-05-30 12:00:00"},
		{[]string{"Mon 00:00-01:00 Asia/Tokyo"}, "2021-05-23 12:00:00", "2021-05-23 15:00:00"},
	}
	for _, tt := range tests {
		s, _ := Parse(tt.specs)
		got, ok := s.Next(at(tt.when))
		if !ok || !got.Equal(at(tt.want)) {
			t.Errorf("Parse(%q).Next(%s) = %v, %v; want %s", tt.specs, tt.when, got.UTC(), ok, tt.want)
		}
	}
	if _, ok := (Schedule{}).Next(at("2021-05-24 00:00:00")); ok {
		t.Error("the zero schedule changes; want always open")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"", `window "": empty`},
		{"Mon-Fri", "no hours"},
		{"Mon-Fri 8-18", `start "8": want HH:MM or HH:MM:SS`},
		{"Mon-Fri 08:00", `"08:00": want START-END`},
		{"Mon-Fry 08:00-18:00", `"Fry" is not a day`},
		{"Mo 08:00-18:00", `"Mo" is not a day`},
		{"Mon-Fri 08:00-18:60", `end "18:60": want HH:MM`},
		{"Mon-Fri 08:00-25:00", `end "25:00": past 24:00`},
		{"Mon-Fri 08:00-24:01", `past 24:00`},
		{"Mon-Fri 24:00-06:00", `start 24:00`},
		{"Mon-Fri 08:00-08:00", `is empty: write 00:00-24:00`},
		{"Mon-Fri 08:00-18:00 Europe/Londn", `unknown time zone "Europe/Londn"`},
		{"Mon-Fri 08:00-18:00 UTC extra", `unexpected "extra"`},
		{"Mon-Fri +8:00-18:00", `want HH:MM`},
	}
	for _, tt := range tests {
		_, err := ParseWindow(tt.spec)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseWindow(%q) = %v; want an error containing %q", tt.spec, err, tt.want)
		}
	}
	if _, err := Parse(nil); err == nil {
		t.Error("Parse(nil) succeeded; want an error (no windows)")
	}
}

func TestCanonicalString(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"mon-fri 8:00-18:00", "Mon-Fri 08:00-18:00"},
		{"Monday-Friday 08:00 - 18:00", "Mon-Fri 08:00-18:00"},
		{"Fri-Mon 22:00-06:00 Europe/London", "Mon,Fri-Sun 22:00-06:00 Europe/London"},
		{"sat,sun 00:00-24:00", "Sat,Sun 00:00-24:00"},
		{"Sun-Sat 00:00:30-00:01", "* 00:00:30-00:01"},
		{"daily 12:00-13:00 UTC", "* 12:00-13:00"},
		{"24/7", "always"},
		{"Tues,Thur 1:00-2:00", "Tue,Thu 01:00-02:00"},
	}
	for _, tt := range tests {
		w, err := ParseWindow(tt.spec)
		if err != nil || w.String() != tt.want {
			t.Errorf("ParseWindow(%q).String() = %q, %v; want %q", tt.spec, w.String(), err, tt.want)
		}
	}
}

// TestOpenAgreesWithNext walks a week minute by minute and checks that
// Open changes exactly at the instants Next reports.
func TestOpenAgreesWithNext(t *testing.T) {
	s, err := Parse([]string{"Mon-Fri 08:00-18:00 Europe/London", "Sat 22:00-02:30", "Wed 17:00-19:00"})
	if err != nil {
		t.Fatal(err)
	}
	cur := at("2021-05-24 00:00:00")
	next, ok := s.Next(cur)
	changes := 0
	for tm, end := cur, cur.Add(8*24*time.Hour); tm.Before(end); tm = tm.Add(time.Minute) {
		if !ok {
			t.Fatal("Next found no change")
		}
		if s.Open(tm) != s.Open(cur) {
			if !tm.Equal(next) {
				t.Fatalf("Open changed at %v; Next said %v", tm, next)
			}
			cur = tm
			next, ok = s.Next(cur)
			changes++
		}
	}
	if changes < 14 {
		t.Errorf("%d changes in 8 days; want at least 14", changes)
	}
}
