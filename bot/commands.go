package bot

import (
	"context"
	"log/slog"
	"strings"
	"unicode"

	"github.com/slack-go/slack"
)

// command is a parsed /lead-tip invocation: a reserved verb (help, topics…)
// with its arguments, or free text to search for.
type command struct {
	verb  string   // "" for a tip search
	args  []string // the words after the verb
	query string   // the whole text, for a search
	// unclear is set when the text could not be understood; help is shown
	// with a line saying so.
	unclear bool
}

// Verbs are matched before any search, so "/lead-tip help" is never a
// question about helping.
const (
	verbHelp     = "help"
	verbTopics   = "topics"
	verbStart    = "start"
	verbSchedule = "schedule"
	verbPause    = "pause"
	verbResume   = "resume"
	verbStop     = "stop"
	verbNudge    = "nudge"
	verbHistory  = "history"
	verbDigest   = "digest"
	verbExport   = "export"
	verbForget   = "forget"
	verbWeekly   = "weekly"
)

var verbs = map[string]bool{
	verbHelp: true, verbTopics: true, verbStart: true, verbSchedule: true, verbPause: true,
	verbResume: true, verbStop: true, verbNudge: true, verbHistory: true,
	verbDigest: true, verbExport: true, verbForget: true, verbWeekly: true,
}

// verbAliases map what people type to a verb.
var verbAliases = map[string]string{
	"?": verbHelp, "-h": verbHelp, "--help": verbHelp, "topic": verbTopics,
	"subscribe": verbStart, "unsubscribe": verbStop, "unpause": verbResume, "now": verbNudge,
}

// parseCommand splits the text after /lead-tip. It never fails: text that
// is not a verb is a search query (possibly empty).
func parseCommand(text string) command {
	text = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, text))
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return command{}
	}
	first := strings.ToLower(fields[0])
	if v, ok := verbAliases[first]; ok {
		first = v
	}
	if verbs[first] {
		return command{verb: first, args: fields[1:]}
	}
	if !strings.ContainsFunc(text, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		// Nothing to search for ("???", "--"): show how to ask.
		return command{verb: verbHelp, unclear: true}
	}
	return command{query: strings.Join(fields, " ")}
}

// handleCommand answers a /lead-tip slash command. It acknowledges at once
// (the answer goes through the command's response_url), so Slack's
// three-second limit never depends on the work done here.
func (b *Bot) handleCommand(ctx context.Context, log *slog.Logger, env *envelope, sc slack.SlashCommand) {
	env.ack(nil)
	log = log.With(keyUser, sc.UserID, keyTeam, sc.TeamID, keyChannel, sc.ChannelID)
	cmd := parseCommand(sc.Text)
	log.Info("command", keyCommand, cmd.name())

	var reply message
	switch cmd.verb {
	case verbHelp:
		reply = helpMessage(cmd.unclear)
	case verbTopics:
		reply = topicsMessage(b.lib)
	case verbStart, verbSchedule:
		reply = b.subscribe(ctx, log, sc, cmd)
	case verbPause:
		reply = b.pause(ctx, log, sc, cmd)
	case verbResume:
		reply = b.resume(ctx, log, sc)
	case verbStop:
		reply = b.stop(ctx, log, sc)
	case verbNudge:
		reply = b.nudgeCommand(ctx, log, sc)
	case verbDigest:
		reply = b.digestCommand(ctx, log, sc, cmd)
	case verbExport:
		reply = b.exportCommand(ctx, log, sc)
	case verbForget:
		reply = forgetCommand()
	case verbHistory:
		reply = b.history(ctx, log, sc.UserID)
	case verbWeekly:
		reply = b.weekly(ctx, log, sc, cmd)
	default:
		reply = b.tipReply(ctx, log, sc.UserID, cmd.query)
	}
	if err := b.respond(ctx, sc.ResponseURL, reply); err != nil {
		log.Error("could not answer the command", keyErr, err)
	}
}

// name is the command's verb for logs; searches log as "search" or "tip",
// never with the words typed.
func (c command) name() string {
	switch {
	case c.verb != "":
		return c.verb
	case c.query != "":
		return "search"
	default:
		return "tip"
	}
}

// respond sends msg as an ephemeral reply through a response_url, which
// works in every channel and DM, whether or not the bot is a member.
func (b *Bot) respond(ctx context.Context, responseURL string, msg message) error {
	opts := append(msg.options(), slack.MsgOptionResponseURL(responseURL, slack.ResponseTypeEphemeral))
	_, _, err := b.api.PostMessageContext(ctx, "", opts...)
	return withoutURL(err) // callers log it: keep the response_url out
}
