// Package metrics serves push_realtime's Prometheus metrics: per
// target, from the same statuses `push_realtime status` shows, plus Go
// runtime and process metrics.
//
//	pcappush_pushed_bytes_total{target}                      counter
//	pcappush_pushed_packets_total{target}                    counter
//	pcappush_splits_published_total{target}                  counter
//	pcappush_pipeline_errors_total{target}                   counter
//	pcappush_pipeline_restarts_total{target}                 counter
//	pcappush_post_failures_total{target}                     counter
//	pcappush_pipeline_up{target}                             gauge, 0 or 1
//	pcappush_stage_up{target,stage}                          gauge, 0 or 1
//	pcappush_target_state{target,state}                      gauge, 1 for the current state
//	pcappush_lag_seconds{target}                             gauge
//	pcappush_last_split_published_timestamp_seconds{target}  gauge
//	pcappush_offline_read_bytes{target}                      gauge (offline)
//	pcappush_offline_capture_bytes{target}                   gauge (offline)
//	pcappush_build_info{version,goversion}                   gauge, 1
//	go_*, process_*                                          Go runtime and process
//
// Counters count from push_realtime's start, as Prometheus counters do;
// lag is absent until a target has published a split. The values are
// computed when scraped, so they are never older than the scrape.
//
//	ln, err := metrics.Listen("127.0.0.1:9310")
//	reg, err := metrics.Registry(pusher.Snapshot, cliapp.Version)
//	go metrics.Serve(ctx, ln, reg)
package metrics
