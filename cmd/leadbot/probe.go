package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// probeTimeout bounds "leadbot health": a container health check must not
// hang.
const probeTimeout = 3 * time.Second

// healthCommand asks the running bot's /healthz (on LEADBOT_ADDR) whether
// it is healthy, prints its answer, and fails unless it is. It exists for
// the Docker image's HEALTHCHECK: the image has no shell and no curl.
func healthCommand(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	addr, err := httpAddr(getenv("LEADBOT_ADDR"))
	if err != nil {
		return err
	}
	if addr == "" {
		return configError{"LEADBOT_ADDR", "is off, so there is no /healthz to ask: set it to where the bot serves it"}
	}
	host, port, _ := net.SplitHostPort(addr) // httpAddr checked it
	if host == "" || net.ParseIP(host).IsUnspecified() {
		host = "127.0.0.1" // ":8080" listens on every address, loopback included
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	url := "http://" + net.JoinHostPort(host, port) + "/healthz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: no answer from %s: is the bot running?", url)
	}
	defer resp.Body.Close()
	var h health
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&h); err != nil {
		return fmt.Errorf("health: %s answered %s, not a health report", url, resp.Status)
	}
	fmt.Fprintf(stdout, "%s: slack %s, database %s\n", h.Status, h.Slack, h.Database)
	if resp.StatusCode != http.StatusOK {
		return errors.New("health: unhealthy")
	}
	return nil
}
