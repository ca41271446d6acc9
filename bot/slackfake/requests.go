package slackfake

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/slack-go/slack"
)

// Defaults filled into requests that leave them empty.
const (
	// DefaultCommand is the slash command SendSlashCommand sends by default.
	DefaultCommand = "/lead-tip"
	// DefaultChannelID is the channel SendSlashCommand uses by default.
	DefaultChannelID = "C0GENERAL"
	// DefaultUserID is the user SendSlashCommand and ClickButton act as by
	// default.
	DefaultUserID = "U0USER"
)

// SendSlashCommand sends a slash_commands envelope (accepts_response_payload
// true). Empty fields get defaults: token, team_id, team_domain, api_app_id,
// command DefaultCommand, channel_id DefaultChannelID, user_id
// DefaultUserID, a fresh trigger_id and a response_url pointing at this
// server. It returns the envelope id, or ErrClosed.
func (s *Server) SendSlashCommand(ctx context.Context, cmd slack.SlashCommand) (envelopeID string, err error) {
	cmd.Token = orDefault(cmd.Token, verificationToken)
	cmd.TeamID = orDefault(cmd.TeamID, s.opts.TeamID)
	cmd.TeamDomain = orDefault(cmd.TeamDomain, teamDomain)
	cmd.APIAppID = orDefault(cmd.APIAppID, s.opts.AppID)
	cmd.Command = orDefault(cmd.Command, DefaultCommand)
	cmd.ChannelID = orDefault(cmd.ChannelID, DefaultChannelID)
	cmd.UserID = orDefault(cmd.UserID, DefaultUserID)
	if cmd.UserName == "" {
		cmd.UserName = s.userName(cmd.UserID)
	}
	if cmd.ChannelName == "" {
		cmd.ChannelName = s.channelName(cmd.ChannelID)
	}
	if cmd.TriggerID == "" {
		cmd.TriggerID = newTriggerID()
	}
	if cmd.ResponseURL == "" {
		cmd.ResponseURL = s.NewResponseURL()
	}
	s.registerTrigger(cmd.TriggerID)
	return s.SendEnvelope(ctx, "slash_commands", cmd, true)
}

// eventCallback is the Events API outer payload.
type eventCallback struct {
	Token              string          `json:"token"`
	TeamID             string          `json:"team_id"`
	APIAppID           string          `json:"api_app_id"`
	Event              json.RawMessage `json:"event"`
	Type               string          `json:"type"`
	EventID            string          `json:"event_id"`
	EventTime          int64           `json:"event_time"`
	Authorizations     []authorization `json:"authorizations"`
	IsExtSharedChannel bool            `json:"is_ext_shared_channel"`
	EventContext       string          `json:"event_context"`
}

type authorization struct {
	EnterpriseID        *string `json:"enterprise_id"`
	TeamID              string  `json:"team_id"`
	UserID              string  `json:"user_id"`
	IsBot               bool    `json:"is_bot"`
	IsEnterpriseInstall bool    `json:"is_enterprise_install"`
}

// SendEvent sends an events_api envelope whose payload is an event_callback
// wrapping event (a map or struct with a "type"; "event_ts" is added when
// missing) under a fresh, unique event_id. It returns the envelope and event
// ids, or an error if event has no type.
func (s *Server) SendEvent(ctx context.Context, event any) (envelopeID, eventID string, err error) {
	eventID = newID("Ev", 10)
	envelopeID, err = s.SendEventWithID(ctx, event, eventID)
	return envelopeID, eventID, err
}

