package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
)

func (s *Server) filesGetUploadURLExternal(r *apiRequest) (map[string]any, string) {
	name := r.params["filename"]
	length, err := strconv.Atoi(r.params["length"])
	if name == "" || err != nil || length <= 0 {
		return nil, "invalid_arguments"
	}
	f := &File{ID: newID("F", 10), Name: name, Length: length}
	s.files[f.ID] = f
	s.fileOrder = append(s.fileOrder, f.ID)
	return map[string]any{"upload_url": s.httpURL + "/upload/" + f.ID, "file_id": f.ID}, ""
}

func (s *Server) filesCompleteUploadExternal(r *apiRequest) (map[string]any, string) {
	var list []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(r.params["files"]), &list); err != nil || len(list) == 0 {
		return nil, "invalid_arguments"
	}
	channel := r.params["channel_id"]
	if channel == "" {
		channel, _, _ = strings.Cut(r.params["channels"], ",")
	}
	if channel != "" {
		var slackErr string
		if channel, slackErr = s.postableChannelLocked(channel); slackErr != "" {
			return nil, slackErr
		}
	}
	for _, item := range list {
		if f, ok := s.files[item.ID]; !ok || !f.Uploaded {
			return nil, "file_not_found"
		}
	}
	var out []map[string]any
	for _, item := range list {
		f := s.files[item.ID]
		f.Title = orDefault(item.Title, f.Name)
		f.Channel = channel
		f.InitialComment = r.params["initial_comment"]
		f.ThreadTS = r.params["thread_ts"]
		f.Completed = true
		out = append(out, map[string]any{"id": f.ID, "title": f.Title})
	}
	return map[string]any{"files": out}, ""
}

// handleUpload stores the bytes POSTed to an upload URL from
// files.getUploadURLExternal: the "file" part of a multipart form (as
// slack-go sends it) or the raw body.
func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	content, err := readUpload(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	f, ok := s.files[id]
	if ok {
		f.Content = content
		f.Uploaded = true
		s.notifyLocked()
	}
	s.mu.Unlock()
	if !ok {
		http.Error(w, "unknown upload url", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = fmt.Fprintf(w, "OK - %d", len(content))
}

func readUpload(r *http.Request) ([]byte, error) {
	body := io.LimitReader(r.Body, maxRequestBody)
	ctype, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ctype != "multipart/form-data" {
		return io.ReadAll(body)
	}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, fmt.Errorf("multipart upload without a file part")
		}
		if err != nil {
			return nil, fmt.Errorf("read multipart upload: %w", err)
		}
		if part.FileName() != "" || part.FormName() == "file" {
			b, err := io.ReadAll(part)
			if err != nil {
				return nil, fmt.Errorf("read multipart upload: %w", err)
			}
			return b, nil
		}
	}
}
