package state

import (
	"testing"
)

func TestLossRange(t *testing.T) {
	from, to := int64(1621849920000000000), int64(1621849935500000001)
	tests := []struct {
		l    Loss
		want string
	}{
		{Loss{Capture: "c"}, "from its start on"},
		{Loss{Capture: "c", ToNS: &to}, "from its start to 2021-05-24T09:52:15.500000001Z (its last packet seen)"},
		{Loss{Capture: "c", FromNS: &from, After: "all_1.pcap"}, "from 2021-05-24T09:52:00Z (after all_1.pcap) on"},
		{Loss{Capture: "c", FromNS: &from, After: "all_1.pcap", ToNS: &to}, "from 2021-05-24T09:52:00Z (after all_1.pcap) to 2021-05-24T09:52:15.500000001Z (its last packet seen)"},
	}
	for _, tt := range tests {
		if got := tt.l.Range(); got != tt.want {
			t.Errorf("Range() = %q; want %q", got, tt.want)
		}
		if want := "LOST: capture c was deleted from the store before it was pushed to its end; its packets " + tt.want + " were not pushed"; tt.l.String() != want {
			t.Errorf("String() = %q; want %q", tt.l.String(), want)
		}
	}
}
