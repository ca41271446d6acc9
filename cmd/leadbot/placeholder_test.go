package main

import "testing"

func TestIsPlaceholder(t *testing.T) {
	tests := []struct {
		rest string // the token after xoxb- or xapp-
		want bool
	}{
		{"...", true},
		{"…", true},
		{"", true},
		{"xxxx", true},
		{"XXXXXXXXXXXX-XXXXXXXXXXXXX-XXXXXXXXXXXXXXXXXXXXXXXX", true},
		{"<your-token>", true},
		{"<token>", true},
		{"your-bot-token", true},
		{"YOUR_APP_TOKEN", true},
		{"yourtoken", true},
		{"changeme", true},
		{"CHANGEME", true},
		{"example-token-1234", true},
		{"placeholder", true},
		{"1234-...", true},
		// Real tokens' shapes, and the made-up ones the tests and the
		// fake Slack use.
		{"123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", false},
		{"123456789012-1234567890123-yOuRtOkEnXyZaBcDeFgHiJkL", false},
		{"1-A0123456789-1234567890123-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false},
		{"1-A0LEAD-TESTAPPSECRET", false},
		{"0000-TESTBOTSECRET", false},
		{"test", false},
		{"dev", false},
		{"demo", false},
		{"revoked", false},
		{"SECRET", false},
		{"x1", false},
	}
	for _, tt := range tests {
		t.Run(tt.rest, func(t *testing.T) {
			if got := isPlaceholder(tt.rest); got != tt.want {
				t.Errorf("isPlaceholder(%q) = %v, want %v", tt.rest, got, tt.want)
			}
		})
	}
}
