package core

import (
	"context"
	"time"

	"paraph"
	"paraph/internal/store"
)

// DefaultRemindAfter is how long a stage may wait before its signers are
// reminded automatically, unless configured.
const DefaultRemindAfter = 3 * 24 * time.Hour

// JobReminders is the scheduled job that reminds signers of waiting documents.
const JobReminders = "document_reminders"

// Remind tells the signers the document waits for, again (its author, or an
// owner or admin; at most once an hour per document).
func (s *Service) Remind(ctx context.Context, docID string) error {
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		d, err := s.lockManaged(ctx, tx, docID, paraph.DocInProgress,
			&paraph.Error{Code: paraph.ECONFLICT, Reason: "document_not_in_progress", Message: "The document is not waiting for signatures."})
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if last, err := tx.LastReminded(ctx, d.ID, d.CurrentStage); err != nil {
			return err
		} else if now.Sub(last) < time.Hour {
			return tooMany("remind_too_soon", "The signers were reminded less than an hour ago.", time.Hour-now.Sub(last))
		}
		return s.remindStage(ctx, tx, d, now)
	})
	if err == nil {
		s.wake()
	}
	return err
}

// remindStage re-sends the stage's notices with keys naming this moment,
// and records when.
func (s *Service) remindStage(ctx context.Context, tx *store.Tx, d *paraph.Document, now time.Time) error {
	if err := tx.MarkReminded(ctx, d.ID, d.CurrentStage, now); err != nil {
		return err
	}
	if err := s.notifyWaiting(ctx, tx, d, d.CurrentStage, ":remind:"+now.Format("20060102T150405")); err != nil {
		return err
	}
	return s.audit(ctx, tx, "", d.OrgID, "document.reminded", d.ID, "")
}

// RemindWaiting reminds the signers of every document whose current stage
// has waited longer than the configured period since it opened or since
// the last reminder. It is the scheduled job's work.
func (s *Service) RemindWaiting(ctx context.Context) (int, error) {
	after := s.cfg.RemindAfter
	if after == 0 {
		after = DefaultRemindAfter
	}
	if after < 0 {
		return 0, nil // reminders turned off
	}
	now := s.clock.Now()
	var ids []string
	if err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		ids, err = tx.FindDocumentsToRemind(ctx, now.Add(-after), 500)
		return err
	}); err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		err := s.db.Write(ctx, func(tx *store.Tx) error {
			d, err := tx.FindDocumentForUpdate(ctx, id)
			if err != nil || d.State != paraph.DocInProgress {
				return err
			}
			return s.remindStage(ctx, tx, d, now)
		})
		if err != nil {
			return n, err
		}
		n++
	}
	if n > 0 {
		s.wake()
	}
	return n, nil
}
