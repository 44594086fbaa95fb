package core

import (
	"context"
	"errors"
	"io"
	"mime"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"paraph"
	"paraph/internal/blob"
	"paraph/internal/notify"
	"paraph/internal/store"
)

// DefaultMaxDocumentSize caps an uploaded document unless configured.
const DefaultMaxDocumentSize = 100 << 20

// UploadedFile is a document's file as it arrives: streamed, never held whole.
type UploadedFile struct {
	Name        string
	ContentType string
	Body        io.Reader
}

// CreateDocument stores a file (streamed to the blob store while hashed, so
// memory does not grow with its size) and creates a draft in the author's
// department (or departmentID when given).
func (s *Service) CreateDocument(ctx context.Context, orgID string, meta paraph.DocumentMeta, departmentID string, f UploadedFile) (*paraph.Document, error) {
	meta, err := paraph.NormalizeDocumentMeta(meta)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSpace(filepath.Base(strings.ReplaceAll(f.Name, "\\", "/")))
	if name == "" || name == "." || name == "/" {
		return nil, paraph.Invalid("file", "file_name_required", "The file has no name.")
	}
	if utf8.RuneCountInString(name) > 255 {
		return nil, paraph.Invalid("file", "file_name_too_long", "The file name is too long (255 characters at most).")
	}
	ct := f.ContentType
	if ct == "" || ct == "application/octet-stream" {
		if byExt := mime.TypeByExtension(strings.ToLower(filepath.Ext(name))); byExt != "" {
			ct = byExt
		} else {
			ct = "application/octet-stream"
		}
	}
	// Membership first, so an outsider cannot fill the disk.
	var me *paraph.Member
	if err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if me, err = s.actor(ctx, tx, orgID); err != nil {
			return err
		}
		return paraph.Can(me, paraph.ActionViewDocuments, nil)
	}); err != nil {
		return nil, err
	}
	if s.cfg.Blobs == nil {
		return nil, paraph.Internal(errors.New("core: no blob store configured"))
	}
	max := s.MaxDocumentSize()
	sum, size, err := s.cfg.Blobs.Put(ctx, f.Body, max)
	switch {
	case errors.Is(err, blob.ErrTooLarge):
		return nil, paraph.Invalid("file", "file_too_large", "The file is larger than the "+humanSize(max)+" allowed.")
	case errors.Is(err, blob.ErrEmpty):
		return nil, paraph.Invalid("file", "file_empty", "The file is empty.")
	case err != nil:
		return nil, paraph.Internal(err)
	}
	now := s.clock.Now()
	d := &paraph.Document{ID: newID(), OrgID: orgID, AuthorMemberID: me.ID, AuthorName: me.FullName, DepartmentID: me.DepartmentID,
		Title: meta.Title, Kind: meta.Kind, Number: meta.Number, Date: meta.Date, Amount: meta.Amount, Currency: meta.Currency,
		CounterpartyName: meta.CounterpartyName, Comment: meta.Comment, FileName: name, ContentType: ct, SHA256: sum, Size: size,
		State: paraph.DocDraft, CreatedAt: now, UpdatedAt: now}
	if departmentID != "" {
		d.DepartmentID = departmentID
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if d.DepartmentID != "" {
			tree, err := tx.FindDepartments(ctx, orgID)
			if err != nil {
				return err
			}
			found := false
			for _, dep := range tree {
				found = found || dep.ID == d.DepartmentID
			}
			if !found {
				return paraph.Invalid("department_id", "unknown_department", "There is no such department in this organization.")
			}
		}
		if err := tx.CreateDocument(ctx, d); err != nil {
			return err
		}
		return s.audit(ctx, tx, "", orgID, "document.created", d.ID, `{"sha256":"`+sum+`"}`)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return itoa64(n>>30) + " GiB"
	case n >= 1<<20:
		return itoa64(n>>20) + " MiB"
	default:
		return itoa64(n>>10) + " KiB"
	}
}

func itoa64(n int64) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa64(n/10) + string(rune('0'+n%10))
}

// MaxDocumentSize is the configured cap on a document's size.
func (s *Service) MaxDocumentSize() int64 {
	if s.cfg.MaxDocumentSize > 0 {
		return s.cfg.MaxDocumentSize
	}
	return DefaultMaxDocumentSize
}

