package output

import (
	"sync"

	"golang.org/x/sys/unix"
)

// privateUmask makes the files and folders this process creates from now
// on unreadable by others (umask 027 added to the one inherited): rclone's
// local backend creates its files with mode 0666 less the umask, and
// splits hold every stored packet. A chmod after the upload would leave
// the file readable while it is written; the umask makes it 0640 from its
// creation, as the file output's splits are. It applies to the whole
// process, Post and pipe commands included.
var privateUmask = sync.OnceFunc(func() {
	old := unix.Umask(0o027)
	unix.Umask(old | 0o027)
})
