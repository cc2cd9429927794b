// Package compress compresses splits in process: gzip (parallel blocks,
// one gzip member readable by gzip -d), zstd (one frame, encoded on
// several goroutines, readable by zstd -d) and lz4 (the LZ4 frame format,
// readable by lz4 -d).
//
// A Codec names an algorithm and a level, as given to pcap_split's
// --compress (for example "gzip:1", "zstd", "lz4"). A Sink wraps another
// split.Sink: every split's bytes pass through the codec's encoder on their
// way to the inner part, and the encoder's end of stream is written before
// the inner part is committed, so a published split is always a complete
// compressed stream. Encoders are reused from split to split; their
// goroutines and buffers are allocated once.
//
// # Example
//
//	codec, err := compress.Parse("zstd:1")
//	if err != nil {
//		return err
//	}
//	sink := &compress.Sink{Inner: split.FileSink{}, Codec: codec}
//	opts.Suffix = codec.Suffix() // ".pcap.zst"
//	_, err = split.Run(ctx, os.Stdin, "stdin", opts, sink, os.Stderr)
package compress
