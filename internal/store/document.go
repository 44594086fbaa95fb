package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"paraph"
)

const docColumns = `d.id, d.org_id, o.name, d.author_member_id, COALESCE(a.full_name, ''), d.department_id, d.title, d.kind, d.number, d.doc_date,
	d.amount, d.currency, d.counterparty_org_id, d.counterparty_name, d.comment, d.file_name, d.content_type, d.sha256, d.size,
	d.state, d.current_stage, d.decline_comment, d.created_at, d.updated_at, d.sent_at, d.finished_at`

const docFrom = ` FROM documents d JOIN organizations o ON o.id = d.org_id
	LEFT JOIN members am ON am.id = d.author_member_id LEFT JOIN accounts a ON a.id = am.account_id`

// scanDocument scans docColumns, then any extra columns of the row into extra.
func scanDocument(row interface{ Scan(...any) error }, extra ...any) (*paraph.Document, error) {
	var d paraph.Document
	var dept, cp sql.NullString
	var amount sql.NullInt64
	var sent, finished sql.NullTime
	err := row.Scan(append([]any{&d.ID, &d.OrgID, &d.OrgName, &d.AuthorMemberID, &d.AuthorName, &dept, &d.Title, &d.Kind, &d.Number, &d.Date,
		&amount, &d.Currency, &cp, &d.CounterpartyName, &d.Comment, &d.FileName, &d.ContentType, &d.SHA256, &d.Size,
		&d.State, &d.CurrentStage, &d.DeclineComment, &d.CreatedAt, &d.UpdatedAt, &sent, &finished}, extra...)...)
	if err != nil {
		return nil, err
	}
	d.DepartmentID, d.CounterpartyOrgID = dept.String, cp.String
	if amount.Valid {
		v := amount.Int64
		d.Amount = &v
	}
	d.CreatedAt, d.UpdatedAt, d.SentAt, d.FinishedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC(), timeOf(sent), timeOf(finished)
	return &d, nil
}

func documentSearchText(d *paraph.Document) string {
	return strings.ToLower(d.Title + " " + d.Number + " " + d.CounterpartyName)
}

// CreateDocument inserts a draft.
func (tx *Tx) CreateDocument(ctx context.Context, d *paraph.Document) error {
	step := paraph.FunnelStep(d)
	_, err := tx.exec(ctx, `INSERT INTO documents (id, org_id, author_member_id, department_id, title, kind, number, doc_date, amount,
		currency, counterparty_org_id, counterparty_name, comment, file_name, content_type, sha256, size, state, current_stage,
		decline_comment, search_text, created_at, updated_at, step)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22, $23)`,
		d.ID, d.OrgID, d.AuthorMemberID, nullString(d.DepartmentID), d.Title, d.Kind, d.Number, d.Date, d.Amount, d.Currency,
		nullString(d.CounterpartyOrgID), d.CounterpartyName, d.Comment, d.FileName, d.ContentType, d.SHA256, d.Size, d.State,
		d.CurrentStage, d.DeclineComment, documentSearchText(d), d.CreatedAt.UTC(), step)
	if err != nil {
		return err
	}
	tx.count(d.OrgID, funnelPlace{step, d.DepartmentID}, 1)
	return nil
}

// count moves a document into (delta 1) or out of (delta -1) a funnel
// step's running count, when the transaction commits (flushCounts).
func (tx *Tx) count(orgID string, p funnelPlace, delta int) {
	if tx.counts == nil {
		tx.counts = map[countKey]int{}
	}
	tx.counts[countKey{orgID, p.dept, p.step}] += delta
}

// countKey names one running count of a funnel.
type countKey struct{ org, dept, step string }

