package store_test

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"testing"

	"paraph"
	"paraph/internal/store"
	"paraph/internal/storetest"
)

// The funnel's running counts follow documents that many transactions move
// at once under their locks — taken with FindDocumentForUpdate (whose step
// UpdateDocument then need not read again) or apart — back and forth
// between two departments: in the end they equal a count of the documents.
func TestFunnelCountsFollowConcurrentMoves(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o, m := mustOrgMember(t, db)
		var depts []string
		for _, name := range []string{"Бухгалтерия", "Продажи"} {
			d := &paraph.Department{ID: newID(), OrgID: o.ID, Name: name}
			mustWrite(t, db, func(tx *store.Tx) error { return tx.CreateDepartment(ctx, d) })
			depts = append(depts, d.ID)
		}
		route := []paraph.Stage{
			{Side: paraph.SideOwn, Signature: paraph.SigSimple, Signers: []paraph.Signer{{MemberID: m.ID}}},
			{Side: paraph.SideCounterparty, Signature: paraph.SigSimple, Signers: []paraph.Signer{{FullName: "Клиент"}}},
		}
		var ids []string
		for i := range 12 {
			d := &paraph.Document{ID: newID(), OrgID: o.ID, AuthorMemberID: m.ID, DepartmentID: depts[i%2], Title: "Акт", Kind: "act",
				FileName: "a.pdf", ContentType: "application/pdf", SHA256: "aa", Size: 1, State: paraph.DocDraft, CreatedAt: t0, UpdatedAt: t0}
			stages := make([]paraph.Stage, len(route))
			for j, st := range route {
				stages[j] = st
				stages[j].Signers = []paraph.Signer{st.Signers[0]}
				stages[j].Signers[0].ID = newID()
			}
			mustWrite(t, db, func(tx *store.Tx) error {
				if err := tx.CreateDocument(ctx, d); err != nil {
					return err
				}
				return tx.ReplaceRoute(ctx, d.ID, stages)
			})
			ids = append(ids, d.ID)
		}
		// Each worker walks every document a few steps: sent, to the
		// counterparty, to the other department, back to draft.
		moves := []func(d *paraph.Document){
			func(d *paraph.Document) { d.State, d.CurrentStage = paraph.DocInProgress, 0 },
			func(d *paraph.Document) { d.CurrentStage = 1 },
			func(d *paraph.Document) {
				if d.DepartmentID == depts[0] {
					d.DepartmentID = depts[1]
				} else {
					d.DepartmentID = depts[0]
				}
			},
			func(d *paraph.Document) { d.State, d.CurrentStage = paraph.DocDraft, 0 },
		}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for w := range 8 {
			wg.Go(func() {
				for k := range 3 * len(ids) {
					id := ids[(w+k)%len(ids)]
					err := db.Write(ctx, func(tx *store.Tx) error {
						find := tx.FindDocumentForUpdate
						if w%2 == 1 { // locked apart: UpdateDocument reads the step itself
							find = func(ctx context.Context, id string) (*paraph.Document, error) {
								if err := tx.LockDocument(ctx, id); err != nil {
									return nil, err
								}
								return tx.FindDocument(ctx, id)
							}
						}
						d, err := find(ctx, id)
						if err != nil {
							return err
						}
						moves[(w+k)%len(moves)](d)
						if err := tx.UpdateDocument(ctx, d); err != nil {
							return err
						}
						d.Title += "." // and again, in the same place
						return tx.UpdateDocument(ctx, d)
					})
					if err != nil {
						errs <- fmt.Errorf("worker %d: %w", w, err)
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		want := map[string]int{}
		for _, id := range ids {
			var d *paraph.Document
			mustWrite(t, db, func(tx *store.Tx) (err error) { d, err = tx.FindDocument(ctx, id); return })
			want[paraph.FunnelStep(d)]++
		}
		var got map[string]int
		mustWrite(t, db, func(tx *store.Tx) (err error) {
			got, err = tx.FunnelCounts(ctx, store.DocumentFilter{OrgID: o.ID, AllDepartments: true})
			return
		})
		maps.DeleteFunc(got, func(_ string, n int) bool { return n == 0 })
		if !maps.Equal(got, want) {
			t.Fatalf("funnel counts %v, the documents say %v", got, want)
		}
	})
}
