// Package units reads numbers written the way the reference system writes
// them ("60e9", "1e9", "512MB"), exactly, without going through floating
// point.
//
//	ns, err := units.ParseCount("60e9", false) // 60000000000
package units
