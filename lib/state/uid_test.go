package state

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
)

func TestTargetUIDIsStable(t *testing.T) {
	d := At(t.TempDir())
	a, note, err := d.TargetUID("pcap-all", time.Unix(0, 1622272417078768896))
	if err != nil || a != "push_1622272417078768896" || note != "" {
		t.Fatalf("first uid %q, %q, %v", a, note, err)
	}
	b, note, _ := d.TargetUID("pcap-all", time.Now())
	if b != a || note != "" {
		t.Errorf("uid changed from %s to %s (%s)", a, b, note)
	}
	for path, want := range map[string]string{d.UIDFile("pcap-all"): a + "\n", d.DescFile(a): "pcap-all\n"} {
		if got, err := os.ReadFile(path); err != nil || string(got) != want {
			t.Errorf("%s holds %q, %v; want %q", path, got, err, want)
		}
	}
}

// TestTargetUIDSameInstant: targets first seen at the same instant (a
// clock that stands still) get ids of their own, each folder naming its
// target.
func TestTargetUIDSameInstant(t *testing.T) {
	d := At(t.TempDir())
	now := time.Unix(0, 1622272417078768896)
	seen := map[string]string{}
	for _, desc := range []string{"pcap-all", "pcap-tcp", "pcap-udp"} {
		uid, _, err := d.TargetUID(desc, now)
		if err != nil {
			t.Fatal(err)
		}
		if other, ok := seen[uid]; ok {
			t.Fatalf("%s and %s share the id %s", other, desc, uid)
		}
		seen[uid] = desc
		if got, _ := os.ReadFile(d.DescFile(uid)); string(got) != desc+"\n" {
			t.Errorf("%s names %q; want %s", d.DescFile(uid), got, desc)
		}
	}
	for _, desc := range []string{"pcap-all", "pcap-tcp", "pcap-udp"} {
		if uid, _, _ := d.TargetUID(desc, time.Now()); seen[uid] != desc {
			t.Errorf("%s's id is now %s, %s's", desc, uid, seen[uid])
		}
	}
}

// TestTargetUIDFoundAgain: the uid file as a power cut can leave it
// (missing, empty, torn) never gives the target a new id: the id folder
// that names the target is found again, and the file written again.
func TestTargetUIDFoundAgain(t *testing.T) {
	for _, tc := range []struct{ name, content string }{
		{"missing", ""},
		{"empty", ""},
		{"torn", "push_16"},
		{"garbage", "\x00\x00\x00\x00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := At(t.TempDir())
			uid, _, err := d.TargetUID("all", time.Unix(0, 1622272417078768896))
			if err != nil {
				t.Fatal(err)
			}
			other, _, _ := d.TargetUID("other", time.Unix(0, 1622272417078768897))
			if tc.name == "missing" {
				os.Remove(d.UIDFile("all"))
			} else {
				os.WriteFile(d.UIDFile("all"), []byte(tc.content), 0o640)
			}
			got, note, err := d.TargetUID("all", time.Now())
			if err != nil || got != uid {
				t.Fatalf("uid after the file was %s: %q, %v; want %s", tc.name, got, err, uid)
			}
			if !strings.Contains(note, "target all: its id file "+d.UIDFile("all")+" was lost") || !strings.Contains(note, "found its id "+uid+" again in "+d.DescFile(uid)) {
				t.Errorf("note %q", note)
			}
			if b, _ := os.ReadFile(d.UIDFile("all")); string(b) != uid+"\n" {
				t.Errorf("uid file holds %q after recovery", b)
			}
			if o, _, _ := d.TargetUID("other", time.Now()); o != other {
				t.Errorf("the other target's id changed to %s", o)
			}
		})
	}
}