// flushCounts writes the transaction's moves between counts in one
// statement, the last before COMMIT: the count rows are shared by every
// writer of an organization, so each is held for the commit only. Every
// transaction takes its rows in one order, so two never wait for each
// other in a cycle. On PostgreSQL a count is also spread over countShards
// rows, one taken at random, so concurrent transactions of one
// organization seldom wait for each other's commit at all; readers sum
// them. SQLite runs one write at a time and keeps one row.
func (tx *Tx) flushCounts(ctx context.Context) error {
	keys := make([]countKey, 0, len(tx.counts))
	for k, n := range tx.counts {
		if n != 0 {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.SortFunc(keys, func(a, b countKey) int {
		return cmp.Or(cmp.Compare(a.org, b.org), cmp.Compare(a.dept, b.dept), cmp.Compare(a.step, b.step))
	})
	shard := 0
	if tx.dialect == Postgres {
		shard = rand.IntN(countShards)
	}
	var q strings.Builder
	q.WriteString(`INSERT INTO document_counts (org_id, department_id, step, shard, n) VALUES `)
	args := []any{shard}
	for i, k := range keys {
		if i > 0 {
			q.WriteString(", ")
		}
		n := len(args)
		fmt.Fprintf(&q, "($%d, $%d, $%d, $1, $%d)", n+1, n+2, n+3, n+4)
		args = append(args, k.org, k.dept, k.step, tx.counts[k])
	}
	q.WriteString(` ON CONFLICT (org_id, department_id, step, shard) DO UPDATE SET n = document_counts.n + excluded.n`)
	tx.counts = nil
	return tx.later(ctx, "", q.String(), args...)
}

// countShards is how many rows a funnel count is spread over on PostgreSQL.
const countShards = 16

// UpdateDocument writes a document's metadata and state.
// d must carry its route (FindDocument does) so its funnel step is known.
func (tx *Tx) UpdateDocument(ctx context.Context, d *paraph.Document) error {
	old, known := tx.steps[d.ID]
	if !known {
		var dept sql.NullString
		if err := tx.q.queryRow(ctx, `SELECT step, department_id FROM documents WHERE id = $1`, d.ID).Scan(&old.step, &dept); err != nil {
			return notFound(err, "Document")
		}
		old.dept = dept.String
	}
	now := funnelPlace{paraph.FunnelStep(d), d.DepartmentID}
	if err := tx.updateDocumentRow(ctx, d, now.step); err != nil {
		return err
	}
	if known {
		tx.steps[d.ID] = now
	}
	if now != old {
		tx.count(d.OrgID, old, -1)
		tx.count(d.OrgID, now, 1)
	}
	return nil
}

// funnelPlace is where a document counts in its organization's funnel.
type funnelPlace struct{ step, dept string }

func (tx *Tx) updateDocumentRow(ctx context.Context, d *paraph.Document, step string) error {
	return tx.later(ctx, "Document", `UPDATE documents SET department_id = $2, title = $3, kind = $4, number = $5, doc_date = $6,
		amount = $7, currency = $8, counterparty_org_id = $9, counterparty_name = $10, comment = $11, state = $12, current_stage = $13,
		decline_comment = $14, search_text = $15, updated_at = $16, sent_at = $17, finished_at = $18, step = $19 WHERE id = $1`,
		d.ID, nullString(d.DepartmentID), d.Title, d.Kind, d.Number, d.Date, d.Amount, d.Currency, nullString(d.CounterpartyOrgID),
		d.CounterpartyName, d.Comment, d.State, d.CurrentStage, d.DeclineComment, documentSearchText(d), d.UpdatedAt.UTC(),
		nullTime(d.SentAt), nullTime(d.FinishedAt), step)
}

// LockDocument takes the document's row lock for the rest of the
// transaction, so that two signers of one stage never both miss the
// other's signature (PostgreSQL); SQLite's writer lock already serializes.
func (tx *Tx) LockDocument(ctx context.Context, id string) error {
	if tx.locked == nil {
		tx.locked = map[string]bool{}
	}
	tx.locked[id] = true
	if tx.dialect != Postgres {
		return nil
	}
	// It waits to go with the next statement, which runs once the lock is
	// taken and so reads what the lock's last holder committed.
	return tx.q.run(ctx, true, step{query: `SELECT id FROM documents WHERE id = $1 FOR UPDATE`, args: []any{id}, check: one("Document")})
}

// FindDocument returns a document with its route.
func (tx *Tx) FindDocument(ctx context.Context, id string) (*paraph.Document, error) {
	d, _, err := tx.findDocument(ctx, id)
	return d, err
}

// FindDocumentForUpdate is FindDocument that first takes the document's
// row lock for the rest of the transaction (see LockDocument).
func (tx *Tx) FindDocumentForUpdate(ctx context.Context, id string) (*paraph.Document, error) {
	if err := tx.LockDocument(ctx, id); err != nil {
		return nil, err
	}
	return tx.FindDocument(ctx, id)
}

// documentQuery reads a document, its funnel place and its route — its
// stages with their signers — in one query: a row per signer (the LEFT
// JOINs keep a document without a route and a stage without signers).
const documentQuery = `SELECT ` + docColumns + `, d.step,
	st.idx, st.side, st.signature, s.id, COALESCE(s.member_id, ''), COALESCE(s.org_id, ''),
	s.full_name, s.email, s.phone, s.state, s.signed_at, s.fields, s.place` + docFrom + `
	LEFT JOIN stages st ON st.document_id = d.id
	LEFT JOIN signers s ON s.document_id = st.document_id AND s.stage_idx = st.idx
	WHERE d.id = $1 ORDER BY st.idx, s.id`

func (tx *Tx) findDocument(ctx context.Context, id string) (*paraph.Document, funnelPlace, error) {
	var r documentRows
	if err := tx.q.run(ctx, false, step{query: documentQuery, args: []any{id}, scan: r.scan}); err != nil {
		return nil, funnelPlace{}, err
	}
	return tx.documentRead(id, r)
}

// documentRows gathers documentQuery's rows.
type documentRows struct {
	d     *paraph.Document
	place funnelPlace
}

func (r *documentRows) scan(rows rows) error {
	for rows.Next() {
		var row routeRow
		doc, err := scanDocument(rows, append([]any{&r.place.step}, row.dest()...)...)
		if err != nil {
			return err
		}
		if r.d == nil {
			r.d = doc
		}
		if err := row.addTo(&r.d.Stages); err != nil {
			return err
		}
	}
	return nil
}

// documentRead is the document read, or not_found. A document read under
// its lock keeps its funnel place until this transaction changes it:
// UpdateDocument need not read it again.
func (tx *Tx) documentRead(id string, r documentRows) (*paraph.Document, funnelPlace, error) {
	if r.d == nil {
		return nil, funnelPlace{}, notFound(sql.ErrNoRows, "Document")
	}
	r.place.dept = r.d.DepartmentID
	if tx.locked[id] {
		if tx.steps == nil {
			tx.steps = map[string]funnelPlace{}
		}
		tx.steps[id] = r.place
	}
	return r.d, r.place, nil
}

// routeRow is one stage and signer of a route, as findDocument reads them.
type routeRow struct {
	idx                                                sql.NullInt64
	side, signature                                    sql.NullString
	id, memberID, orgID, fullName, email, phone, state sql.NullString
	fields, place                                      sql.NullString
	signed                                             sql.NullTime
}

func (r *routeRow) dest() []any {
	return []any{&r.idx, &r.side, &r.signature, &r.id, &r.memberID, &r.orgID, &r.fullName, &r.email, &r.phone, &r.state,
		&r.signed, &r.fields, &r.place}
}

// addTo appends the row's stage (when it starts one) and signer to stages.
func (r *routeRow) addTo(stages *[]paraph.Stage) error {
	if !r.idx.Valid {
		return nil // no route yet
	}
	if n := len(*stages); n == 0 || (*stages)[n-1].Index != int(r.idx.Int64) {
		*stages = append(*stages, paraph.Stage{Index: int(r.idx.Int64), Side: r.side.String, Signature: r.signature.String})
	}
	if !r.id.Valid {
		return nil
	}
	s := paraph.Signer{ID: r.id.String, Stage: int(r.idx.Int64), MemberID: r.memberID.String, OrgID: r.orgID.String,
		FullName: r.fullName.String, Email: r.email.String, Phone: r.phone.String, State: r.state.String, SignedAt: timeOf(r.signed)}
	if r.fields.String != "" && r.fields.String != "[]" {
		if err := json.Unmarshal([]byte(r.fields.String), &s.Fields); err != nil {
			return fmt.Errorf("signer %s: fields: %w", s.ID, err)
		}
	}
	if r.place.String != "" {
		s.Place = new(paraph.Place)
		if err := json.Unmarshal([]byte(r.place.String), s.Place); err != nil {
			return fmt.Errorf("signer %s: place: %w", s.ID, err)
		}
	}
	last := &(*stages)[len(*stages)-1]
	last.Signers = append(last.Signers, s)
	return nil
}

// ReplaceRoute sets a draft's route.
func (tx *Tx) ReplaceRoute(ctx context.Context, docID string, stages []paraph.Stage) error {
	if _, err := tx.exec(ctx, `DELETE FROM signers WHERE document_id = $1`, docID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM stages WHERE document_id = $1`, docID); err != nil {
		return err
	}
	for i, st := range stages {
		if _, err := tx.exec(ctx, `INSERT INTO stages (document_id, idx, side, signature) VALUES ($1, $2, $3, $4)`,
			docID, i, st.Side, st.Signature); err != nil {
			return err
		}
		for _, s := range st.Signers {
			fields := []byte("[]")
			if len(s.Fields) > 0 {
				fields, _ = json.Marshal(s.Fields) // plain strings and bools: cannot fail
			}
			place := ""
			if s.Place != nil {
				b, _ := json.Marshal(s.Place) // numbers only: cannot fail
				place = string(b)
			}
			if _, err := tx.exec(ctx, `INSERT INTO signers (id, document_id, stage_idx, member_id, org_id, full_name, email, phone, state, fields, place)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'waiting', $9, $10)`, s.ID, docID, i, nullString(s.MemberID), nullString(s.OrgID),
				s.FullName, s.Email, s.Phone, string(fields), place); err != nil {
				return err
			}
		}
	}
	return nil
}

// MarkSigner moves a waiting signer to signed or declined, once: a second
// attempt finds nothing to update and is not_found (on PostgreSQL with the
// transaction's next statement: it waits to go with it).
func (tx *Tx) MarkSigner(ctx context.Context, signerID, state string, at time.Time) error {
	return tx.later(ctx, "Waiting signer", `UPDATE signers SET state = $2, signed_at = $3 WHERE id = $1 AND state = 'waiting'`,
		signerID, state, at.UTC())
}

// SignatureRecord is a stored signature.
type SignatureRecord struct {
	ID            string
	DocumentID    string
	SignerID      string
	Kind          string
	AccountID     string
	CMS           []byte
	SHA256        string
	Indication    string
	SubIndication string
	CertFP        string
	POAID         string
	Evidence      string
	FieldValues   map[string]string // what the signer filled in, by field name
	ImageSHA256   string            // a simple signature's drawn image in the blob store
	StampSHA256   string            // and its stamp image
	SigningTime   time.Time
	CreatedAt     time.Time
}

// CreateSignature stores a signature; a second one for the same signer is a
// conflict (on PostgreSQL with the transaction's next statement: it waits
// to go with it).
func (tx *Tx) CreateSignature(ctx context.Context, s *SignatureRecord) error {
	if s.Evidence == "" {
		s.Evidence = "{}"
	}
	values := []byte("{}")
	if len(s.FieldValues) > 0 {
		values, _ = json.Marshal(s.FieldValues) // strings only: cannot fail
	}
	return tx.later(ctx, "", `INSERT INTO signatures (id, document_id, signer_id, kind, account_id, cms, sha256, indication, sub_indication,
		cert_fp, poa_id, evidence, signing_time, created_at, field_values) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		s.ID, s.DocumentID, s.SignerID, s.Kind, s.AccountID, s.CMS, s.SHA256, s.Indication, s.SubIndication, s.CertFP, s.POAID,
		s.Evidence, s.SigningTime.UTC(), s.CreatedAt.UTC(), string(values))
}

// FindSignatures lists a document's signatures in the order they came.
func (tx *Tx) FindSignatures(ctx context.Context, docID string) ([]*SignatureRecord, error) {
	rows, err := tx.q.query(ctx, `SELECT id, document_id, signer_id, kind, COALESCE(account_id, ''), cms, sha256, indication,
		sub_indication, cert_fp, poa_id, evidence, signing_time, created_at, field_values, image_sha256, stamp_sha256
		FROM signatures WHERE document_id = $1 ORDER BY created_at, id`, docID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*SignatureRecord
	for rows.Next() {
		var s SignatureRecord
		var values string
		if err := rows.Scan(&s.ID, &s.DocumentID, &s.SignerID, &s.Kind, &s.AccountID, &s.CMS, &s.SHA256, &s.Indication,
			&s.SubIndication, &s.CertFP, &s.POAID, &s.Evidence, &s.SigningTime, &s.CreatedAt, &values, &s.ImageSHA256, &s.StampSHA256); err != nil {
			return nil, translate(err)
		}
		if values != "" && values != "{}" {
			if err := json.Unmarshal([]byte(values), &s.FieldValues); err != nil {
				return nil, fmt.Errorf("signature %s: field values: %w", s.ID, err)
			}
		}
		s.SigningTime, s.CreatedAt = s.SigningTime.UTC(), s.CreatedAt.UTC()
		out = append(out, &s)
	}
	return out, translate(rows.Err())
}

// DocumentFilter selects documents of one organization's box. Departments
// nil means every department (scope all); otherwise only those (and never
// documents without a department).
type DocumentFilter struct {
	OrgID          string
	Box            string // "incoming", "outgoing" or "drafts"
	Departments    []string
	AllDepartments bool
	State          string
	CounterpartyID string
	AuthorMemberID string
	From, To       time.Time
	Query          string
	Cursor         string // the last document id of the previous page
	Limit          int
}

// FindDocuments lists a box, newest first, page by page.
func (tx *Tx) FindDocuments(ctx context.Context, f DocumentFilter) ([]*paraph.Document, string, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	switch f.Box {
	case "incoming":
		where = append(where, "d.counterparty_org_id = "+arg(f.OrgID), "d.state <> 'draft'")
	case "drafts":
		where = append(where, "d.org_id = "+arg(f.OrgID), "d.state = 'draft'")
	default:
		where = append(where, "d.org_id = "+arg(f.OrgID), "d.state <> 'draft'")
	}
	if f.Box != "incoming" && !f.AllDepartments {
		if len(f.Departments) == 0 {
			return nil, "", nil
		}
		ph := make([]string, len(f.Departments))
		for i, d := range f.Departments {
			ph[i] = arg(d)
		}
		where = append(where, "d.department_id IN ("+strings.Join(ph, ", ")+")")
	}
	if f.State != "" {
		where = append(where, "d.state = "+arg(f.State))
	}
	if f.CounterpartyID != "" {
		where = append(where, "(d.counterparty_org_id = "+arg(f.CounterpartyID)+" OR d.org_id = "+arg(f.CounterpartyID)+")")
	}
	if f.AuthorMemberID != "" {
		where = append(where, "d.author_member_id = "+arg(f.AuthorMemberID))
	}
	if !f.From.IsZero() {
		where = append(where, "d.created_at >= "+arg(f.From.UTC()))
	}
	if !f.To.IsZero() {
		where = append(where, "d.created_at < "+arg(f.To.UTC()))
	}
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		where = append(where, "d.search_text LIKE "+arg("%"+escapeLike(q)+"%")+" ESCAPE '\\'")
	}
	if f.Cursor != "" {
		c := arg(f.Cursor)
		at := "(SELECT created_at FROM documents WHERE id = " + c + ")"
		where = append(where, "(d.created_at < "+at+" OR (d.created_at = "+at+" AND d.id < "+c+"))")
	}
	rows, err := tx.q.query(ctx, `SELECT `+docColumns+docFrom+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY d.created_at DESC, d.id DESC LIMIT `+arg(f.Limit+1), args...)
	if err != nil {
		return nil, "", translate(err)
	}
	defer rows.Close()
	var out []*paraph.Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, "", translate(err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, "", translate(err)
	}
	next := ""
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = out[f.Limit-1].ID
	}
	return out, next, nil
}

// FunnelCounts returns an organization's document counts by funnel step
// (draft, waiting_us, waiting_counterparty, completed, declined_or_revoked)
// within the filter's departments, from the running counts.
func (tx *Tx) FunnelCounts(ctx context.Context, f DocumentFilter) (map[string]int, error) {
	args := []any{f.OrgID}
	where := "org_id = $1"
	if !f.AllDepartments {
		if len(f.Departments) == 0 {
			return map[string]int{}, nil
		}
		ph := make([]string, len(f.Departments))
		for i, d := range f.Departments {
			args = append(args, d)
			ph[i] = "$" + strconv.Itoa(len(args))
		}
		where += " AND department_id IN (" + strings.Join(ph, ", ") + ")"
	}
	rows, err := tx.q.query(ctx, `SELECT step, SUM(n) FROM document_counts WHERE `+where+` GROUP BY step`, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var step string
		var n int64
		if err := rows.Scan(&step, &n); err != nil {
			return nil, translate(err)
		}
		out[step] += int(n)
	}
	return out, translate(rows.Err())
}

// SetSignerLink stores the hash of a signer's signing link and its expiry.
func (tx *Tx) SetSignerLink(ctx context.Context, signerID, hash string, expires time.Time) error {
	return tx.later(ctx, "Signer", `UPDATE signers SET link_hash = $2, link_expires_at = $3 WHERE id = $1`, signerID, hash, expires.UTC())
}

// FindSignerByLink returns the document and signer a link belongs to, and
// when the link expires.
func (tx *Tx) FindSignerByLink(ctx context.Context, hash string) (docID, signerID string, expires time.Time, err error) {
	var exp sql.NullTime
	err = tx.q.queryRow(ctx, `SELECT document_id, id, link_expires_at FROM signers WHERE link_hash = $1 AND link_hash <> ''`, hash).
		Scan(&docID, &signerID, &exp)
	if err != nil {
		return "", "", time.Time{}, notFound(err, "Signing link")
	}
	return docID, signerID, timeOf(exp), nil
}

// SignCode is a one-time code for a simple signature.
type SignCode struct {
	ID        string
	SignerID  string
	Channel   string
	Address   string
	Hash      string
	Attempts  int
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
}

// CreateSignCode stores a code.
func (tx *Tx) CreateSignCode(ctx context.Context, c *SignCode) error {
	_, err := tx.exec(ctx, `INSERT INTO sign_codes (id, signer_id, channel, address, code_hash, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.ID, c.SignerID, c.Channel, c.Address, c.Hash, c.CreatedAt.UTC(), c.ExpiresAt.UTC())
	return err
}

// FindLatestSignCode returns a signer's newest code.
func (tx *Tx) FindLatestSignCode(ctx context.Context, signerID string) (*SignCode, error) {
	var c SignCode
	var used sql.NullTime
	err := tx.q.queryRow(ctx, `SELECT id, signer_id, channel, address, code_hash, attempts, created_at, expires_at, used_at
		FROM sign_codes WHERE signer_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`, signerID).
		Scan(&c.ID, &c.SignerID, &c.Channel, &c.Address, &c.Hash, &c.Attempts, &c.CreatedAt, &c.ExpiresAt, &used)
	if err != nil {
		return nil, notFound(err, "Code")
	}
	c.CreatedAt, c.ExpiresAt, c.UsedAt = c.CreatedAt.UTC(), c.ExpiresAt.UTC(), timeOf(used)
	return &c, nil
}

// AddSignCodeAttempt counts a wrong try.
func (tx *Tx) AddSignCodeAttempt(ctx context.Context, id string) error {
	return tx.execOne(ctx, "Code", `UPDATE sign_codes SET attempts = attempts + 1 WHERE id = $1`, id)
}

// UseSignCode spends a code once.
func (tx *Tx) UseSignCode(ctx context.Context, id string, at time.Time) error {
	return tx.execOne(ctx, "Code", `UPDATE sign_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL`, id, at.UTC())
}

// SetSignatureImages records a simple signature's image and stamp blobs.
func (tx *Tx) SetSignatureImages(ctx context.Context, id, image, stamp string) error {
	return tx.later(ctx, "Signature", `UPDATE signatures SET image_sha256 = $2, stamp_sha256 = $3 WHERE id = $1`, id, image, stamp)
}

// MarkReminded records when a stage's waiting signers were last told.
func (tx *Tx) MarkReminded(ctx context.Context, docID string, stage int, at time.Time) error {
	return tx.later(ctx, "", `UPDATE signers SET reminded_at = $3 WHERE document_id = $1 AND stage_idx = $2 AND state = 'waiting'`,
		docID, stage, at.UTC())
}

// LastReminded returns when a stage's signers were last told (zero: never).
func (tx *Tx) LastReminded(ctx context.Context, docID string, stage int) (time.Time, error) {
	// Not MAX(): SQLite returns an aggregate of a time column as text.
	var at sql.NullTime
	err := tx.q.queryRow(ctx, `SELECT reminded_at FROM signers WHERE document_id = $1 AND stage_idx = $2
		AND reminded_at IS NOT NULL ORDER BY reminded_at DESC LIMIT 1`, docID, stage).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return timeOf(at), translate(err)
}

// FindDocumentsToRemind lists documents in progress whose current stage's
// waiting signers were last told before a time.
func (tx *Tx) FindDocumentsToRemind(ctx context.Context, before time.Time, limit int) ([]string, error) {
	rows, err := tx.q.query(ctx, `SELECT d.id FROM documents d
		JOIN signers s ON s.document_id = d.id AND s.stage_idx = d.current_stage AND s.state = 'waiting'
		WHERE d.state = 'in_progress' GROUP BY d.id HAVING MAX(s.reminded_at) < $1 ORDER BY d.id LIMIT $2`, before.UTC(), limit)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, translate(err)
		}
		out = append(out, id)
	}
	return out, translate(rows.Err())
}
