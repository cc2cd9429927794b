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
// A Decoder reads the three formats back, as the tools write them (gzip
// -c, zstd, lz4, several members or frames in a row included); ByName
// tells the format from a file name's extension. Decoders work on the
// caller's goroutine with one stream's buffers, and Reset reuses them for
// the next stream.
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