// TestTargetUIDOldFolders: a state folder from before desc files keeps its
// ids, and gets desc files; a lost desc file is written again.
func TestTargetUIDOldFolders(t *testing.T) {
	d := At(t.TempDir())
	os.MkdirAll(d.TargetDir("all"), 0o750)
	os.MkdirAll(d.IDDir("push_5"), 0o750)
	os.WriteFile(d.UIDFile("all"), []byte("push_5\n"), 0o640)
	uid, note, err := d.TargetUID("all", time.Now())
	if err != nil || uid != "push_5" || note != "" {
		t.Fatalf("uid %q, %q, %v; want push_5", uid, note, err)
	}
	if b, _ := os.ReadFile(d.DescFile("push_5")); string(b) != "all\n" {
		t.Errorf("desc file holds %q", b)
	}
	os.WriteFile(d.DescFile("push_5"), nil, 0o640)
	if uid, _, _ = d.TargetUID("all", time.Now()); uid != "push_5" {
		t.Errorf("uid %q after its desc file was emptied", uid)
	}
	if b, _ := os.ReadFile(d.DescFile("push_5")); string(b) != "all\n" {
		t.Errorf("desc file holds %q", b)
	}
}

// TestTargetUIDSeveral: when several id folders name the target (ids lost
// before desc files were kept durably), the one that published last wins.
func TestTargetUIDSeveral(t *testing.T) {
	d := At(t.TempDir())
	for i, uid := range []string{"push_1", "push_2", "push_3"} {
		if err := d.writeDesc(uid, "all"); err != nil {
			t.Fatal(err)
		}
		l := d.Ledger(uid, "cap", false)
		os.WriteFile(l, []byte("{}\n"), 0o640)
		at := time.Now().Add(time.Duration([]int{-3, -1, -2}[i]) * time.Hour)
		os.Chtimes(l, at, at)
	}
	uid, note, err := d.TargetUID("all", time.Now())
	if err != nil || uid != "push_2" || !strings.Contains(note, "ids push_1, push_2, push_3 all name it, keeping push_2") {
		t.Errorf("uid %q, %q, %v; want push_2", uid, note, err)
	}
}

// TestTargetUIDRefusesLink: a link planted at the uid file is refused,
// naming it, and its target is untouched.
func TestTargetUIDRefusesLink(t *testing.T) {
	d := At(t.TempDir())
	v := testutil.PlantLink(t, d.UIDFile("all"))
	_, _, err := d.TargetUID("all", time.Now())
	v.Refused("TargetUID", fmt.Sprint(err))
}

// TestDoneMarkers: done and lost captures survive as markers; a lost
// marker only makes the capture be looked at again.
func TestDoneMarkers(t *testing.T) {
	d := At(t.TempDir())
	from := int64(5)
	if err := d.MarkDone("all", "cap1"); err != nil {
		t.Fatal(err)
	}
	if err := d.MarkLost("all", Loss{Capture: "cap2", Detected: time.Unix(10, 0), FromNS: &from}); err != nil {
		t.Fatal(err)
	}
	if got := d.Done("all"); len(got) != 2 || !got["cap1"] || !got["cap2"] {
		t.Errorf("Done = %v", got)
	}
	ls := d.Losses("all", 20)
	if len(ls) != 1 || ls[0].Capture != "cap2" || *ls[0].FromNS != 5 {
		t.Errorf("Losses = %v", ls)
	}
	os.Remove(filepath.Join(d.DoneDir("all"), "cap1"))
	if got := d.Done("all"); got["cap1"] {
		t.Errorf("Done after the marker was lost = %v", got)
	}
}

func TestLayout(t *testing.T) {
	d := At("/s")
	for got, want := range map[string]string{
		d.LockFile():                      "/s/push_realtime.lock",
		d.RunFile(false):                  "/s/push_realtime.json",
		d.RunFile(true):                   "/s/push_realtime.offline.json",
		d.UIDFile("all"):                  "/s/targets/all/uid",
		d.StatusFile("all", false):        "/s/targets/all/status.json",
		d.StatusFile("all", true):         "/s/targets/all/status.offline.json",
		d.DoneDir("all"):                  "/s/targets/all/done",
		d.DescFile("push_1"):              "/s/push_1/desc",
		d.Ledger("push_1", "cap", false):  "/s/push_1/cap.ledger",
		d.Ledger("push_1", "cap", true):   "/s/push_1/cap.offline.ledger",
		d.Checkpoints("push_1", "cap"):    "/s/push_1/cap.checkpoints",
		d.Offline().Checkpoints("p", "c"): "/s/offline/p/c.checkpoints",
	} {
		if got != want {
			t.Errorf("%s; want %s", got, want)
		}
	}
}
