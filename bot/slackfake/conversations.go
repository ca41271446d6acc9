package slackfake

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"
)

func (s *Server) conversationsOpen(r *apiRequest) (map[string]any, string) {
	if id := r.params["channel"]; id != "" {
		c := s.lookupChannelLocked(id)
		if c == nil {
			return nil, "channel_not_found"
		}
		return map[string]any{"no_op": true, "already_open": true, "channel": s.channelJSON(c)}, ""
	}
	var users []string
	for u := range strings.SplitSeq(r.params["users"], ",") {
		if u = strings.TrimSpace(u); u != "" {
			users = append(users, u)
		}
	}
	if len(users) == 0 {
		return nil, "users_list_not_supplied"
	}
	for _, u := range users {
		if known, ok := s.users[u]; ok && known.Deleted {
			return nil, "user_disabled"
		}
	}
	var id string
	if len(users) == 1 {
		id = "D" + users[0]
	} else {
		sorted := slices.Sorted(slices.Values(users))
		h := fnv.New32a()
		_, _ = h.Write([]byte(strings.Join(sorted, ",")))
		id = fmt.Sprintf("G%08X", h.Sum32())
	}
	c, already := s.channels[id]
	if !already {
		c = &chanRec{
			Channel: Channel{ID: id, Members: append(slices.Clone(users), s.opts.BotUserID), BotIsMember: true, IsPrivate: true},
			isIM:    len(users) == 1,
			isMpIM:  len(users) > 1,
		}
		if c.isIM {
			c.user = users[0]
		}
		s.channels[id] = c
	}
	return map[string]any{"no_op": already, "already_open": already, "channel": s.channelJSON(c)}, ""
}

// lookupChannelLocked returns the channel with id, synthesizing an IM for an
// unknown "D…" id (the bot may post to any DM), or nil.
func (s *Server) lookupChannelLocked(id string) *chanRec {
	if c, ok := s.channels[id]; ok {
		return c
	}
	if strings.HasPrefix(id, "D") {
		user := strings.TrimPrefix(id, "D")
		return &chanRec{
			Channel: Channel{ID: id, Members: []string{user, s.opts.BotUserID}, BotIsMember: true, IsPrivate: true},
			isIM:    true,
			user:    user,
		}
	}
	return nil
}

func (s *Server) channelJSON(c *chanRec) map[string]any {
	legacyGroup := strings.HasPrefix(c.ID, "G") && !c.isMpIM
	out := map[string]any{
		"id":          c.ID,
		"name":        c.Name,
		"is_channel":  !c.isIM && !c.isMpIM && !legacyGroup,
		"is_group":    legacyGroup,
		"is_im":       c.isIM,
		"is_mpim":     c.isMpIM,
		"is_private":  c.IsPrivate || c.isIM || c.isMpIM,
		"is_archived": c.IsArchived,
		"is_member":   c.botIsMember(s.opts.BotUserID),
		"num_members": len(s.membersOf(c)),
	}
	if c.isIM {
		out["user"] = c.user
		out["is_open"] = true
	}
	return out
}

// membersOf lists c's members, the bot included when it is one.
func (s *Server) membersOf(c *chanRec) []string {
	m := slices.Clone(c.Members)
	if c.BotIsMember && !slices.Contains(m, s.opts.BotUserID) {
		m = append(m, s.opts.BotUserID)
	}
	return m
}

func (s *Server) conversationsInfo(r *apiRequest) (map[string]any, string) {
	c := s.lookupChannelLocked(r.params["channel"])
	if c == nil {
		return nil, "channel_not_found"
	}
	return map[string]any{"channel": s.channelJSON(c)}, ""
}

func (s *Server) conversationsMembers(r *apiRequest) (map[string]any, string) {
	c := s.lookupChannelLocked(r.params["channel"])
	if c == nil {
		return nil, "channel_not_found"
	}
	return map[string]any{
		"members":           s.membersOf(c),
		"response_metadata": map[string]any{"next_cursor": ""},
	}, ""
}

