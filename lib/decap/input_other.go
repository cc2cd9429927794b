//go:build !unix

package decap

import "os"

// pollable is not available here: reads are served by a goroutine instead.
func pollable(any) (*os.File, func()) { return nil, nil }