// docAccess is how the acting account relates to a document.
type docAccess struct {
	doc     *paraph.Document
	me      *paraph.Member // the actor's membership in the organization it acts for
	own     bool           // me is in the document's organization
	signers []paraph.Signer
}

// loadDocument finds a document the acting account may see: in its own
// organization within the member's department scope, or the counterparty
// organization's incoming one once sent, or a route where the member signs.
// Anything else is "not found".
func (s *Service) loadDocument(ctx context.Context, tx *store.Tx, docID string) (*docAccess, error) {
	acc, _, err := s.readDocument(ctx, tx, docID, tx.FindDocumentAs)
	return acc, err
}

// lockDocument is loadDocument that also takes the document's row lock for
// the rest of the transaction.
func (s *Service) lockDocument(ctx context.Context, tx *store.Tx, docID string) (*docAccess, error) {
	if err := tx.LockDocument(ctx, docID); err != nil {
		return nil, err
	}
	return s.loadDocument(ctx, tx, docID)
}

// readDocument reads a document with the acting account's standing in it
// (find is one of the store's FindDocumentAs) and decides the access.
func (s *Service) readDocument(ctx context.Context, tx *store.Tx, docID string,
	find func(ctx context.Context, docID, accountID string) (*paraph.Document, *store.Standing, error)) (*docAccess, *store.Standing, error) {
	p, err := requirePrincipal(ctx)
	if err != nil {
		return nil, nil, err
	}
	d, st, err := find(ctx, docID, p.Account.ID)
	if err != nil {
		return nil, nil, err
	}
	hidden := notFoundErr("Document")
	if me := st.Member(d.OrgID); me != nil {
		if me.Status != paraph.MemberActive {
			return nil, nil, &paraph.Error{Code: paraph.EFORBIDDEN, Reason: "blocked", Message: "Your access to this organization is blocked."}
		}
		if s.seesDepartment(ctx, tx, me, d.DepartmentID) || signsIn(d, me) || d.AuthorMemberID == me.ID {
			return &docAccess{doc: d, me: me, own: true}, st, nil
		}
		return nil, nil, hidden
	}
	if d.CounterpartyOrgID != "" && d.State != paraph.DocDraft {
		if me := st.Member(d.CounterpartyOrgID); me != nil && me.Status == paraph.MemberActive {
			return &docAccess{doc: d, me: me}, st, nil
		}
	}
	return nil, nil, hidden
}

func (s *Service) seesDepartment(ctx context.Context, tx *store.Tx, m *paraph.Member, dept string) bool {
	if m.AccessScope == paraph.ScopeAll {
		return true
	}
	tree, err := tx.FindDepartments(ctx, m.OrgID)
	if err != nil {
		return false
	}
	all, ids := paraph.VisibleDepartments(m.AccessScope, m.DepartmentID, m.AccessDepartments, tree)
	return all || (dept != "" && ids[dept])
}

func signsIn(d *paraph.Document, m *paraph.Member) bool {
	for _, st := range d.Stages {
		for _, sg := range st.Signers {
			if sg.MemberID == m.ID {
				return true
			}
		}
	}
	return false
}

