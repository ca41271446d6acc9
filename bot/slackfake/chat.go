package slackfake

import (
	"encoding/json"
	"slices"
	"strings"
)

// postableChannelLocked resolves where the bot may post: any "D…" is a DM, a
// user id "U…"/"W…" becomes its DM, "C…"/"G…" must be known, unarchived and
// have the bot as a member. It returns the channel id or a Slack error.
func (s *Server) postableChannelLocked(id string) (string, string) {
	if id == "" {
		return "", "channel_not_found"
	}
	if c, ok := s.channels[id]; ok {
		switch {
		case c.IsArchived:
			return "", "is_archived"
		case !c.botIsMember(s.opts.BotUserID):
			return "", "not_in_channel"
		}
		return id, ""
	}
	switch id[0] {
	case 'D':
		return id, ""
	case 'U', 'W':
		return "D" + id, ""
	}
	return "", "channel_not_found"
}

// blocksParam returns the blocks parameter as raw JSON (nil when absent) and
// whether it is valid.
func blocksParam(params map[string]string) (json.RawMessage, bool) {
	v, ok := params["blocks"]
	if !ok || v == "" {
		return nil, true
	}
	if !json.Valid([]byte(v)) {
		return nil, false
	}
	return json.RawMessage(v), true
}

func (s *Server) messageJSON(m *Message) map[string]any {
	out := map[string]any{
		"type":   "message",
		"user":   m.User,
		"bot_id": s.opts.BotID,
		"app_id": s.opts.AppID,
		"team":   s.opts.TeamID,
		"text":   m.Text,
		"ts":     m.TS,
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	}
	if m.Blocks != nil {
		out["blocks"] = m.Blocks
	}
	if m.Edited {
		out["edited"] = map[string]any{"user": m.User, "ts": m.TS}
	}
	return out
}

func (s *Server) chatPostMessage(r *apiRequest) (map[string]any, string) {
	ch, slackErr := s.postableChannelLocked(r.params["channel"])
	if slackErr != "" {
		return nil, slackErr
	}
	blocks, ok := blocksParam(r.params)
	if !ok {
		return nil, "invalid_blocks"
	}
	if r.params["text"] == "" && len(blocks) == 0 && r.params["attachments"] == "" {
		return nil, "no_text"
	}
	m := &Message{
		Channel:  ch,
		TS:       s.nextTSLocked(),
		ThreadTS: r.params["thread_ts"],
		Text:     r.params["text"],
		Blocks:   blocks,
		User:     s.opts.BotUserID,
		At:       r.at,
	}
	if meta := r.params["metadata"]; meta != "" {
		if !json.Valid([]byte(meta)) {
			return nil, "invalid_metadata_format"
		}
		m.Metadata = json.RawMessage(meta)
	}
	s.messages = append(s.messages, m)
	return map[string]any{"channel": ch, "ts": m.TS, "message": s.messageJSON(m)}, ""
}

func (s *Server) chatPostEphemeral(r *apiRequest) (map[string]any, string) {
	ch, slackErr := s.postableChannelLocked(r.params["channel"])
	if slackErr != "" {
		return nil, slackErr
	}
	user := r.params["user"]
	if user == "" {
		return nil, "user_not_found"
	}
	if c, ok := s.channels[ch]; ok && len(c.Members) > 0 && !slices.Contains(c.Members, user) {
		return nil, "user_not_in_channel"
	}
	blocks, ok := blocksParam(r.params)
	if !ok {
		return nil, "invalid_blocks"
	}
	if r.params["text"] == "" && len(blocks) == 0 && r.params["attachments"] == "" {
		return nil, "no_text"
	}
	e := Ephemeral{
		Channel:  ch,
		User:     user,
		TS:       s.nextTSLocked(),
		ThreadTS: r.params["thread_ts"],
		Text:     r.params["text"],
		Blocks:   blocks,
		At:       r.at,
	}
	s.ephemerals = append(s.ephemerals, e)
	return map[string]any{"message_ts": e.TS}, ""
}

func (s *Server) findMessageLocked(channel, ts string) *Message {
	if strings.HasPrefix(channel, "U") || strings.HasPrefix(channel, "W") {
		channel = "D" + channel
	}
	for _, m := range s.messages {
		if m.Channel == channel && m.TS == ts && !m.Deleted {
			return m
		}
	}
	return nil
}

func (s *Server) chatUpdate(r *apiRequest) (map[string]any, string) {
	m := s.findMessageLocked(r.params["channel"], r.params["ts"])
	if m == nil {
		return nil, "message_not_found"
	}
	blocks, ok := blocksParam(r.params)
	if !ok {
		return nil, "invalid_blocks"
	}
	// Like Slack, fields left out of the update keep their old values.
	if text, ok := r.params["text"]; ok {
		m.Text = text
	}
	if _, ok := r.params["blocks"]; ok {
		m.Blocks = blocks
	}
	m.Edited = true
	return map[string]any{"channel": m.Channel, "ts": m.TS, "text": m.Text, "message": s.messageJSON(m)}, ""
}

func (s *Server) chatDelete(r *apiRequest) (map[string]any, string) {
	m := s.findMessageLocked(r.params["channel"], r.params["ts"])
	if m == nil {
		return nil, "message_not_found"
	}
	m.Deleted = true
	return map[string]any{"channel": m.Channel, "ts": m.TS}, ""
}

func (s *Server) authTest(*apiRequest) (map[string]any, string) {
	return map[string]any{
		"url":     "https://" + teamDomain + ".slack.com/",
		"team":    "Lead Coach (fake)",
		"user":    "leadbot",
		"team_id": s.opts.TeamID,
		"user_id": s.opts.BotUserID,
		"bot_id":  s.opts.BotID,
	}, ""
}
