package main

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestAdminIDs(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		want    []string
		wantErr string
	}{
		{"unset", "", nil, ""},
		{"two, with spaces and a trailing comma", " U012AB3CD, W045EF6GH,", []string{"U012AB3CD", "W045EF6GH"}, ""},
		{"an email", "U012AB3CD,ana@example.com", nil, `"ana@example.com" is not one`},
		{"a mention", "<@U012AB3CD>", nil, "LEADBOT_ADMINS must be Slack user ids"},
		{"lower case", "u012ab3cd", nil, "LEADBOT_ADMINS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := adminIDs(tt.value)
			if tt.wantErr == "" {
				if err != nil || !slices.Equal(got, tt.want) {
					t.Errorf("adminIDs(%q) = %v, %v; want %v", tt.value, got, err, tt.want)
				}
				return
			}
			var ce configError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("adminIDs(%q) error = %v, want a configError containing %q", tt.value, err, tt.wantErr)
			}
		})
	}
}

func TestConfigAdmins(t *testing.T) {
	vars := map[string]string{"SLACK_APP_TOKEN": "xapp-SECRET", "SLACK_BOT_TOKEN": "xoxb-SECRET", "LEADBOT_ADMINS": "U012AB3CD,U045EF6GH"}
	c, err := loadConfig(env(vars))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.admins, []string{"U012AB3CD", "U045EF6GH"}) {
		t.Errorf("admins = %v", c.admins)
	}
	vars["LEADBOT_ADMINS"] = "ana"
	if _, err := loadConfig(env(vars)); err == nil || !strings.HasPrefix(err.Error(), "LEADBOT_ADMINS ") {
		t.Errorf("a bad LEADBOT_ADMINS: %v", err)
	}
}
