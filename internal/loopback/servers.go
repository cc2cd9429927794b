package loopback

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	_ "github.com/rclone/rclone/backend/s3" // CreateBucket
	"github.com/rclone/rclone/fs"
	"github.com/rclone/rclone/fs/config/obscure"
)

// S3 is a versitygw server storing buckets as folders of Dir.
type S3 struct {
	*Server
	Dir            string // bucket B's object K is Dir/B/K
	Access, Secret string
}

// StartS3 starts versitygw on a free port, storing under dir/data. Create
// buckets through S3 (rclone's Mkdir), not with mkdir.
func StartS3(dir string) (*S3, error) {
	bin, err := program("versitygw")
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	s := &S3{Dir: data, Access: "PCAPPUSHTESTKEY", Secret: "pcappush-test-secret-" + strconv.Itoa(os.Getpid())}
	s.Server, err = retry(func(port int) (*Server, error) {
		return start(port, bin, "--access", s.Access, "--secret", s.Secret, "--port", "127.0.0.1:"+strconv.Itoa(port), "posix", data)
	}, 1)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// RcloneConfig returns an rclone config section for the server.
func (s *S3) RcloneConfig(name string) string {
	return fmt.Sprintf("[%s]\ntype = s3\nprovider = Other\naccess_key_id = %s\nsecret_access_key = %s\nendpoint = http://%s\nforce_path_style = true\nregion = us-east-1\n\n",
		name, s.Access, s.Secret, s.Addr)
}

// SFTP is an OpenSSH server that serves only SFTP, for the current user,
// with key authentication. Paths are the machine's own.
type SFTP struct {
	*Server
	User    string
	KeyFile string // the user's private key
	Known   string // a known_hosts file holding the server's host key
}

// StartSFTP starts sshd on a free port with a host key, a user key and a
// config of its own in dir. As root it needs /run/sshd (created when
// missing); as another user it logs that user in.
func StartSFTP(dir string) (*SFTP, error) {
	bin, err := program("sshd")
	if err != nil {
		return nil, err
	}
	u, err := user.Current()
	if err != nil {
		return nil, err
	}
	s := &SFTP{User: u.Username, KeyFile: filepath.Join(dir, "user_key"), Known: filepath.Join(dir, "known_hosts")}
	hostKey := filepath.Join(dir, "host_key")
	if err := sshKeys(dir, hostKey, s.KeyFile); err != nil {
		return nil, err
	}
	if os.Geteuid() == 0 {
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil { // privilege separation folder
			return nil, err
		}
	}
	pub, err := os.ReadFile(hostKey + ".pub")
	if err != nil {
		return nil, err
	}
	s.Server, err = retry(func(port int) (*Server, error) {
		conf := filepath.Join(dir, "sshd_config")
		if err := os.WriteFile(conf, []byte(sshdConfig(dir, hostKey, port)), 0o600); err != nil {
			return nil, err
		}
		return start(port, bin, "-D", "-e", "-f", conf)
	}, 1)
	if err != nil {
		return nil, err
	}
	known := fmt.Sprintf("[127.0.0.1]:%d %s", s.Port, pub)
	if err := os.WriteFile(s.Known, []byte(known), 0o600); err != nil {
		s.Kill()
		return nil, err
	}
	return s, nil
}

// sshKeys makes the host key, the user key, and dir/authorized_keys
// holding the user key.
func sshKeys(dir, hostKey, userKey string) error {
	keygen, err := exec.LookPath("ssh-keygen")
	if err != nil {
		return fmt.Errorf("ssh-keygen: %w", ErrMissing)
	}
	for _, k := range []string{hostKey, userKey} {
		if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-C", "pcappush-test", "-f", k).CombinedOutput(); err != nil {
			return fmt.Errorf("ssh-keygen: %w: %s", err, out)
		}
	}
	return copyFile(userKey+".pub", filepath.Join(dir, "authorized_keys"))
}

func sshdConfig(dir, hostKey string, port int) string {
	return strings.Join([]string{
		"Port " + strconv.Itoa(port),
		"ListenAddress 127.0.0.1",
		"HostKey " + hostKey,
		"PidFile none",
		"AuthorizedKeysFile " + filepath.Join(dir, "authorized_keys"),
		"PubkeyAuthentication yes",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"UsePAM no",
		"StrictModes no",
		"PermitRootLogin prohibit-password",
		"Subsystem sftp internal-sftp",
		"ForceCommand internal-sftp",
		"AllowTcpForwarding no",
		"X11Forwarding no",
		"MaxStartups 100",
		"LogLevel ERROR",
	}, "\n") + "\n"
}

// RcloneConfig returns an rclone config section for the server.
func (s *SFTP) RcloneConfig(name string) string {
	return fmt.Sprintf("[%s]\ntype = sftp\nhost = 127.0.0.1\nport = %d\nuser = %s\nkey_file = %s\nknown_hosts_file = %s\n\n",
		name, s.Port, s.User, s.KeyFile, s.Known)
}

