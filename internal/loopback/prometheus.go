package loopback

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Prometheus is a Prometheus server scraping one target every
// ScrapeInterval, with its own configuration and database under a folder.
type Prometheus struct {
	*Server
	ScrapeInterval time.Duration
}

// StartPrometheus starts Prometheus (Debian's prometheus package) on a
// free port, scraping http://target/metrics every second as job
// "pcappush".
func StartPrometheus(dir, target string) (*Prometheus, error) {
	bin, err := program("prometheus")
	if err != nil {
		return nil, err
	}
	p := &Prometheus{ScrapeInterval: time.Second}
	conf := filepath.Join(dir, "prometheus.yml")
	yml := fmt.Sprintf("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: pcappush\n    static_configs:\n      - targets: [%q]\n", target)
	if err := os.WriteFile(conf, []byte(yml), 0o644); err != nil {
		return nil, err
	}
	p.Server, err = retry(func(port int) (*Server, error) {
		return start(port, bin, "--config.file="+conf, "--storage.tsdb.path="+filepath.Join(dir, "data"),
			"--web.listen-address=127.0.0.1:"+strconv.Itoa(port), "--log.level=warn")
	}, 1)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// api runs a GET on Prometheus's HTTP API and decodes the data of a
// successful answer into out.
func (p *Prometheus) api(ctx context.Context, path string, q url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.Addr+path+"?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var env struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("%s: %w: %s", path, err, body)
	}
	if env.Status != "success" {
		return fmt.Errorf("%s: %s", path, env.Error)
	}
	return json.Unmarshal(env.Data, out)
}

// MetricNames returns the names of every series Prometheus holds.
func (p *Prometheus) MetricNames(ctx context.Context) ([]string, error) {
	var names []string
	err := p.api(ctx, "/api/v1/label/__name__/values", nil, &names)
	return names, err
}

// Sample is one series of an instant query's answer.
type Sample struct {
	Labels map[string]string
	Value  float64
}

// Query runs an instant PromQL query and returns its samples.
func (p *Prometheus) Query(ctx context.Context, query string) ([]Sample, error) {
	var data struct {
		ResultType string `json:"resultType"`
		Result     []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		} `json:"result"`
	}
	if err := p.api(ctx, "/api/v1/query", url.Values{"query": {query}}, &data); err != nil {
		return nil, err
	}
	if data.ResultType != "vector" {
		return nil, fmt.Errorf("query %q: a %s; want a vector", query, data.ResultType)
	}
	var out []Sample
	for _, r := range data.Result {
		s, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, fmt.Errorf("query %q: value %v: %w", query, r.Value[1], err)
		}
		out = append(out, Sample{Labels: r.Metric, Value: v})
	}
	return out, nil
}
