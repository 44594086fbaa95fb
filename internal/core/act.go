package core

import (
	"bytes"
	"context"
	"time"

	"paraph"
	"paraph/internal/pdf"
	"paraph/internal/store"
)

// CreateActDocument fills the built-in "act of completed works" template,
// renders it to PDF (Cyrillic text, total in words) and creates a draft
// with its metadata taken from the act.
func (s *Service) CreateActDocument(ctx context.Context, orgID string, act pdf.Act, departmentID string) (*paraph.Document, error) {
	if act.Language == "" {
		act.Language = "ru"
	}
	if err := act.Validate(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := act.Render(&buf); err != nil {
		return nil, paraph.Internal(err)
	}
	total := act.Totals().Total
	title := "Акт № " + act.Number + " от " + act.Date.Format("02.01.2006")
	name := "akt-" + act.Number + ".pdf"
	if act.Language == "uk" {
		title = "Акт № " + act.Number + " від " + act.Date.Format("02.01.2006")
	}
	meta := paraph.DocumentMeta{Title: title, Kind: "act", Number: act.Number, Date: act.Date.Format(time.DateOnly),
		Amount: &total, Currency: act.Currency, CounterpartyName: act.Customer.Name, Comment: act.Comment}
	return s.CreateDocument(ctx, orgID, meta, departmentID, UploadedFile{Name: name, ContentType: "application/pdf", Body: &buf})
}

// Funnel counts an organization's documents at each step — draft, waiting
// for us, waiting for the counterparty, completed, declined or revoked —
// within the acting member's department scope, and lists the newest that
// wait, with their routes so a page can say whom each waits for.
type Funnel struct {
	Counts  map[string]int
	Waiting []*paraph.Document
}

// DocumentFunnel returns the funnel of an organization.
func (s *Service) DocumentFunnel(ctx context.Context, orgID string) (*Funnel, error) {
	f := &Funnel{}
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		filter, err := s.scopeFilter(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if f.Counts, err = tx.FunnelCounts(ctx, filter); err != nil {
			return err
		}
		for _, step := range []string{"draft", "waiting_us", "waiting_counterparty", "completed", "declined_or_revoked"} {
			f.Counts[step] += 0
		}
		filter.Box, filter.State, filter.Limit = "outgoing", paraph.DocInProgress, 50
		docs, _, err := tx.FindDocuments(ctx, filter)
		if err != nil {
			return err
		}
		for _, d := range docs {
			full, err := tx.FindDocument(ctx, d.ID)
			if err != nil {
				return err
			}
			f.Waiting = append(f.Waiting, full)
		}
		return nil
	})
	return f, err
}