// FTP is a vsftpd server accepting anonymous uploads into Dir/pub.
type FTP struct {
	*Server
	Dir string // the FTP root; clients write to Dir/pub
	// Root is the path FTP clients use for Dir: "/" when vsftpd runs as
	// root (anonymous users are chrooted there), Dir itself otherwise.
	Root string
}

// StartFTP starts vsftpd on a free port with 10 passive ports above it.
// As root, anonymous users are chrooted to dir/root and write as the
// system user "ftp"; as another user, vsftpd runs as that user, without a
// chroot (see Root).
func StartFTP(dir string) (*FTP, error) {
	bin, err := program("vsftpd")
	if err != nil {
		return nil, err
	}
	s := &FTP{Dir: filepath.Join(dir, "root")}
	empty := filepath.Join(dir, "empty")
	for _, d := range []string{empty, filepath.Join(s.Dir, "pub")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	root := os.Geteuid() == 0
	s.Root = s.Dir
	if root {
		s.Root = "/"
		if err := anonymousOwns(dir, filepath.Join(s.Dir, "pub")); err != nil {
			return nil, err
		}
	}
	s.Server, err = retry(func(port int) (*Server, error) {
		conf := filepath.Join(dir, "vsftpd.conf")
		if err := os.WriteFile(conf, []byte(vsftpdConfig(s.Dir, empty, dir, port, root)), 0o600); err != nil {
			return nil, err
		}
		return start(port, bin, conf)
	}, 11)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// anonymousOwns gives pub to vsftpd's anonymous user "ftp" and opens dir
// (a t.TempDir is 0700) to it. vsftpd refuses a chroot its user could
// write to: the FTP root above pub stays root's.
func anonymousOwns(dir, pub string) error {
	u, err := user.Lookup("ftp")
	if err != nil {
		return fmt.Errorf("vsftpd's anonymous user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(pub, uid, gid); err != nil {
		return err
	}
	return os.Chmod(dir, 0o755)
}

func vsftpdConfig(root, empty, dir string, port int, asRoot bool) string {
	lines := []string{
		"listen=YES", "listen_ipv6=NO", "listen_address=127.0.0.1",
		"listen_port=" + strconv.Itoa(port), "background=NO",
		"anonymous_enable=YES", "local_enable=NO", "no_anon_password=YES",
		"write_enable=YES", "anon_upload_enable=YES", "anon_mkdir_write_enable=YES",
		"anon_other_write_enable=YES", "anon_umask=022", "anon_root=" + root,
		"pasv_enable=YES", "pasv_address=127.0.0.1",
		"pasv_min_port=" + strconv.Itoa(port+1), "pasv_max_port=" + strconv.Itoa(port+10),
		"connect_from_port_20=NO", "seccomp_sandbox=NO", "secure_chroot_dir=" + empty,
		"xferlog_enable=NO", "dirmessage_enable=NO", "use_localtime=NO",
		"vsftpd_log_file=" + filepath.Join(dir, "vsftpd.log"), "max_per_ip=0",
	}
	if !asRoot {
		lines = append(lines, "run_as_launching_user=YES")
	}
	return strings.Join(lines, "\n") + "\n"
}

// RcloneConfig returns an rclone config section for the server.
func (s *FTP) RcloneConfig(name string) string {
	return fmt.Sprintf("[%s]\ntype = ftp\nhost = 127.0.0.1\nport = %d\nuser = anonymous\npass = %s\n\n", name, s.Port, obscure.MustObscure("pcappush@example.com"))
}

// retry starts a server on free ports, again when another process took
// them first.
func retry(startOn func(port int) (*Server, error), ports int) (*Server, error) {
	var err error
	for range 3 {
		var port int
		if port, err = freePorts(ports); err != nil {
			return nil, err
		}
		var s *Server
		if s, err = startOn(port); err == nil {
			return s, nil
		}
	}
	return nil, err
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err == nil {
		err = os.WriteFile(dst, b, 0o600)
	}
	return err
}

// Fs returns an rclone Fs for path in the server, for tests that create
// buckets or look at uploads through S3 itself.
func (s *S3) Fs(ctx context.Context, path string) (fs.Fs, error) {
	return fs.NewFs(ctx, fmt.Sprintf(":s3,provider=Other,access_key_id=%s,secret_access_key=%s,endpoint='http://%s',force_path_style=true,region=us-east-1:%s",
		s.Access, s.Secret, s.Addr, path))
}

// CreateBucket creates a bucket through S3.
func (s *S3) CreateBucket(name string) error {
	ctx := context.Background()
	f, err := s.Fs(ctx, name)
	if err != nil {
		return err
	}
	return f.Mkdir(ctx, "")
}
