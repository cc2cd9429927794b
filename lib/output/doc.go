// Package output opens the destination of a stream of splits: a local
// folder, or a folder of any rclone remote (S3 and its kin, SFTP, FTP,
// Google Drive, Azure Blob, Dropbox, HDFS, WebDAV ...) through rclone used
// as a library, with in-process compression and a pipe command in front.
//
// # Destinations
//
// Open returns an Output, a split.Sink for split.Run. For a local prefix
// it is split.FileSink. For an rclone prefix (Options.Rclone) it is an
// uploader: each split streams into operations.Rcat as it is written, no
// temporary file. Where the store can rename (local, SFTP, FTP, HDFS,
// Drive, WebDAV, Dropbox) the upload goes to NAME.pending and is moved to
// NAME once complete; object stores without a rename (S3, Azure Blob)
// show an object only once its upload completes, so time splits
// (Options.NamesFinal) go straight to NAME and size splits, whose name is
// known only at the end, to NAME.pending and a server-side copy. A failed
// upload is removed (a multipart upload aborted) and reported naming the
// split; nothing is ever published incomplete.
//
// # Never replacing a published split
//
// Unless Options.Overwrite, a split is never published over an existing
// file or object. Locally, lib/split's FileSink renames without replacing
// (lib/durable). Through rclone, a direct upload goes to the final name
// only when a lookup finds it free, and on S3 with If-None-Match: * (rclone
// passes it to PutObject, CompleteMultipartUpload and CopyObject), so that
// the store itself refuses an object made meanwhile; an upload to
// NAME.pending is moved to its name after the same lookup, again
// conditional on S3. Elsewhere (SFTP, FTP, WebDAV, ...) the lookup and the
// move are two steps: another writer making the name between them would
// be replaced, which one writer per prefix rules out. When the name is
// taken, the two objects are compared: equal sizes and equal hashes where
// the store gives both (MD5 on local folders, on S3 for single-part
// uploads), else equal bytes read back from both. The same bytes count the
// split as published (split.Published.Existed) and the upload is removed;
// other bytes pass on to NAME_2, NAME_3, ..., and when they are the split's
// own first records (split.PrefixOf) only the rest is uploaded again, as
// the next name's pending object.
//
// At start, Open removes the NAME.pending files an earlier run left under
// the prefix (only those with its name start and suffix: one writer per
// prefix) and, on S3, multipart uploads older than Options.SweepAge.
//
// # rclone
//
// The config file is Options.RcloneConfig, else $RCLONE_CONFIG, else
// install.RcloneConfig; it is read, never written (what backends learn and
// would save, such as refreshed tokens, stays in memory). rclone's
// environment variables work as they do for rclone: RCLONE_CONFIG_NAME_KEY
// values and whole remotes, backend defaults such as RCLONE_S3_CHUNK_SIZE,
// and global options such as RCLONE_TIMEOUT, RCLONE_CONTIMEOUT,
// RCLONE_LOW_LEVEL_RETRIES and RCLONE_LOG_LEVEL. Unless those variables
// say otherwise, timeouts are shorter than rclone's (DefaultTimeout,
// DefaultConnectTimeout, DefaultLowLevelRetries), and an upload that takes
// no data for StallFactor times the IO timeout while data waits is
// cancelled, however many retries the backend has left. rclone's log
// lines go to Options.Log.
//
// # Example
//
//	opts := output.Options{Rclone: true, Compress: "zstd:1", Suffix: ".pcap.zst", NamesFinal: true, Log: os.Stderr, LogPrefix: "pcap_split: "}
//	if err := output.Check("s3-fmad://pcap/all", opts); err != nil {
//		return err // a *ConfigError: an unknown remote, a bad --compress
//	}
//	out, err := output.Open(ctx, "s3-fmad://pcap/all", opts)
//	if err != nil {
//		return err
//	}
//	defer out.Close()
//	_, err = split.Run(ctx, os.Stdin, "stdin", splitOpts, out, os.Stderr)
package output
