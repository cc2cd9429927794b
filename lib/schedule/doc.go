// Package schedule reads the weekly windows during which push_realtime
// pushes (Config.Schedule) and answers whether an instant falls in one.
//
// A schedule is a list of windows; it is open when any window is. A
// window is written
//
//	DAYS START-END [ZONE]
//
// where DAYS is a day (Mon, Tue, ... Sun; full names and any case also
// read), a range of days (Mon-Fri; Fri-Mon wraps over the weekend), a
// comma-separated list of either (Mon,Wed,Fri-Sun), or "*" or "daily" for
// every day; DAYS may be left out, meaning every day. START and END are
// HH:MM or HH:MM:SS on a 24-hour clock; END may be 24:00. The window is
// the half-open interval [START, END) of wall-clock time in ZONE, an IANA
// zone name such as Europe/London (UTC when left out). A window whose END
// is not after its START crosses midnight: "Fri 22:00-06:00" runs from
// Friday 22:00 to Saturday 06:00, and its days name the day it begins.
// "always" and "24/7" are windows that never close.
//
//	s, err := schedule.Parse([]string{"Mon-Fri 08:00-18:00", "Sat 00:00-06:00 Europe/London"})
//	if err != nil {
//		return err
//	}
//	if !s.Open(time.Now()) {
//		next, _ := s.Next(time.Now()) // when it opens
//		...
//	}
//
// Times are compared on the wall clock of the window's zone, so a window
// keeps its local hours across daylight saving changes; on the night the
// clocks go forward, a window starting in the skipped hour starts when the
// clocks jump.
package schedule
