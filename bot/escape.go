package bot

import (
	"regexp"
	"strings"
)

// mrkdwnEscaper escapes the three characters Slack's mrkdwn treats as
// control characters. Applied to every piece of text that came from a user,
// it turns "<!channel>", "<@U123>" or "<https://evil|bank>" into harmless
// visible text: nobody is pinged, no link is disguised.
var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escape returns s safe to embed in a Slack message or Block Kit text.
func escape(s string) string { return mrkdwnEscaper.Replace(s) }

// mention returns Slack's mention syntax for a user id, or "someone" if id
// does not look like one, so that no crafted id can become another markup.
func mention(userID string) string {
	if !userIDPattern.MatchString(userID) {
		return "someone"
	}
	return "<@" + userID + ">"
}

var userIDPattern = regexp.MustCompile(`^[UW][A-Z0-9]{2,20}$`)
