package powerfs

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/pcappush/pcappush/internal/testutil"
)

// MountTest mounts a new file system in a folder of t's temporary folder
// and unmounts it when t ends (register the cleanup that kills processes
// using it after this call, so that it runs first). Where FUSE is not
// available (no /dev/fuse, not allowed to mount) the test is skipped, or
// failed when PCAPPUSH_REQUIRE_TOOLS is set.
func MountTest(t testing.TB, o Options) *FS {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "powerfs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	fs, err := Mount(dir, o)
	if err != nil {
		testutil.Unavailable(t, "power-loss file system: %v (needs /dev/fuse and root, or fusermount3 from fuse3)", err)
	}
	t.Cleanup(func() {
		if err := fs.Unmount(); err != nil && !errors.Is(err, ErrBusy) {
			t.Errorf("%v", err)
		} else if err != nil {
			t.Logf("%v", err)
		}
	})
	return fs
}
