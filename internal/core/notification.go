package core

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"paraph/internal/notify"
	"paraph/internal/store"
)

// JobNotify is the job kind that renders and delivers one message.
const JobNotify = "notify"

// notification is the payload of a notify job. Data may hold a one-time code:
// it is dropped from the payload once the job has finished.
type notification struct {
	Channel notify.Channel `json:"channel"`
	To      string         `json:"to"`
	Kind    notify.Kind    `json:"kind"`
	Lang    string         `json:"lang"`
	Data    notify.Data    `json:"data,omitempty"`
	Key     string         `json:"key"`              // idempotency key, passed on to the SMS gateway and the Message-ID
	Attach  *attachment    `json:"attach,omitempty"` // email only: a file from the blob store
}

// attachment names a stored file to send with an email.
type attachment struct {
	SHA256      string `json:"sha256"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
}

// enqueueNotification queues a message inside the caller's transaction, so it
// is sent if and only if the change that caused it commits. key makes it
// idempotent: the same key is sent once.
func (s *Service) enqueueNotification(ctx context.Context, tx *store.Tx, key string, n notification) error {
	n.Key = "notify:" + key
	payload, err := json.Marshal(n)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	err = tx.EnqueueJob(ctx, &store.Job{
		ID: newID(), Kind: JobNotify, Payload: string(payload), IdempotencyKey: n.Key,
		MaxAttempts: 10, RunAt: now, CreatedAt: now,
	})
	return err
}

// Deliver renders and sends the message of a notify job; with Dev it also
// keeps a copy in the dev mailbox. It returns the payload to keep afterwards.
func (s *Service) Deliver(ctx context.Context, sender notify.Sender, payload string) (kept string, err error) {
	var n notification
	if err := json.Unmarshal([]byte(payload), &n); err != nil {
		return payload, fmt.Errorf("core: notify payload: %w: %w", err, notify.ErrPermanent)
	}
	subject, body, err := notify.Render(n.Kind, n.Channel, n.Lang, n.Data)
	if err != nil {
		return payload, fmt.Errorf("core: render %s: %w: %w", n.Kind, err, notify.ErrPermanent)
	}
	n.Data = nil
	redacted, _ := json.Marshal(n)
	msg := notify.Message{Channel: n.Channel, To: n.To, Subject: subject, Body: body, IdempotencyKey: n.Key}
	if a := n.Attach; a != nil && n.Channel == notify.Email {
		data, err := s.readBlob(ctx, a.SHA256)
		if err != nil {
			return payload, err
		}
		msg.Attachments = []notify.Attachment{{Name: a.Name, ContentType: a.ContentType, Data: data}}
	}
	if s.cfg.Dev {
		if err := s.db.Write(ctx, func(tx *store.Tx) error {
			return tx.CreateDevMessage(ctx, &store.DevMessage{ID: newID(), Channel: string(n.Channel), To: n.To,
				Subject: subject, Body: body, CreatedAt: s.clock.Now()})
		}); err != nil {
			return payload, err
		}
	}
	if sender != nil {
		if err := sender.Send(ctx, msg); err != nil {
			return payload, err
		}
	}
	return string(redacted), nil
}

// DevMessages lists the dev mailbox, newest first. Only with Dev.
func (s *Service) DevMessages(ctx context.Context, to string, limit int) ([]*store.DevMessage, error) {
	if !s.cfg.Dev {
		return nil, notFoundErr("Page")
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var out []*store.DevMessage
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.FindDevMessages(ctx, to, limit)
		return err
	})
	return out, err
}

func minutes(d time.Duration) string { return fmt.Sprint(int(d.Minutes())) }