// conversationsHistory lists the top-level messages the bot posted in a
// channel, newest first (the fake knows no messages but the bot's). As
// Slack's, it takes the messages between oldest and latest, the bounds
// included with inclusive=true: latest=ts, inclusive=true and limit=1 read
// the one message ts. With include_all_metadata=true each carries its
// metadata.
func (s *Server) conversationsHistory(r *apiRequest) (map[string]any, string) {
	ch := r.params["channel"]
	if !strings.HasPrefix(ch, "D") && s.lookupChannelLocked(ch) == nil {
		return nil, "channel_not_found"
	}
	limit, err := strconv.Atoi(r.params["limit"])
	if err != nil || limit <= 0 || limit > 1000 {
		limit = 100
	}
	withMeta := r.params["include_all_metadata"] == "true" || r.params["include_all_metadata"] == "1"
	inRange := tsRange(r.params["oldest"], r.params["latest"], r.params["inclusive"] == "true" || r.params["inclusive"] == "1")
	msgs := []map[string]any{}
	for i := len(s.messages) - 1; i >= 0 && len(msgs) < limit; i-- {
		m := s.messages[i]
		if m.Channel != ch || m.Deleted || (m.ThreadTS != "" && m.ThreadTS != m.TS) || !inRange(m.TS) {
			continue
		}
		j := s.messageJSON(m)
		if withMeta && m.Metadata != nil {
			j["metadata"] = m.Metadata
		}
		msgs = append(msgs, j)
	}
	return map[string]any{"messages": msgs, "has_more": false, "response_metadata": map[string]any{"next_cursor": ""}}, ""
}

// tsRange returns whether a message ts lies between oldest and latest
// ("" for no bound), the bounds included if inclusive.
func tsRange(oldest, latest string, inclusive bool) func(ts string) bool {
	return func(ts string) bool {
		if oldest != "" {
			if c := compareTS(ts, oldest); c < 0 || (c == 0 && !inclusive) {
				return false
			}
		}
		if latest != "" {
			if c := compareTS(ts, latest); c > 0 || (c == 0 && !inclusive) {
				return false
			}
		}
		return true
	}
}

// compareTS compares two Slack timestamps ("1700000000.000001") as
// numbers: seconds, then the digits after the point.
func compareTS(a, b string) int {
	as, af, _ := strings.Cut(a, ".")
	bs, bf, _ := strings.Cut(b, ".")
	if c := cmp.Compare(len(as), len(bs)); c != 0 {
		return c
	}
	if c := strings.Compare(as, bs); c != 0 {
		return c
	}
	n := max(len(af), len(bf))
	return strings.Compare(af+strings.Repeat("0", n-len(af)), bf+strings.Repeat("0", n-len(bf)))
}

func (s *Server) usersInfo(r *apiRequest) (map[string]any, string) {
	u, ok := s.users[r.params["user"]]
	if !ok {
		return nil, "user_not_found"
	}
	realName := orDefault(u.RealName, u.Name)
	out := map[string]any{
		"id":        u.ID,
		"team_id":   s.opts.TeamID,
		"name":      u.Name,
		"real_name": realName,
		"deleted":   u.Deleted,
		"is_admin":  u.IsAdmin,
		"is_owner":  u.IsOwner,
		"is_bot":    u.IsBot,
		"profile": map[string]any{
			"real_name":    realName,
			"display_name": u.Name,
			"team":         s.opts.TeamID,
		},
	}
	if u.TZ != "" {
		out["tz"] = u.TZ
		if loc, err := time.LoadLocation(u.TZ); err == nil {
			name, offset := time.Now().In(loc).Zone()
			out["tz_label"] = name
			out["tz_offset"] = offset
		}
	}
	return map[string]any{"user": out}, ""
}
