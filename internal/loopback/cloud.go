package loopback

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"

	_ "github.com/rclone/rclone/backend/azureblob"          // Azure's Fs
	_ "github.com/rclone/rclone/backend/googlecloudstorage" // GCS's Fs
	"github.com/rclone/rclone/fs"
)

// Azure is Azurite's Blob service, storing its database and blocks in Dir,
// with an account of its own.
type Azure struct {
	*Server
	Dir          string // Azurite's --location
	Account, Key string
}

// StartAzure starts Azurite's Blob service (the npm package azurite, which
// make installs under .tools/azurite) on a free port, storing under
// dir/azurite. A restart over the same dir keeps what was committed.
func StartAzure(dir string) (*Azure, error) {
	bin, err := azurite()
	if err != nil {
		return nil, err
	}
	a := &Azure{Dir: filepath.Join(dir, "azurite"), Account: "pcappush"}
	if err := os.MkdirAll(a.Dir, 0o755); err != nil {
		return nil, err
	}
	// the account's key persists beside the data, so that a restart over
	// the same folder serves the same account
	keyFile := filepath.Join(dir, "azurite.key")
	key, err := os.ReadFile(keyFile)
	if os.IsNotExist(err) {
		b := make([]byte, 64)
		rand.Read(b) //nolint:errcheck // never fails
		key = []byte(base64.StdEncoding.EncodeToString(b))
		err = os.WriteFile(keyFile, key, 0o600)
	}
	if err != nil {
		return nil, err
	}
	a.Key = string(key)
	a.Server, err = retry(func(port int) (*Server, error) {
		return startEnv(port, []string{"AZURITE_ACCOUNTS=" + a.Account + ":" + a.Key}, bin,
			"--blobHost", "127.0.0.1", "--blobPort", strconv.Itoa(port), "--location", a.Dir,
			"--skipApiVersionCheck", "--loose", "--silent")
	}, 1)
	if err != nil {
		return nil, err
	}
	return a, nil
}

// azurite finds the azurite-blob program make installs.
func azurite() (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok {
		p := filepath.Join(filepath.Dir(file), "..", "..", ".tools", "azurite", "node_modules", ".bin", "azurite-blob")
		if _, err := os.Stat(p); err == nil {
			return filepath.Clean(p), nil
		}
	}
	return program("azurite-blob")
}

func (a *Azure) endpoint() string { return "http://" + a.Addr + "/" + a.Account }

// RcloneConfig returns an rclone config section for the server.
func (a *Azure) RcloneConfig(name string) string {
	return fmt.Sprintf("[%s]\ntype = azureblob\naccount = %s\nkey = %s\nendpoint = %s\n\n", name, a.Account, a.Key, a.endpoint())
}

// Fs returns an rclone Fs for path (CONTAINER/PATH) in the server.
func (a *Azure) Fs(ctx context.Context, path string) (fs.Fs, error) {
	return fs.NewFs(ctx, fmt.Sprintf(":azureblob,account=%s,key='%s',endpoint='%s':%s", a.Account, a.Key, a.endpoint(), path))
}

// CreateContainer creates a container through the Blob API.
func (a *Azure) CreateContainer(name string) error {
	ctx := context.Background()
	f, err := a.Fs(ctx, name)
	if err != nil {
		return err
	}
	return f.Mkdir(ctx, "")
}

// GCS is fake-gcs-server keeping buckets as folders of Dir.
type GCS struct {
	*Server
	Dir string // bucket B's object K is Dir/B/K
}

// StartGCS starts fake-gcs-server (github.com/fsouza/fake-gcs-server,
// which make installs in .tools/bin) on a free port over HTTP, storing
// under dir/gcs. Buckets are created through the API.
func StartGCS(dir string) (*GCS, error) {
	bin, err := program("fake-gcs-server")
	if err != nil {
		return nil, err
	}
	g := &GCS{Dir: filepath.Join(dir, "gcs")}
	if err := os.MkdirAll(g.Dir, 0o755); err != nil {
		return nil, err
	}
	g.Server, err = retry(func(port int) (*Server, error) {
		url := "http://127.0.0.1:" + strconv.Itoa(port)
		return start(port, bin, "-scheme", "http", "-host", "127.0.0.1", "-port", strconv.Itoa(port),
			"-backend", "filesystem", "-filesystem-root", g.Dir, "-public-host", "127.0.0.1:"+strconv.Itoa(port),
			"-external-url", url, "-log-level", "error")
	}, 1)
	if err != nil {
		return nil, err
	}
	return g, nil
}

func (g *GCS) endpoint() string { return "http://" + g.Addr + "/storage/v1/" }

// RcloneConfig returns an rclone config section for the server: no
// credentials, a project for bucket creation, the server as endpoint.
func (g *GCS) RcloneConfig(name string) string {
	return fmt.Sprintf("[%s]\ntype = google cloud storage\nanonymous = true\nproject_number = pcappush-test\nendpoint = %s\n\n", name, g.endpoint())
}

// Fs returns an rclone Fs for path (BUCKET/PATH) in the server.
func (g *GCS) Fs(ctx context.Context, path string) (fs.Fs, error) {
	return fs.NewFs(ctx, fmt.Sprintf(":googlecloudstorage,anonymous=true,project_number=pcappush-test,endpoint='%s':%s", g.endpoint(), path))
}

// CreateBucket creates a bucket through the API.
func (g *GCS) CreateBucket(name string) error {
	ctx := context.Background()
	f, err := g.Fs(ctx, name)
	if err != nil {
		return err
	}
	return f.Mkdir(ctx, "")
}
