package bot

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/bot/socket"
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
	// meant is the verb a question began with ("stop micromanaging"): the
	// question is answered, with a line on how to run the command instead.
	meant string
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
	verbProfile  = "profile"
)

var verbs = map[string]bool{
	verbHelp: true, verbTopics: true, verbStart: true, verbSchedule: true, verbPause: true,
	verbResume: true, verbStop: true, verbNudge: true, verbHistory: true,
	verbDigest: true, verbExport: true, verbForget: true, verbWeekly: true, verbProfile: true,
}

// verbAliases map what people type to a verb.
var verbAliases = map[string]string{
	"?": verbHelp, "-h": verbHelp, "--help": verbHelp, "topic": verbTopics,
	"subscribe": verbStart, "unsubscribe": verbStop, "unpause": verbResume, "now": verbNudge,
}

// parseCommand splits the text after /lead-tip. It never fails: text that
// is not a command is a search query (possibly empty).
//
// A verb is a command only when what follows it is what the command takes:
// nothing for most verbs, a schedule for start and schedule, a length for
// pause, on or off for digest. "stop micromanaging" or "schedule a 1:1
// with my report" are questions. Arguments that are clearly meant for the
// command but cannot be read ("schedule mon 25:00", "pause 3x") still go
// to the command, which answers with an example.
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
	alias, isAlias := verbAliases[first]
	if isAlias {
		first = alias
	}
	meant := ""
	if verbs[first] {
		if takesArgs(first, fields[1:]) {
			return command{verb: first, args: fields[1:]}
		}
		if !isAlias || first == verbStart || first == verbStop || first == verbResume {
			// "now that I manage…" is an ordinary question; "subscribe",
			// "unsubscribe" and "unpause" are not ordinary words.
			meant = first
		}
	}
	if !strings.ContainsFunc(text, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		// Nothing to search for ("???", "--"): show how to ask.
		return command{verb: verbHelp, unclear: true}
	}
	return command{query: strings.Join(fields, " "), meant: meant}
}

// takesArgs reports whether args are what verb takes, or are clearly
// meant for it.
func takesArgs(verb string, args []string) bool {
	if len(args) == 0 {
		return true
	}
	switch verb {
	case verbStart, verbSchedule:
		_, _, _, _, err := parseSchedule(args)
		return err == nil || looksLikeSchedule(args)
	case verbPause:
		return looksLikePause(args) || looksLikeSchedule(args)
	case verbDigest:
		arg := strings.ToLower(args[0])
		return len(args) == 1 && (arg == "on" || arg == "off")
	case verbWeekly:
		switch strings.ToLower(args[0]) {
		case "now", "off", "stop", "disable", "show", "status", "?":
			return len(args) == 1
		case "on", "start":
			if args = args[1:]; len(args) == 0 {
				return true
			}
		}
		_, _, _, _, err := parseSchedule(args)
		return err == nil || looksLikeSchedule(args)
	}
	return false
}

var (
	// timeLike is a time of day, possibly out of range: 25:00, 13pm, 9h.
	timeLike = regexp.MustCompile(`^\d{1,2}([:.]\d{2})?(am|pm)$|^\d{1,2}[:.]\d{2}h?$|^\d{1,2}h$`)
	// durationLike is a count with a unit, possibly unknown: 2w, 10d, 3x.
	durationLike = regexp.MustCompile(`^\d+[a-z]{1,6}$`)
	// ordinal is 1st, 2nd…, which a question may well contain.
	ordinal = regexp.MustCompile(`^\d+(st|nd|rd|th)$`)
	// dateLike is 2027-01-10, 2027-1, 10/01/2027 or 10.1.27.
	dateLike = regexp.MustCompile(`^\d{4}[-/]\d{1,2}([-/]\d{1,2})?$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$`)
	// pauseLength is what parsePause reads as a length.
	pauseLength = regexp.MustCompile(`^\d+(d|days?|w|wk|weeks?)$`)
)

