package slackfake

import (
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// handleResponse records a POST to a response_url and answers 200 "ok" as
// text/plain, which is what slack-go's response_url sender expects.
func (s *Server) handleResponse(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	var msg struct {
		Text            string          `json:"text"`
		ResponseType    string          `json:"response_type"`
		ReplaceOriginal bool            `json:"replace_original"`
		DeleteOriginal  bool            `json:"delete_original"`
		Blocks          json.RawMessage `json:"blocks"`
		ThreadTS        string          `json:"thread_ts"`
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	p := ResponsePost{
		Path:            r.URL.Path,
		Body:            json.RawMessage(body),
		At:              time.Now(),
		ResponseType:    msg.ResponseType,
		Text:            msg.Text,
		ReplaceOriginal: msg.ReplaceOriginal,
		DeleteOriginal:  msg.DeleteOriginal,
		ThreadTS:        msg.ThreadTS,
	}
	if len(msg.Blocks) > 0 && string(msg.Blocks) != "null" {
		p.Blocks = msg.Blocks
	}
	s.mu.Lock()
	s.responses = append(s.responses, p)
	s.logf("response post to %s", p.Path)
	s.notifyLocked()
	s.mu.Unlock()

	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "ok")
}