// Document returns a document with its route and signatures.
func (s *Service) Document(ctx context.Context, docID string) (*paraph.Document, []*store.SignatureRecord, error) {
	var acc *docAccess
	var sigs []*store.SignatureRecord
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if acc, err = s.loadDocument(ctx, tx, docID); err != nil {
			return err
		}
		sigs, err = tx.FindSignatures(ctx, docID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return acc.doc, sigs, nil
}

// OpenDocumentFile returns the document's bytes for someone who may see it.
func (s *Service) OpenDocumentFile(ctx context.Context, docID string) (*paraph.Document, io.ReadSeekCloser, error) {
	d, _, err := s.Document(ctx, docID)
	if err != nil {
		return nil, nil, err
	}
	r, _, err := s.cfg.Blobs.Open(ctx, d.SHA256)
	if err != nil {
		return nil, nil, paraph.Internal(err)
	}
	return d, r, nil
}

// SetRoute sets who signs a draft in which order (its author, or an owner
// or admin). Own signers must be active members with the right to sign.
func (s *Service) SetRoute(ctx context.Context, docID string, stages []paraph.Stage) (*paraph.Document, error) {
	if err := paraph.CheckRouteShape(stages); err != nil {
		return nil, err
	}
	var out *paraph.Document
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		d, err := s.lockManaged(ctx, tx, docID, paraph.DocDraft,
			&paraph.Error{Code: paraph.ECONFLICT, Reason: "document_sent", Message: "The document was sent: its route can no longer change."})
		if err != nil {
			return err
		}
		counterparty := ""
		for i := range stages {
			for j := range stages[i].Signers {
				sg := &stages[i].Signers[j]
				sg.ID = newID()
				field := "stages[" + itoa64(int64(i)) + "].signers[" + itoa64(int64(j)) + "]"
				switch {
				case sg.MemberID != "":
					m, err := tx.FindMember(ctx, d.OrgID, sg.MemberID)
					if err != nil {
						return paraph.Invalid(field, "unknown_member", "There is no such employee in the organization.")
					}
					if m.Status != paraph.MemberActive || paraph.Can(m, paraph.ActionSign, nil) != nil {
						return paraph.Invalid(field, "signer_cannot_sign", m.FullName+" has no right to sign for the organization.")
					}
					sg.FullName = m.FullName
				case sg.OrgID != "":
					if sg.OrgID == d.OrgID {
						return paraph.Invalid(field, "counterparty_is_self", "The counterparty must be another organization.")
					}
					o, err := tx.FindOrganizationByID(ctx, sg.OrgID)
					if err != nil {
						return paraph.Invalid(field, "unknown_organization", "There is no such organization in Paraph.")
					}
					sg.FullName = o.Name
					if counterparty != "" && counterparty != sg.OrgID {
						return paraph.Invalid(field, "two_counterparties", "A document has one counterparty organization.")
					}
					counterparty = sg.OrgID
				default:
					name, err := paraph.NormalizeFullName(sg.FullName)
					if err != nil {
						return paraph.Invalid(field+".full_name", "signer_name_required", "Give the outside signer's full name.")
					}
					sg.FullName = name
					if sg.Email != "" {
						if sg.Email, err = paraph.NormalizeEmail(sg.Email); err != nil {
							return paraph.Invalid(field+".email", "invalid_email", "This is not a valid email address.")
						}
					}
					if sg.Phone != "" {
						if sg.Phone, err = paraph.NormalizePhone(sg.Phone); err != nil {
							return paraph.Invalid(field+".phone", "invalid_phone", "This is not a valid phone number.")
						}
					}
				}
			}
		}
		if err := tx.ReplaceRoute(ctx, d.ID, stages); err != nil {
			return err
		}
		d.CounterpartyOrgID = counterparty
		d.UpdatedAt = s.clock.Now()
		if err := tx.UpdateDocument(ctx, d); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, "", d.OrgID, "document.route_set", d.ID, ""); err != nil {
			return err
		}
		out, err = tx.FindDocument(ctx, d.ID)
		return err
	})
	return out, err
}

// canManageDocument: its author, or an owner or admin of its organization.
func (s *Service) canManageDocument(acc *docAccess) error {
	if !acc.own {
		return &paraph.Error{Code: paraph.EFORBIDDEN, Reason: "not_document_owner", Message: "Only the sending organization manages this document."}
	}
	if acc.doc.AuthorMemberID == acc.me.ID || acc.me.Role == paraph.RoleOwner || acc.me.Role == paraph.RoleAdmin {
		return nil
	}
	return &paraph.Error{Code: paraph.EFORBIDDEN, Reason: "not_document_owner", Message: "Only the document's author or an administrator may do this."}
}

// lockManaged locks a document for the rest of the transaction and loads it
// for one who manages it (its author, an owner or admin), refusing with
// wrongState unless the document is in state.
func (s *Service) lockManaged(ctx context.Context, tx *store.Tx, docID, state string, wrongState *paraph.Error) (*paraph.Document, error) {
	acc, err := s.lockDocument(ctx, tx, docID)
	if err != nil {
		return nil, err
	}
	if err := s.canManageDocument(acc); err != nil {
		return nil, err
	}
	if acc.doc.State != state {
		return nil, wrongState
	}
	return acc.doc, nil
}

