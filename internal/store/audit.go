package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"paraph"
)

// AuditEvent records one state change: who, what, when, from where.
type AuditEvent struct {
	Seq       int64
	ID        string
	AccountID string
	OrgID     string
	Action    string
	Target    string
	IP        string
	UserAgent string
	Details   string // JSON object
	CreatedAt time.Time
	PrevHash  string
	Hash      string
}

// hashAuditEvent chains an event to the one before it: changing, removing or
// reordering any event breaks every hash after it.
func hashAuditEvent(e *AuditEvent) string {
	h := sha256.New()
	for _, f := range []string{e.PrevHash, strconv.FormatInt(e.Seq, 10), e.ID, e.AccountID, e.OrgID, e.Action, e.Target,
		e.IP, e.UserAgent, e.Details, e.CreatedAt.UTC().Format(time.RFC3339Nano)} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// AppendAudit adds an event to the chain when the transaction commits (in
// the order appended). The update of the single audit_head row serializes
// appends on both databases.
func (tx *Tx) AppendAudit(ctx context.Context, e *AuditEvent) error {
	if tx.readOnly {
		return paraph.Internal(errors.New("store: audit event outside a transaction"))
	}
	tx.audit = append(tx.audit, e)
	return nil
}

func (tx *Tx) flushAudit(ctx context.Context) error {
	for _, e := range tx.audit {
		if err := tx.appendAudit(ctx, e); err != nil {
			return err
		}
	}
	tx.audit = nil
	return nil
}

func (tx *Tx) appendAudit(ctx context.Context, e *AuditEvent) error {
	if err := tx.q.QueryRowContext(ctx, `UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`).
		Scan(&e.Seq, &e.PrevHash); err != nil {
		return translate(fmt.Errorf("store: audit head: %w", err))
	}
	if e.Details == "" {
		e.Details = "{}"
	}
	e.CreatedAt = e.CreatedAt.UTC().Truncate(time.Microsecond) // PostgreSQL keeps microseconds
	e.Hash = hashAuditEvent(e)
	if _, err := tx.exec(ctx, `INSERT INTO audit_events (seq, id, account_id, org_id, action, target, ip, user_agent, details,
		created_at, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		e.Seq, e.ID, nullString(e.AccountID), nullString(e.OrgID), e.Action, e.Target, e.IP, e.UserAgent, e.Details,
		e.CreatedAt, e.PrevHash, e.Hash); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `UPDATE audit_head SET hash = $1 WHERE id = 1`, e.Hash)
	return err
}

const auditColumns = `seq, id, COALESCE(account_id, ''), COALESCE(org_id, ''), action, target, ip, user_agent, details, created_at, prev_hash, hash`

func scanAudit(row interface{ Scan(...any) error }) (*AuditEvent, error) {
	var e AuditEvent
	err := row.Scan(&e.Seq, &e.ID, &e.AccountID, &e.OrgID, &e.Action, &e.Target, &e.IP, &e.UserAgent, &e.Details, &e.CreatedAt, &e.PrevHash, &e.Hash)
	e.CreatedAt = e.CreatedAt.UTC()
	return &e, err
}

// FindAuditEvents returns an account's events, newest first.
func (tx *Tx) FindAuditEvents(ctx context.Context, accountID string, limit int) ([]*AuditEvent, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_events WHERE account_id = $1 ORDER BY seq DESC LIMIT $2`, accountID, limit)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*AuditEvent
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, e)
	}
	return out, translate(rows.Err())
}

// VerifyAuditChain walks the whole chain and returns the first broken link:
// an event whose hash does not match its contents or its predecessor.
func (tx *Tx) VerifyAuditChain(ctx context.Context) (checked int64, err error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_events ORDER BY seq`)
	if err != nil {
		return 0, translate(err)
	}
	defer rows.Close()
	prev := ""
	var want int64 = 1
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return checked, translate(err)
		}
		var problems []string
		if e.Seq != want {
			problems = append(problems, fmt.Sprintf("expected seq %d", want))
		}
		if e.PrevHash != prev {
			problems = append(problems, "link to the previous event broken")
		}
		if hashAuditEvent(e) != e.Hash {
			problems = append(problems, "contents changed")
		}
		if len(problems) > 0 {
			return checked, fmt.Errorf("audit event %d (%s): %s", e.Seq, e.Action, strings.Join(problems, ", "))
		}
		prev, want = e.Hash, want+1
		checked++
	}
	var headSeq int64
	var headHash string
	if err := tx.q.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
		return checked, translate(err)
	}
	if headSeq != checked || headHash != prev {
		return checked, fmt.Errorf("audit chain ends at event %d but the head says %d: events were removed", checked, headSeq)
	}
	return checked, translate(rows.Err())
}

// TargetEvent is an audit event with the name of the account that acted.
type TargetEvent struct {
	AuditEvent
	ActorName string
}

// FindAuditEventsByTarget returns the events of an organization about one
// target (a document, a member…), oldest first, at most limit.
func (tx *Tx) FindAuditEventsByTarget(ctx context.Context, orgID, target string, limit int) ([]*TargetEvent, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT e.seq, e.id, COALESCE(e.account_id, ''), COALESCE(e.org_id, ''), e.action, e.target,
		e.ip, e.user_agent, e.details, e.created_at, e.prev_hash, e.hash, COALESCE(a.full_name, '')
		FROM audit_events e LEFT JOIN accounts a ON a.id = e.account_id
		WHERE e.target = $1 AND e.org_id = $2 ORDER BY e.seq LIMIT $3`, target, orgID, limit)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*TargetEvent
	for rows.Next() {
		var e TargetEvent
		if err := rows.Scan(&e.Seq, &e.ID, &e.AccountID, &e.OrgID, &e.Action, &e.Target, &e.IP, &e.UserAgent, &e.Details,
			&e.CreatedAt, &e.PrevHash, &e.Hash, &e.ActorName); err != nil {
			return nil, translate(err)
		}
		e.CreatedAt = e.CreatedAt.UTC()
		out = append(out, &e)
	}
	return out, translate(rows.Err())
}
