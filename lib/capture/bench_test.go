package capture

import (
	"io"
	"os"
	"testing"
)

// BenchmarkCatChunks reads a folder of chunks (CAPTURE_BENCH) to io.Discard.
func BenchmarkCatChunks(b *testing.B) {
	dir := os.Getenv("CAPTURE_BENCH")
	if dir == "" {
		b.Skip("CAPTURE_BENCH not set")
	}
	c, err := Resolve("", dir)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		st, err := Cat(b.Context(), c, io.Discard, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(st.Bytes)
	}
}