// Send fixes the document's content (its hash was fixed at upload and the
// blob is immutable) and opens the first stage, telling its signers.
func (s *Service) Send(ctx context.Context, docID string) (*paraph.Document, error) {
	var out *paraph.Document
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		d, err := s.lockManaged(ctx, tx, docID, paraph.DocDraft,
			&paraph.Error{Code: paraph.ECONFLICT, Reason: "document_sent", Message: "The document was sent already."})
		if err != nil {
			return err
		}
		if len(d.Stages) == 0 {
			return paraph.Invalid("stages", "route_empty", "Set the route before sending: who signs, in which order.")
		}
		now := s.clock.Now()
		d.State, d.CurrentStage, d.SentAt, d.UpdatedAt = paraph.DocInProgress, 0, now, now
		if err := tx.UpdateDocument(ctx, d); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, "", d.OrgID, "document.sent", d.ID, ""); err != nil {
			return err
		}
		if err := s.notifyStage(ctx, tx, d, 0); err != nil {
			return err
		}
		out = d
		return nil
	})
	if err == nil {
		s.wake()
	}
	return out, err
}

// notifyStage tells the signers of a stage that the document waits for them.
func (s *Service) notifyStage(ctx context.Context, tx *store.Tx, d *paraph.Document, stage int) error {
	if err := tx.MarkReminded(ctx, d.ID, stage, s.clock.Now()); err != nil {
		return err
	}
	return s.notifyWaiting(ctx, tx, d, stage, "")
}

// notifyWaiting sends the "waits for your signature" notices of a stage;
// people outside get (a new) signing link.
// keySuffix tells a reminder's messages apart from the first ones.
func (s *Service) notifyWaiting(ctx context.Context, tx *store.Tx, d *paraph.Document, stage int, keySuffix string) error {
	link := s.cfg.BaseURL + "/documents/" + d.ID
	for _, sg := range d.Stages[stage].Signers {
		if sg.State != paraph.SignerWaiting {
			continue
		}
		var to []*store.AccountRecord
		switch {
		case sg.MemberID != "":
			m, err := tx.FindMember(ctx, d.OrgID, sg.MemberID)
			if err != nil {
				return err
			}
			a, err := tx.FindAccountByID(ctx, m.AccountID)
			if err != nil {
				return err
			}
			to = append(to, a)
		case sg.OrgID != "":
			signers, err := orgSigners(ctx, tx, sg.OrgID)
			if err != nil {
				return err
			}
			for _, m := range signers {
				if a, err := tx.FindAccountByID(ctx, m.AccountID); err == nil {
					to = append(to, a)
				}
			}
		default:
			if err := s.sendSigningLink(ctx, tx, d, sg, keySuffix); err != nil {
				return err
			}
			continue
		}
		for _, a := range to {
			if a.Email == "" {
				continue
			}
			if err := s.enqueueNotification(ctx, tx, "sign:"+sg.ID+":"+a.ID+keySuffix, notification{Channel: notify.Email, To: a.Email,
				Kind: notify.KindDocumentToSign, Lang: a.Language, Data: notify.Data{"name": a.FullName, "org": d.OrgName,
					"title": d.Title, "link": link}}); err != nil {
				return err
			}
		}
	}
	return nil
}

// orgSigners lists the members of an organization who may sign for it: a
// counterparty organization on a route is any of them.
func orgSigners(ctx context.Context, tx *store.Tx, orgID string) ([]*paraph.Member, error) {
	page, err := tx.FindMembers(ctx, store.MemberFilter{OrgIDs: []string{orgID}, Limit: 200})
	if err != nil {
		return nil, err
	}
	var out []*paraph.Member
	for _, m := range page.Members {
		if paraph.Can(m, paraph.ActionSign, nil) == nil {
			out = append(out, m)
		}
	}
	return out, nil
}

// HistoryEntry is one event of a document's audit trail.
type HistoryEntry struct {
	At     time.Time
	Action string // e.g. document.sent, document.signed
	Actor  string // who, "" for a person outside or the system
	IP     string
}

// DocumentHistory returns a document's audit trail, oldest first (at most
// 500 events), to whoever may see the document.
func (s *Service) DocumentHistory(ctx context.Context, docID string) ([]HistoryEntry, error) {
	var out []HistoryEntry
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		acc, err := s.loadDocument(ctx, tx, docID)
		if err != nil {
			return err
		}
		events, err := tx.FindAuditEventsByTarget(ctx, acc.doc.OrgID, docID, 500)
		if err != nil {
			return err
		}
		for _, e := range events {
			out = append(out, HistoryEntry{At: e.CreatedAt, Action: e.Action, Actor: e.ActorName, IP: e.IP})
		}
		return nil
	})
	return out, err
}
