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

// AppendAudit records an event with the transaction's changes (in the order
// appended). On SQLite, whose writers run one at a time, it is chained at
// once. On PostgreSQL it is kept pending and ChainAudit links it shortly
// after: chaining in the transaction held the chain's one head row until
// commit, and every concurrent writer queued behind it.
func (tx *Tx) AppendAudit(ctx context.Context, e *AuditEvent) error {
	if tx.readOnly {
		return paraph.Internal(errors.New("store: audit event outside a transaction"))
	}
	tx.audit = append(tx.audit, e)
	return nil
}

func (tx *Tx) flushAudit(ctx context.Context) error {
	for _, e := range tx.audit {
		add := tx.appendAudit
		if tx.dialect == Postgres {
			add = tx.appendPending
		}
		if err := add(ctx, e); err != nil {
			return err
		}
	}
	tx.audit = nil
	return nil
}

func (tx *Tx) appendPending(ctx context.Context, e *AuditEvent) error {
	if e.Details == "" {
		e.Details = "{}"
	}
	e.CreatedAt = e.CreatedAt.UTC().Truncate(time.Microsecond)
	return tx.later(ctx, "", `INSERT INTO audit_pending (id, account_id, org_id, action, target, ip, user_agent, details, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, e.ID, nullString(e.AccountID), nullString(e.OrgID), e.Action, e.Target,
		e.IP, e.UserAgent, e.Details, e.CreatedAt)
}

const pendingColumns = `0, id, COALESCE(account_id, ''), COALESCE(org_id, ''), action, target, ip, user_agent, details, created_at, '', ''`

// ChainAudit links pending events into the chain in the order they were
// recorded, a batch at a time, and returns how many it linked. The head's
// row lock makes concurrent chainers (several instances) take turns.
func (db *DB) ChainAudit(ctx context.Context) (int, error) {
	if db.dialect != Postgres { // chained in each transaction: nothing waits
		return 0, nil
	}
	total := 0
	for {
		var n int
		err := db.Write(ctx, func(tx *Tx) (err error) {
			n, err = tx.linkPending(ctx)
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
		// Another batch only when this one was full: events that came
		// while it ran wait for the next call, not a loop of small batches.
		if n < chainBatch {
			return total, nil
		}
	}
}

// linkPending links the oldest pending events, at most chainBatch, to the
// chain's head, and returns how many.
func (tx *Tx) linkPending(ctx context.Context) (int, error) {
	var head struct {
		seq  int64
		hash string
	}
	if err := tx.q.queryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE`).Scan(&head.seq, &head.hash); err != nil {
		return 0, translate(fmt.Errorf("store: audit head: %w", err))
	}
	rows, err := tx.q.query(ctx, `SELECT n, `+pendingColumns+` FROM audit_pending ORDER BY n LIMIT $1`, chainBatch)
	if err != nil {
		return 0, translate(err)
	}
	var batch []*AuditEvent
	var ns []int64
	for rows.Next() {
		var pn int64
		e := &AuditEvent{}
		if err := rows.Scan(&pn, &e.Seq, &e.ID, &e.AccountID, &e.OrgID, &e.Action, &e.Target, &e.IP, &e.UserAgent, &e.Details,
			&e.CreatedAt, &e.PrevHash, &e.Hash); err != nil {
			rows.Close()
			return 0, translate(err)
		}
		batch, ns = append(batch, e), append(ns, pn)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, translate(err)
	}
	n := len(batch)
	if n == 0 {
		return 0, nil
	}
	seqs, at := make([]int64, n), make([]time.Time, n)
	var text [10][]string // id, account, org, action, target, ip, user agent, details, prev hash, hash
	for i, e := range batch {
		head.seq++
		e.Seq, e.PrevHash, e.CreatedAt = head.seq, head.hash, e.CreatedAt.UTC()
		e.Hash = hashAuditEvent(e)
		head.hash = e.Hash
		seqs[i], at[i] = e.Seq, e.CreatedAt
		for j, v := range []string{e.ID, e.AccountID, e.OrgID, e.Action, e.Target, e.IP, e.UserAgent, e.Details, e.PrevHash, e.Hash} {
			text[j] = append(text[j], v)
		}
	}
	// The batch moves in one statement; exactly the rows read leave the
	// pending table: one with a smaller n may commit later.
	if _, err := tx.exec(ctx, `WITH gone AS (DELETE FROM audit_pending WHERE n = ANY($13))
		INSERT INTO audit_events (seq, id, account_id, org_id, action, target, ip, user_agent, details, created_at, prev_hash, hash)
		SELECT seq, id, NULLIF(account_id, ''), NULLIF(org_id, ''), action, target, ip, user_agent, details, created_at, prev_hash, hash
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
			$10::timestamptz[], $11::text[], $12::text[])
			AS u (seq, id, account_id, org_id, action, target, ip, user_agent, details, created_at, prev_hash, hash)`,
		seqs, text[0], text[1], text[2], text[3], text[4], text[5], text[6], text[7], at, text[8], text[9], ns); err != nil {
		return 0, err
	}
	if _, err := tx.exec(ctx, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, head.seq, head.hash); err != nil {
		return 0, err
	}
	return n, nil
}

