// Package quietinit keeps the rclone library's package initialisation from
// creating ~/.config/rclone in every program that imports it: rclone skips
// that when RCLONE_CONFIG is set, so this package, initialised before
// rclone's config package (import paths are initialised in sorted order
// when independent), sets it for the moment, and Restore, called once
// rclone is initialised, puts the environment back as it was.
//
//	import "github.com/pcappush/pcappush/lib/output/internal/quietinit"
//
//	func init() { quietinit.Restore() } // in a package that imports rclone
package quietinit

import "os"

// set records that init set RCLONE_CONFIG.
var set bool

func init() {
	if _, ok := os.LookupEnv("RCLONE_CONFIG"); !ok {
		set = os.Setenv("RCLONE_CONFIG", "") == nil
	}
}

// Restore removes the RCLONE_CONFIG that init set, if it did.
func Restore() {
	if set {
		os.Unsetenv("RCLONE_CONFIG") //nolint:errcheck // cannot fail for a valid name
		set = false
	}
}
