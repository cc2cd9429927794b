package loopback

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	_ "github.com/rclone/rclone/backend/smb" // SMB's Fs
	"github.com/rclone/rclone/fs"
	"github.com/rclone/rclone/fs/config/obscure"
)

// SMB is Samba's smbd serving one share, "pcap", from Dir, to the user
// running the tests, with a password, on SMB2 and later.
type SMB struct {
	*Server
	Dir        string // the share's folder
	User, Pass string
}

// StartSMB starts smbd in the foreground on a free port with a
// configuration, password database, locks and logs of its own under dir:
// it shares nothing of the system's Samba and needs no system service.
// smbd runs as root only (it switches to the user per connection), so
// other users get an error wrapping ErrMissing.
func StartSMB(dir string) (*SMB, error) {
	bin, err := program("smbd")
	if err != nil {
		return nil, err
	}
	pdb, err := program("smbpasswd")
	if err != nil {
		return nil, err
	}
	if os.Geteuid() != 0 {
		return nil, fmt.Errorf("smbd needs root: %w", ErrMissing)
	}
	u, err := user.Current()
	if err != nil {
		return nil, err
	}
	s := &SMB{Dir: filepath.Join(dir, "share"), User: u.Username, Pass: "pcappush-smb-" + strconv.Itoa(os.Getpid())}
	for _, d := range []string{s.Dir, filepath.Join(dir, "private"), filepath.Join(dir, "lock"), filepath.Join(dir, "state"), filepath.Join(dir, "cache"), filepath.Join(dir, "run")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	conf := filepath.Join(dir, "smb.conf")
	s.Server, err = retry(func(port int) (*Server, error) {
		if err := os.WriteFile(conf, []byte(smbConfig(dir, s.Dir, s.User, port)), 0o600); err != nil {
			return nil, err
		}
		if err := smbPassword(pdb, conf, s.User, s.Pass); err != nil {
			return nil, err
		}
		return start(port, bin, "--foreground", "--no-process-group", "--debug-stdout", "--configfile="+conf)
	}, 1)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// smbPassword adds the user to the server's own password database.
func smbPassword(smbpasswd, conf, user, pass string) error {
	cmd := exec.Command(smbpasswd, "-c", conf, "-a", "-s", user)
	cmd.Stdin = strings.NewReader(pass + "\n" + pass + "\n")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("smbpasswd: %w: %s", err, out.String())
	}
	return nil
}

func smbConfig(dir, share, user string, port int) string {
	return strings.Join([]string{
		"[global]",
		"server role = standalone server",
		"smb ports = " + strconv.Itoa(port),
		"interfaces = 127.0.0.1",
		"bind interfaces only = yes",
		"disable netbios = yes",
		"server min protocol = SMB2",
		"passdb backend = tdbsam:" + filepath.Join(dir, "private", "passdb.tdb"),
		"private dir = " + filepath.Join(dir, "private"),
		"lock directory = " + filepath.Join(dir, "lock"),
		"state directory = " + filepath.Join(dir, "state"),
		"cache directory = " + filepath.Join(dir, "cache"),
		"pid directory = " + filepath.Join(dir, "run"),
		"ncalrpc dir = " + filepath.Join(dir, "run", "ncalrpc"),
		"log file = " + filepath.Join(dir, "smbd.log"),
		"log level = 0",
		"map to guest = never",
		"load printers = no",
		"printing = bsd",
		"printcap name = /dev/null",
		"disable spoolss = yes",
		"",
		"[pcap]",
		"path = " + share,
		"read only = no",
		"valid users = " + user,
		"",
	}, "\n")
}

// RcloneConfig returns an rclone config section for the server. Paths
// start with the share: NAME:pcap/FOLDER.
func (s *SMB) RcloneConfig(name string) string {
	return fmt.Sprintf("[%s]\ntype = smb\nhost = 127.0.0.1\nport = %d\nuser = %s\npass = %s\n\n", name, s.Port, s.User, obscure.MustObscure(s.Pass))
}

// Fs returns an rclone Fs for path (pcap/FOLDER) in the server.
func (s *SMB) Fs(ctx context.Context, path string) (fs.Fs, error) {
	return fs.NewFs(ctx, fmt.Sprintf(":smb,host=127.0.0.1,port=%d,user=%s,pass=%s:%s", s.Port, s.User, obscure.MustObscure(s.Pass), path))
}
