package store_test

import (
	"context"
	"testing"
	"time"

	"paraph"
	"paraph/internal/store"
	"paraph/internal/storetest"
)

// The final PDF's record: made with completion, found by the public id, by
// its own hash once built and by the original's hash; and the kept reports
// of public verifications, which expire.
func TestFinalsAndVerifyReports(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o, m := mustOrgMember(t, db)
		mkDoc := func(sum string) *paraph.Document {
			d := &paraph.Document{ID: newID(), OrgID: o.ID, AuthorMemberID: m.ID, Title: "Акт", Kind: "act", FileName: "a.pdf",
				ContentType: "application/pdf", SHA256: sum, Size: 10, State: paraph.DocCompleted, CreatedAt: t0, UpdatedAt: t0,
				Stages: []paraph.Stage{{Side: paraph.SideOwn, Signature: paraph.SigSimple, Signers: []paraph.Signer{{ID: newID(),
					MemberID: m.ID, Place: &paraph.Place{Page: 2, X: 20.5, Y: 240}}}}}}
			mustWrite(t, db, func(tx *store.Tx) error {
				if err := tx.CreateDocument(ctx, d); err != nil {
					return err
				}
				return tx.ReplaceRoute(ctx, d.ID, d.Stages)
			})
			return d
		}
		a, b, other := mkDoc("aa"), mkDoc("aa"), mkDoc("bb")
		var got *paraph.Document
		mustWrite(t, db, func(tx *store.Tx) (err error) { got, err = tx.FindDocument(ctx, a.ID); return })
		if p := got.Stages[0].Signers[0].Place; p == nil || *p != (paraph.Place{Page: 2, X: 20.5, Y: 240}) {
			t.Fatalf("place: %+v", p)
		}
		for i, d := range []*paraph.Document{a, b, other} {
			f := &store.Final{DocumentID: d.ID, VerifyID: "v" + d.ID, CreatedAt: t0.Add(time.Duration(i) * time.Second)}
			mustWrite(t, db, func(tx *store.Tx) error { return tx.CreateFinal(ctx, f) })
		}
		if err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.CreateFinal(ctx, &store.Final{DocumentID: a.ID, VerifyID: "again", CreatedAt: t0})
		}); paraph.ErrorCode(err) != paraph.ECONFLICT {
			t.Fatalf("a second final for a document: %v", err)
		}

		var f *store.Final
		mustWrite(t, db, func(tx *store.Tx) (err error) { f, err = tx.FindFinalByVerifyID(ctx, "v"+a.ID); return })
		if f.DocumentID != a.ID || f.SHA256 != "" || !f.BuiltAt.IsZero() {
			t.Fatalf("before the build: %+v", f)
		}
		// Not built yet: no final PDF has the hash "" for the finder.
		err := db.Read(ctx, func(tx *store.Tx) error { _, err := tx.FindFinalBySHA256(ctx, ""); return err })
		if paraph.ErrorCode(err) != paraph.ENOTFOUND {
			t.Fatalf("empty hash found: %v", err)
		}
		mustWrite(t, db, func(tx *store.Tx) error { return tx.SetFinalError(ctx, a.ID, "seal: TSA down") })
		mustWrite(t, db, func(tx *store.Tx) (err error) { f, err = tx.FindFinal(ctx, a.ID); return })
		if f.Error != "seal: TSA down" {
			t.Fatalf("error: %+v", f)
		}
		mustWrite(t, db, func(tx *store.Tx) error { return tx.SetFinalBuilt(ctx, a.ID, "ff01", 1234, t0.Add(time.Minute)) })
		mustWrite(t, db, func(tx *store.Tx) (err error) { f, err = tx.FindFinalBySHA256(ctx, "ff01"); return })
		if f.DocumentID != a.ID || f.Size != 1234 || f.Error != "" || !f.BuiltAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("built: %+v", f)
		}
		var byOriginal []*store.Final
		mustWrite(t, db, func(tx *store.Tx) (err error) { byOriginal, err = tx.FindFinalsByOriginal(ctx, "aa", 10); return })
		if len(byOriginal) != 2 || byOriginal[0].DocumentID != a.ID || byOriginal[1].DocumentID != b.ID {
			t.Fatalf("by original: %+v", byOriginal)
		}
		mustWrite(t, db, func(tx *store.Tx) (err error) { byOriginal, err = tx.FindFinalsByOriginal(ctx, "aa", 1); return })
		if len(byOriginal) != 1 {
			t.Fatalf("limit: %d", len(byOriginal))
		}

		mustWrite(t, db, func(tx *store.Tx) error { return tx.CreateVerifyReport(ctx, "r1", `{"result":"passed"}`, t0) })
		mustWrite(t, db, func(tx *store.Tx) error {
			return tx.CreateVerifyReport(ctx, "r2", `{"result":"failed"}`, t0.Add(time.Hour))
		})
		var rep string
		mustWrite(t, db, func(tx *store.Tx) (err error) {
			rep, err = tx.FindVerifyReport(ctx, "r1", t0.Add(-time.Second))
			return
		})
		if rep != `{"result":"passed"}` {
			t.Fatalf("report: %q", rep)
		}
		err = db.Read(ctx, func(tx *store.Tx) error { _, err := tx.FindVerifyReport(ctx, "r1", t0); return err })
		if paraph.ErrorCode(err) != paraph.ENOTFOUND {
			t.Fatalf("an expired report is found: %v", err)
		}
		mustWrite(t, db, func(tx *store.Tx) error { return tx.DeleteVerifyReports(ctx, t0.Add(time.Minute)) })
		err = db.Read(ctx, func(tx *store.Tx) error { _, err := tx.FindVerifyReport(ctx, "r1", time.Time{}); return err })
		if paraph.ErrorCode(err) != paraph.ENOTFOUND {
			t.Fatalf("a deleted report is found: %v", err)
		}
		mustWrite(t, db, func(tx *store.Tx) (err error) { _, err = tx.FindVerifyReport(ctx, "r2", time.Time{}); return })
	})
}
