package store

import (
	"context"
	"time"
)

// DevMessage is a copy of a message the server sent, kept only with --dev.
type DevMessage struct {
	ID        string
	Channel   string
	To        string
	Subject   string
	Body      string
	CreatedAt time.Time
}

// CreateDevMessage keeps a copy of a sent message.
func (tx *Tx) CreateDevMessage(ctx context.Context, m *DevMessage) error {
	_, err := tx.exec(ctx, `INSERT INTO dev_messages (id, channel, recipient, subject, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		m.ID, m.Channel, m.To, m.Subject, m.Body, m.CreatedAt.UTC())
	return err
}

// FindDevMessages returns the newest messages first, at most limit, optionally
// only those to one recipient.
func (tx *Tx) FindDevMessages(ctx context.Context, to string, limit int) ([]*DevMessage, error) {
	rows, err := tx.q.query(ctx, `SELECT id, channel, recipient, subject, body, created_at FROM dev_messages
		WHERE $1 = '' OR recipient = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, to, limit)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*DevMessage
	for rows.Next() {
		var m DevMessage
		if err := rows.Scan(&m.ID, &m.Channel, &m.To, &m.Subject, &m.Body, &m.CreatedAt); err != nil {
			return nil, translate(err)
		}
		m.CreatedAt = m.CreatedAt.UTC()
		out = append(out, &m)
	}
	return out, translate(rows.Err())
}
