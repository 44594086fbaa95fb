package web

import (
	"encoding/json"
	"net/http"
	"time"
)

// The dev mailbox shows every message the server would have sent, so a
// developer sees codes without a mail server. Registered only with Dev, and
// core refuses it too when not in dev mode.

type mailboxPage struct {
	To       string
	Messages any
}

func (w *Web) devMailbox(q *request) error {
	to := q.r.URL.Query().Get("to")
	msgs, err := w.svc.DevMessages(q.r.Context(), to, 100)
	if err != nil {
		return err
	}
	return q.render(http.StatusOK, "mailbox", mailboxPage{To: to, Messages: msgs})
}

// devMessage is the JSON shape of a message; tests and scripts read codes from it.
type devMessage struct {
	ID        string `json:"id"`
	To        string `json:"to"`
	Channel   string `json:"channel"`
	Subject   string `json:"subject"`
	Body      string `json:"body"`
	CreatedAt string `json:"created_at"`
}

func (w *Web) devMailboxJSON(q *request) error {
	msgs, err := w.svc.DevMessages(q.r.Context(), q.r.URL.Query().Get("to"), 100)
	if err != nil {
		return err
	}
	out := make([]devMessage, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, devMessage{ID: m.ID, To: m.To, Channel: m.Channel, Subject: m.Subject, Body: m.Body,
			CreatedAt: m.CreatedAt.UTC().Format(time.RFC3339)})
	}
	q.w.Header().Set("Content-Type", "application/json; charset=utf-8")
	q.w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(q.w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
