package socket

import (
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// Reasons an envelope is refused, for the log.
const (
	RefusedTeam = "for another workspace"
	RefusedApp  = "for another app"
	RefusedUser = "without a user"
)

// refuse returns why an envelope must not be handled, or "". Slack sends
// only our app's envelopes for our workspace over our socket, so a
// mismatch means something is badly wrong: such an envelope is logged and
// acknowledged, and never acts on anyone's data. The workspace is the one
// auth.test named (any workspace of the organisation for an Enterprise
// Grid install); the app is the one the hello envelope named. A command or
// button press without a user has nobody to act for.
func (r *Runtime) refuse(evt socketmode.Event) string {
	var team, app, user string
	needUser := true
	switch d := evt.Data.(type) {
	case slack.SlashCommand:
		team, app, user = d.TeamID, d.APIAppID, d.UserID
	case slack.InteractionCallback:
		team, app, user = d.Team.ID, d.APIAppID, d.User.ID
	case slackevents.EventsAPIEvent:
		team, app, needUser = d.TeamID, d.APIAppID, false // each event type checks its own user
	}
	var me Identity
	if p := r.me.Load(); p != nil {
		me = *p
	}
	switch {
	case team != "" && me.TeamID != "" && me.EnterpriseID == "" && team != me.TeamID:
		return RefusedTeam
	case app != "" && r.ourApp() != "" && app != r.ourApp():
		return RefusedApp
	case needUser && user == "":
		return RefusedUser
	}
	return ""
}

// ourApp returns our app's id as the first hello envelope named it, or ""
// before it.
func (r *Runtime) ourApp() string {
	id, _ := r.appID.Load().(string)
	return id
}

// helloReceived remembers the app id the first hello envelope names. An
// app's id never changes, so a later hello cannot change it (and a forged
// one cannot make the bot ignore everything).
func (r *Runtime) helloReceived(evt socketmode.Event) {
	if evt.Request != nil && evt.Request.ConnectionInfo.AppID != "" {
		r.appID.CompareAndSwap(nil, evt.Request.ConnectionInfo.AppID)
	}
}
