package push

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine the engine started
// outlives them: every exit path joins its goroutines.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
