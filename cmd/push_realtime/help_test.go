package main

import (
	"testing"

	"github.com/pcappush/pcappush/internal/testutil"
)

// TestHelp: --help succeeds with a synopsis, every option and at least two
// example command lines.
func TestHelp(t *testing.T) { testutil.CheckHelp(t, tool, run, flags()) }