// chainBatch is how many pending events ChainAudit links in one transaction.
const chainBatch = 500

func (tx *Tx) insertChained(ctx context.Context, e *AuditEvent) error {
	_, err := tx.exec(ctx, `INSERT INTO audit_events (seq, id, account_id, org_id, action, target, ip, user_agent, details,
		created_at, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		e.Seq, e.ID, nullString(e.AccountID), nullString(e.OrgID), e.Action, e.Target, e.IP, e.UserAgent, e.Details,
		e.CreatedAt, e.PrevHash, e.Hash)
	return err
}

func (tx *Tx) appendAudit(ctx context.Context, e *AuditEvent) error {
	if err := tx.q.queryRow(ctx, `UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`).
		Scan(&e.Seq, &e.PrevHash); err != nil {
		return translate(fmt.Errorf("store: audit head: %w", err))
	}
	if e.Details == "" {
		e.Details = "{}"
	}
	e.CreatedAt = e.CreatedAt.UTC().Truncate(time.Microsecond) // PostgreSQL keeps microseconds
	e.Hash = hashAuditEvent(e)
	if err := tx.insertChained(ctx, e); err != nil {
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

// FindAuditEvents returns an account's events, newest first: the pending
// ones (not chained yet, with no seq or hash), then the chained.
func (tx *Tx) FindAuditEvents(ctx context.Context, accountID string, limit int) ([]*AuditEvent, error) {
	out, err := tx.auditEvents(ctx, `SELECT `+pendingColumns+` FROM audit_pending WHERE account_id = $1 ORDER BY n DESC LIMIT $2`, accountID, limit)
	if err != nil || len(out) >= limit {
		return out, err
	}
	chained, err := tx.auditEvents(ctx, `SELECT `+auditColumns+` FROM audit_events WHERE account_id = $1 ORDER BY seq DESC LIMIT $2`,
		accountID, limit-len(out))
	return append(out, chained...), err
}

func (tx *Tx) auditEvents(ctx context.Context, query string, args ...any) ([]*AuditEvent, error) {
	rows, err := tx.q.query(ctx, query, args...)
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
	rows, err := tx.q.query(ctx, `SELECT `+auditColumns+` FROM audit_events ORDER BY seq`)
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
	if err := tx.q.queryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
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
// target (a document, a member…), oldest first, at most limit: the chained
// ones, then those still pending.
func (tx *Tx) FindAuditEventsByTarget(ctx context.Context, orgID, target string, limit int) ([]*TargetEvent, error) {
	out, err := tx.targetEvents(ctx, `SELECT e.seq, e.id, COALESCE(e.account_id, ''), COALESCE(e.org_id, ''), e.action, e.target,
		e.ip, e.user_agent, e.details, e.created_at, e.prev_hash, e.hash, COALESCE(a.full_name, '')
		FROM audit_events e LEFT JOIN accounts a ON a.id = e.account_id
		WHERE e.target = $1 AND e.org_id = $2 ORDER BY e.seq LIMIT $3`, target, orgID, limit)
	if err != nil || len(out) >= limit {
		return out, err
	}
	pending, err := tx.targetEvents(ctx, `SELECT 0, e.id, COALESCE(e.account_id, ''), COALESCE(e.org_id, ''), e.action, e.target,
		e.ip, e.user_agent, e.details, e.created_at, '', '', COALESCE(a.full_name, '')
		FROM audit_pending e LEFT JOIN accounts a ON a.id = e.account_id
		WHERE e.target = $1 AND e.org_id = $2 ORDER BY e.n LIMIT $3`, target, orgID, limit-len(out))
	return append(out, pending...), err
}

func (tx *Tx) targetEvents(ctx context.Context, query string, args ...any) ([]*TargetEvent, error) {
	rows, err := tx.q.query(ctx, query, args...)
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
