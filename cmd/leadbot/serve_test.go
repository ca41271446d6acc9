package main

import (
	"testing"
	"time"

	"github.com/leadcoach/leadbot/bot/socket"
)

// The reconnect jitter waits inside the HTTP request: the client's timeout
// must leave room for the longest wait and the call itself.
func TestSlackTimeoutAboveReconnectJitter(t *testing.T) {
	if slackHTTPTimeout < socket.MaxReconnectJitter+5*time.Second {
		t.Errorf("slackHTTPTimeout %s leaves too little room above socket.MaxReconnectJitter %s", slackHTTPTimeout, socket.MaxReconnectJitter)
	}
}
