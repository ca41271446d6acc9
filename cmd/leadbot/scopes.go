package main

import (
	"slices"
	"strings"
)

// requiredScopes are the bot token scopes Lead Coach needs: the list under
// oauth_config.scopes.bot in manifest.yaml, kept here so that "leadbot
// check" works without the repository. TestRequiredScopesMatchManifest
// keeps the two equal: change both together.
const requiredScopes = "commands chat:write im:write im:history users:read channels:read groups:read channels:history groups:history files:write"

// missingScopes returns the required scopes absent from granted, the
// comma-separated list Slack sends in the x-oauth-scopes header, in the
// manifest's order.
func missingScopes(granted string) []string {
	have := map[string]bool{}
	for s := range strings.SplitSeq(granted, ",") {
		have[strings.TrimSpace(s)] = true
	}
	var missing []string
	for _, s := range strings.Fields(requiredScopes) {
		if !have[s] {
			missing = append(missing, s)
		}
	}
	return slices.Clip(missing)
}
