package slackfake

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// User is a workspace member known to users.info.
type User struct {
	ID   string
	Name string
	// RealName defaults to Name.
	RealName string
	// TZ is an IANA zone such as "Europe/Berlin"; users.info derives
	// tz_label and tz_offset from it.
	TZ                               string
	IsAdmin, IsOwner, IsBot, Deleted bool
}

// Channel is a conversation the bot may post to.
type Channel struct {
	ID      string
	Name    string
	Members []string
	// BotIsMember makes the bot a member even if Members lacks its user id.
	BotIsMember bool
	IsPrivate   bool
	IsArchived  bool
}

// chanRec is a Channel plus what conversations.open knows about DMs.
type chanRec struct {
	Channel
	isIM, isMpIM bool
	user         string // the other party of an IM
}

func (c *chanRec) botIsMember(bot string) bool {
	return c.BotIsMember || slices.Contains(c.Members, bot)
}

// Message is a message the bot posted with chat.postMessage, in its current
// state.
type Message struct {
	Channel  string
	TS       string
	ThreadTS string
	Text     string
	// Blocks is the blocks JSON array as posted, nil when none was given.
	Blocks json.RawMessage
	// Metadata is the message metadata posted with it, nil if none.
	Metadata json.RawMessage
	// User is the poster, the bot's user id.
	User    string
	Edited  bool
	Deleted bool
	// At is when the message was posted.
	At time.Time
}

// Ephemeral is a message the bot posted with chat.postEphemeral.
type Ephemeral struct {
	Channel  string
	User     string // who sees it
	TS       string // the message_ts returned
	ThreadTS string
	Text     string
	Blocks   json.RawMessage
	At       time.Time
}

// ResponsePost is a post to a response_url.
type ResponsePost struct {
	// Path is the URL path, e.g. "/response/3".
	Path string
	// Body is the posted JSON.
	Body            json.RawMessage
	At              time.Time
	ResponseType    string
	Text            string
	ReplaceOriginal bool
	DeleteOriginal  bool
	// Blocks are the posted blocks, nil when none.
	Blocks json.RawMessage
	// ThreadTS is the posted thread_ts, if any.
	ThreadTS string
}

// File is a file uploaded through files.getUploadURLExternal, the upload URL
// and files.completeUploadExternal.
type File struct {
	ID    string
	Name  string
	Title string
	// Channel is the channel_id given to files.completeUploadExternal.
	Channel string
	// Length is the length announced to files.getUploadURLExternal.
	Length         int
	Content        []byte
	Uploaded       bool
	Completed      bool
	InitialComment string
	ThreadTS       string
}

// AddUser registers (or replaces) a user for users.info.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
	s.notifyLocked()
}

// UpdateUser replaces the user with u's id, e.g. to change its TZ.
func (s *Server) UpdateUser(u User) { s.AddUser(u) }

// AddChannel registers (or replaces) a channel.
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.Members = slices.Clone(c.Members)
	rec := &chanRec{Channel: c}
	if old, ok := s.channels[c.ID]; ok {
		rec.isIM, rec.isMpIM, rec.user = old.isIM, old.isMpIM, old.user
	}
	s.channels[c.ID] = rec
	s.notifyLocked()
}

// UpdateChannel replaces the channel with c's id, e.g. to archive it or
// remove the bot.
func (s *Server) UpdateChannel(c Channel) { s.AddChannel(c) }

// Messages returns copies of the messages in channel ("" for all), in ts
// order, deleted ones included with Deleted set.
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if channel == "" || m.Channel == channel {
			out = append(out, *m)
		}
	}
	return out
}

// WaitMessage waits until some message (in its current state) matches and
// returns the first such in ts order; match nil matches any. It returns the
// context's error or ErrClosed otherwise.
func (s *Server) WaitMessage(ctx context.Context, match func(Message) bool) (Message, error) {
	m, err := waitSnapshot(ctx, s, func() []Message {
		out := make([]Message, len(s.messages))
		for i, m := range s.messages {
			out[i] = *m
		}
		return out
	}, match, false)
	if err != nil {
		return Message{}, fmt.Errorf("wait message: %w", err)
	}
	return m, nil
}

// Ephemerals returns the ephemeral messages posted in channel ("" for all),
// in order.
func (s *Server) Ephemerals(channel string) []Ephemeral {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Ephemeral
	for _, e := range s.ephemerals {
		if channel == "" || e.Channel == channel {
			out = append(out, e)
		}
	}
	return out
}

// WaitEphemeral waits for the first ephemeral message that matches (nil
// matches any). It returns the context's error or ErrClosed otherwise.
func (s *Server) WaitEphemeral(ctx context.Context, match func(Ephemeral) bool) (Ephemeral, error) {
	e, err := waitSnapshot(ctx, s, func() []Ephemeral { return s.ephemerals }, match, true)
	if err != nil {
		return Ephemeral{}, fmt.Errorf("wait ephemeral: %w", err)
	}
	return e, nil
}

// ResponsePosts returns every post to a response_url, in order.
func (s *Server) ResponsePosts() []ResponsePost {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.responses)
}

// WaitResponsePost waits for the first response_url post that matches (nil
// matches any). It returns the context's error or ErrClosed otherwise.
func (s *Server) WaitResponsePost(ctx context.Context, match func(ResponsePost) bool) (ResponsePost, error) {
	p, err := waitSnapshot(ctx, s, func() []ResponsePost { return s.responses }, match, true)
	if err != nil {
		return ResponsePost{}, fmt.Errorf("wait response post: %w", err)
	}
	return p, nil
}

// Files returns copies of every file announced with
// files.getUploadURLExternal, in order.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]File, 0, len(s.fileOrder))
	for _, id := range s.fileOrder {
		f := *s.files[id]
		f.Content = slices.Clone(f.Content)
		out = append(out, f)
	}
	return out
}

// HomeView returns the view last published with views.publish for userID.
func (s *Server) HomeView(userID string) (json.RawMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.homeViews[userID]
	return v, ok
}

// waitSnapshot waits until some element of snapshot() matches and returns
// the first. snapshot runs under s.mu and must return a slice whose elements
// are never changed in place (an append-only slice, or a copy); match runs
// without the lock, so it may call the Server. With appendOnly, elements
// already looked at are not matched again.
func waitSnapshot[T any](ctx context.Context, s *Server, snapshot func() []T, match func(T) bool, appendOnly bool) (T, error) {
	var zero T
	from := 0
	for {
		s.mu.Lock()
		items := snapshot()
		items = items[:len(items):len(items)]
		ch := s.changed
		closed := s.closed
		s.mu.Unlock()
		for _, it := range items[from:] {
			if match == nil || match(it) {
				return it, nil
			}
		}
		if appendOnly {
			from = len(items)
		}
		if closed {
			return zero, ErrClosed
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return zero, ctx.Err()
		case <-s.done:
			return zero, ErrClosed
		}
	}
}
