package main

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/leadcoach/leadbot/bot/slackfake"
)

// manifestBotScopes reads oauth_config.scopes.bot from a Slack app manifest
// by a line scan (no YAML library): the "- scope  # comment" items under
// "bot:" inside "scopes:" inside "oauth_config:".
func manifestBotScopes(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	indent := func(line string) int { return len(line) - len(strings.TrimLeft(line, " ")) }
	var (
		want   = []string{"oauth_config:", "scopes:", "bot:"}
		depth  = 0   // how many of want have been found
		levels []int // the indentation of each found key
		scopes []string
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		text := strings.TrimSpace(line)
		if i := strings.Index(text, "#"); i >= 0 {
			text = strings.TrimSpace(text[:i])
		}
		if text == "" {
			continue
		}
		// Leaving a block: back up to the key this line belongs to.
		for depth > 0 && indent(line) <= levels[depth-1] {
			depth--
			levels = levels[:depth]
		}
		switch {
		case depth < len(want) && text == want[depth]:
			levels = append(levels, indent(line))
			depth++
		case depth == len(want) && strings.HasPrefix(text, "- "):
			scopes = append(scopes, strings.TrimSpace(strings.TrimPrefix(text, "- ")))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return scopes
}

func TestRequiredScopesMatchManifest(t *testing.T) {
	manifest := manifestBotScopes(t, "../../manifest.yaml")
	if len(manifest) == 0 {
		t.Fatal("no bot scopes found in manifest.yaml")
	}
	if got := strings.Fields(requiredScopes); !slices.Equal(got, manifest) {
		t.Errorf("requiredScopes = %v\nmanifest.yaml lists %v\nchange cmd/leadbot/scopes.go and manifest.yaml together", got, manifest)
	}
	if !slices.Equal(slackfake.LeadbotScopes, manifest) {
		t.Errorf("slackfake.LeadbotScopes = %v\nmanifest.yaml lists %v\nthe development fake (go run ./cmd/slackfake) should grant them all", slackfake.LeadbotScopes, manifest)
	}
}

func TestManifestBotScopesScan(t *testing.T) {
	path := t.TempDir() + "/manifest.yaml"
	yaml := `features:
  bot_user:
    display_name: x
  scopes:
    bot:
      - not-this-one
oauth_config:
  redirect_urls:
    - https://example.com/
  scopes:
    user:
      - search:read
    bot:
      - commands   # the command
      - chat:write

      - im:write
    other:
      - nope
settings:
  bot:
    - nope
`
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, want := manifestBotScopes(t, path), []string{"commands", "chat:write", "im:write"}; !slices.Equal(got, want) {
		t.Errorf("scopes = %v, want %v", got, want)
	}
}

func TestMissingScopes(t *testing.T) {
	all := strings.ReplaceAll(requiredScopes, " ", ",")
	tests := []struct {
		name, granted string
		want          []string
	}{
		{"all", all, nil},
		{"all with spaces and extras", strings.ReplaceAll(requiredScopes, " ", ", ") + ",reactions:write", nil},
		{"none", "", strings.Fields(requiredScopes)},
		{"two missing", strings.NewReplacer("files:write", "", "im:history", "").Replace(all), []string{"im:history", "files:write"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := missingScopes(tt.granted); !slices.Equal(got, tt.want) {
				t.Errorf("missingScopes = %v, want %v", got, tt.want)
			}
		})
	}
}
