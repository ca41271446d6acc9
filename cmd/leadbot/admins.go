package main

import (
	"fmt"
	"regexp"
	"strings"
)

// slackUserID is what a Slack user id looks like: U or W, then capital
// letters and digits.
var slackUserID = regexp.MustCompile(`^[UW][A-Z0-9]{2,20}$`)

// adminIDs reads LEADBOT_ADMINS: Slack user ids separated by commas (spaces
// allowed), who may change or turn off any channel's weekly prompt. It
// returns a configError naming the first entry that is not a user id, so a
// display name or an email typed by mistake is caught at start-up rather
// than silently granting nobody.
func adminIDs(v string) ([]string, error) {
	var ids []string
	for part := range strings.SplitSeq(v, ",") {
		id := strings.TrimSpace(part)
		if id == "" {
			continue
		}
		if !slackUserID.MatchString(id) {
			if len(id) > 30 {
				id = id[:30] + "..."
			}
			return nil, configError{"LEADBOT_ADMINS", fmt.Sprintf("must be Slack user ids separated by commas, such as U012AB3CD,U045EF6GH (%q is not one; "+
				"find a user's id in their Slack profile, More, Copy member ID)", id)}
		}
		ids = append(ids, id)
	}
	return ids, nil
}
