// Package loopback starts real storage servers on 127.0.0.1 for tests and
// benchmarks: an S3 server (versitygw on a posix folder), an SFTP server
// (OpenSSH's sshd with its own host key, key authentication and
// internal-sftp) and an FTP server (vsftpd with anonymous uploads and
// passive ports). Each server stores files in a folder the caller can
// inspect, writes an rclone config section for itself, and can be killed
// (with every process it started) or frozen to simulate a failure.
//
// # Example
//
//	srv, err := loopback.StartSFTP(t.TempDir())
//	if err != nil {
//		t.Fatal(err)
//	}
//	defer srv.Stop()
//	conf := srv.RcloneConfig("ssh") // "[ssh]\ntype = sftp\n..."
//	// pcap_split --rclone -o ssh:/abs/path/all ... lands in /abs/path
package loopback
