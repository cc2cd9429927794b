package backends

import (
	"slices"
	"testing"

	"github.com/rclone/rclone/fs"

	"github.com/pcappush/pcappush/lib/output"
)

// TestBackendsListed checks that output.Backends, which config checks
// use without importing the backends, names exactly those built in.
func TestBackendsListed(t *testing.T) {
	for _, name := range output.Backends {
		if _, err := fs.Find(name); err != nil {
			t.Errorf("output.Backends lists %q, which this package does not import", name)
		}
	}
	for _, ri := range fs.Registry {
		if !slices.Contains(output.Backends, ri.Name) {
			t.Errorf("backend %q is built in but missing from output.Backends", ri.Name)
		}
	}
}
