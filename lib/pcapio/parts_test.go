package pcapio

import (
	"bytes"
	"testing"
)

func TestWritePacketPartsEqualsWritePacket(t *testing.T) {
	tests := []struct{ head, body []byte }{
		{nil, []byte("body only")},
		{[]byte("0123456789abcd"), []byte("body")},
		{[]byte("head only"), nil},
		{nil, nil},
	}
	for _, tc := range tests {
		var a, b bytes.Buffer
		wa, wb := NewWriter(&a, 1, 0), NewWriter(&b, 1, 0)
		joined := append(append([]byte{}, tc.head...), tc.body...)
		if err := wa.WritePacket(1621849860123456789, 1500, joined); err != nil {
			t.Fatal(err)
		}
		if err := wb.WritePacketParts(1621849860123456789, 1500, tc.head, tc.body); err != nil {
			t.Fatal(err)
		}
		if err := wa.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := wb.Flush(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("WritePacketParts(%q, %q) = % x; want % x", tc.head, tc.body, b.Bytes(), a.Bytes())
		}
	}
	w := NewWriter(&bytes.Buffer{}, 1, 0)
	if err := w.WritePacketParts(-1, 0, nil, nil); err == nil {
		t.Error("WritePacketParts before 1970 succeeded")
	}
	head, body := []byte("head"), []byte("body")
	allocs := testing.AllocsPerRun(100, func() {
		w.WritePacketParts(1, 10, head, body) //nolint:errcheck // counting allocations
	})
	if allocs != 0 {
		t.Errorf("WritePacketParts allocates %.1f times", allocs)
	}
}