// SendEventWithID is SendEvent with a chosen event_id, to play Slack sending
// the same event again in a new envelope. It returns the envelope id, or an
// error if event has no type.
func (s *Server) SendEventWithID(ctx context.Context, event any, eventID string) (envelopeID string, err error) {
	raw, err := toRaw(event)
	if err != nil {
		return "", fmt.Errorf("send event: %w", err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return "", fmt.Errorf("send event: event is not a JSON object: %w", err)
	}
	var typ string
	if err := json.Unmarshal(fields["type"], &typ); err != nil || typ == "" {
		return "", errors.New("send event: event has no \"type\"")
	}
	now := time.Now()
	if _, ok := fields["event_ts"]; !ok {
		fields["event_ts"], _ = json.Marshal(fmt.Sprintf("%d.%06d", now.Unix(), now.Nanosecond()/1000))
		raw, _ = json.Marshal(fields)
	}
	payload := eventCallback{
		Token:     verificationToken,
		TeamID:    s.opts.TeamID,
		APIAppID:  s.opts.AppID,
		Event:     raw,
		Type:      "event_callback",
		EventID:   eventID,
		EventTime: now.Unix(),
		Authorizations: []authorization{{
			TeamID: s.opts.TeamID,
			UserID: s.opts.BotUserID,
			IsBot:  true,
		}},
		EventContext: "1-" + typ + "-" + s.opts.TeamID,
	}
	return s.SendEnvelope(ctx, "events_api", payload, false)
}

// SendInteraction sends an interactive envelope with payload (e.g. a
// block_actions or view_submission object). When payload is a JSON object,
// missing token, api_app_id, team and trigger_id are filled in, and so is
// response_url for a block_actions outside a view. accepts_response_payload
// is true for view_submission and block_suggestion. It returns the envelope
// id, or an error if payload is not valid JSON.
func (s *Server) SendInteraction(ctx context.Context, payload any) (envelopeID string, err error) {
	raw, err := toRaw(payload)
	if err != nil {
		return "", fmt.Errorf("send interaction: %w", err)
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil || fields == nil {
		return s.SendEnvelope(ctx, "interactive", raw, false)
	}
	var typ string
	_ = json.Unmarshal(fields["type"], &typ)
	set := func(key string, v any) {
		if _, ok := fields[key]; !ok {
			fields[key], _ = json.Marshal(v)
		}
	}
	set("token", verificationToken)
	set("api_app_id", s.opts.AppID)
	set("team", map[string]string{"id": s.opts.TeamID, "domain": teamDomain})
	set("trigger_id", newTriggerID())
	if _, inView := fields["view"]; typ == "block_actions" && !inView {
		set("response_url", s.NewResponseURL())
	}
	var trigger string
	if json.Unmarshal(fields["trigger_id"], &trigger) == nil {
		s.registerTrigger(trigger)
	}
	raw, _ = json.Marshal(fields)
	accepts := typ == "view_submission" || typ == "block_suggestion"
	return s.SendEnvelope(ctx, "interactive", raw, accepts)
}

// Click describes a user clicking a button that the bot posted.
type Click struct {
	// UserID is who clicks; default DefaultUserID.
	UserID string
	// ActionID picks the button in Blocks.
	ActionID string
	// Blocks are the blocks holding the button (a Message's, an Ephemeral's,
	// a ResponsePost's or a home view's).
	Blocks json.RawMessage
	// ChannelID and MessageTS locate the message; for an ephemeral message
	// MessageTS may be empty.
	ChannelID, MessageTS string
	// Ephemeral marks a button in an ephemeral message or response.
	Ephemeral bool
	// ViewID, when set, makes the click come from that view (e.g. App Home)
	// instead of a message.
	ViewID string
}

// ClickButton sends the block_actions interaction Slack sends when the user
// clicks the button c.ActionID in c.Blocks. It returns the envelope id, or an
// error if no such button exists.
func (s *Server) ClickButton(ctx context.Context, c Click) (envelopeID string, err error) {
	var btn *Button
	for _, b := range Buttons(c.Blocks) {
		if b.ActionID == c.ActionID {
			btn = &b
			break
		}
	}
	if btn == nil {
		return "", fmt.Errorf("click %q: no such button", c.ActionID)
	}
	userID := orDefault(c.UserID, DefaultUserID)
	now := time.Now()
	p := map[string]any{
		"type": "block_actions",
		"user": map[string]any{
			"id": userID, "username": s.userName(userID), "name": s.userName(userID), "team_id": s.opts.TeamID,
		},
		"api_app_id": s.opts.AppID,
		"token":      verificationToken,
		"trigger_id": newTriggerID(),
		"team":       map[string]any{"id": s.opts.TeamID, "domain": teamDomain},
		"actions": []map[string]any{{
			"action_id": btn.ActionID,
			"block_id":  btn.BlockID,
			"text":      map[string]any{"type": "plain_text", "text": btn.Text, "emoji": true},
			"value":     btn.Value,
			"type":      "button",
			"action_ts": fmt.Sprintf("%d.%06d", now.Unix(), now.Nanosecond()/1000),
		}},
	}
	blocks := c.Blocks
	if len(blocks) == 0 {
		blocks = json.RawMessage("[]")
	}
	if c.ViewID != "" {
		p["container"] = map[string]any{"type": "view", "view_id": c.ViewID}
		p["view"] = map[string]any{
			"id": c.ViewID, "team_id": s.opts.TeamID, "type": "home", "blocks": blocks,
			"app_id": s.opts.AppID, "bot_id": s.opts.BotID, "state": map[string]any{"values": map[string]any{}},
		}
	} else {
		p["container"] = map[string]any{
			"type": "message", "message_ts": c.MessageTS, "channel_id": c.ChannelID, "is_ephemeral": c.Ephemeral,
		}
		p["channel"] = map[string]any{"id": c.ChannelID, "name": s.channelName(c.ChannelID)}
		p["response_url"] = s.NewResponseURL()
		if !c.Ephemeral {
			p["message"] = map[string]any{
				"type": "message", "ts": c.MessageTS, "user": s.opts.BotUserID, "bot_id": s.opts.BotID,
				"team": s.opts.TeamID, "blocks": blocks,
			}
		}
	}
	return s.SendInteraction(ctx, p)
}

// NewResponseURL returns a fresh response_url on this server
// ("http://127.0.0.1:PORT/response/N"); posts to it become ResponsePosts.
func (s *Server) NewResponseURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.httpURL + "/response/" + strconv.FormatInt(s.nextSeqLocked(), 10)
}

func newTriggerID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%d.%d.%s", time.Now().UnixNano()%1e11, 26768298162, hex.EncodeToString(b[:]))
}

func (s *Server) registerTrigger(id string) {
	if id == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.triggers[id] = time.Now()
}

func (s *Server) userName(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[id]; ok && u.Name != "" {
		return u.Name
	}
	return "user-" + id
}

func (s *Server) channelName(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.channels[id]; ok && c.Name != "" {
		return c.Name
	}
	if len(id) > 0 && id[0] == 'D' {
		return "directmessage"
	}
	return "general"
}