// looksLikeSchedule reports whether any of args is a day name, a time, a
// duration or a date, even one that cannot be read: then the words were
// meant for a command, not a question. Two-letter day abbreviations and
// day names that are also words (sat, sun, wed) do not count.
func looksLikeSchedule(args []string) bool {
	for _, a := range args {
		a = strings.ToLower(strings.Trim(a, ",.;:!?()"))
		if timeLike.MatchString(a) || dateLike.MatchString(a) || (durationLike.MatchString(a) && !ordinal.MatchString(a)) {
			return true
		}
		for _, part := range strings.FieldsFunc(a, func(r rune) bool { return r == ',' || r == '-' }) {
			if _, ok := calendar.Day(part); ok && len(part) > 2 && part != "sat" && part != "sun" && part != "wed" {
				return true
			}
		}
	}
	return false
}

// looksLikePause reports whether args read as a pause length ("2w", "3
// weeks") or an end ("until tomorrow", "until friday", "till 2027-01-10",
// or "until" and something shaped like a date).
func looksLikePause(args []string) bool {
	text := strings.ToLower(strings.Join(args, " "))
	if rest, ok := cutUntil(text); ok {
		_, known := calendar.UntilDate(rest, time.Time{}, time.UTC) // only whether it reads
		return known || dateLike.MatchString(rest)
	}
	return pauseLength.MatchString(strings.ReplaceAll(text, " ", ""))
}

// cutUntil returns what follows "until" (or "till") at the start of
// text, lower-case, and whether it was there.
func cutUntil(text string) (string, bool) {
	first, rest, _ := strings.Cut(strings.TrimSpace(text), " ")
	switch strings.ToLower(first) {
	case "until", "till", "til":
		return strings.ToLower(strings.TrimSpace(rest)), true
	}
	return "", false
}

// commandHint is the line added to the answer of a question that began
// with a verb, saying how to run the command instead.
func commandHint(verb string) string {
	switch verb {
	case "":
		return ""
	case verbStart:
		return "(If you meant the command, type just `/lead-tip start`, or for example `/lead-tip start mon,thu 08:45`.)"
	case verbSchedule:
		return "(If you meant the command, type for example `/lead-tip schedule mon,thu 08:45`.)"
	case verbPause:
		return "(If you meant the command, type just `/lead-tip pause`, or for example `/lead-tip pause 2w` or `/lead-tip pause until friday`.)"
	case verbDigest:
		return "(If you meant the command, type `/lead-tip digest on` or `/lead-tip digest off`.)"
	case verbWeekly:
		return "(If you meant the command, type for example `/lead-tip weekly fri 15:00` in a team channel.)"
	}
	return "(If you meant the command, type just `/lead-tip " + verb + "`.)"
}

// Command answers a /lead-tip slash command (socket.Handler). The runtime
// has acknowledged it already: the answer goes through the command's
// response_url, so Slack's three-second limit never depends on the work
// done here.
func (b *Bot) Command(ctx context.Context, env *socket.Envelope, sc slack.SlashCommand) {
	log := env.Log.With(keyUser, sc.UserID, keyTeam, sc.TeamID, keyChannel, sc.ChannelID)
	cmd := parseCommand(sc.Text)
	log.Info("command", keyCommand, cmd.name())
	who := person{sc.UserID, sc.TeamID}

	var reply message
	switch cmd.verb {
	case verbHelp:
		reply = helpMessage(cmd.unclear)
	case verbTopics:
		reply = topicsMessage(b.lib)
	case verbStart, verbSchedule:
		reply = b.subscribe(ctx, log, who, cmd)
	case verbPause:
		reply = b.pause(ctx, log, who, cmd)
	case verbResume:
		reply = b.resume(ctx, log, who)
	case verbStop:
		reply = b.stop(ctx, log, who)
	case verbNudge:
		reply = b.nudgeCommand(ctx, log, who)
	case verbDigest:
		reply = b.digestCommand(ctx, log, who, cmd)
	case verbExport:
		reply = b.exportCommand(ctx, log, who)
	case verbForget:
		reply = forgetCommand()
	case verbHistory:
		reply = b.history(ctx, log, sc.UserID)
	case verbWeekly:
		reply = b.weekly(ctx, log, sc, cmd)
	case verbProfile:
		reply = b.profileCommand(ctx, log, who, sc.TriggerID)
	default:
		reply = b.tipReply(ctx, log, sc.UserID, cmd.query, commandHint(cmd.meant))
	}
	if reply.text == "" {
		return // answered another way (a modal opened)
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
