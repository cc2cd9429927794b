// Package backends builds the rclone backends into the program that
// imports it: those output.Backends lists (a test checks the two agree),
// for the tools that write to or read from rclone remotes (pcap_split,
// stream_cat --from). Each one adds to the binary: see
// docs/tools/pcap_split.md for the measured sizes.
//
//	import _ "github.com/pcappush/pcappush/lib/output/backends"
package backends

import (
	_ "github.com/rclone/rclone/backend/alias"
	_ "github.com/rclone/rclone/backend/azureblob"
	_ "github.com/rclone/rclone/backend/azurefiles"
	_ "github.com/rclone/rclone/backend/b2"
	_ "github.com/rclone/rclone/backend/crypt"
	_ "github.com/rclone/rclone/backend/drive"
	_ "github.com/rclone/rclone/backend/dropbox"
	_ "github.com/rclone/rclone/backend/ftp"
	_ "github.com/rclone/rclone/backend/googlecloudstorage"
	_ "github.com/rclone/rclone/backend/hdfs"
	_ "github.com/rclone/rclone/backend/local"
	_ "github.com/rclone/rclone/backend/onedrive"
	_ "github.com/rclone/rclone/backend/s3"
	_ "github.com/rclone/rclone/backend/sftp"
	_ "github.com/rclone/rclone/backend/smb"
	_ "github.com/rclone/rclone/backend/swift"
	_ "github.com/rclone/rclone/backend/webdav"
)
