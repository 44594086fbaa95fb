package core

import (
	"context"

	"paraph"
	"paraph/internal/store"
)

// Departments returns an organization's department tree as a flat list.
func (s *Service) Departments(ctx context.Context, orgID string) ([]paraph.Department, error) {
	var out []paraph.Department
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		me, err := s.actor(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if err := paraph.Can(me, paraph.ActionViewOrganization, nil); err != nil {
			return err
		}
		out, err = tx.FindDepartments(ctx, orgID)
		return err
	})
	return out, err
}

// CreateDepartment adds a department under parentID ("" for the top level).
func (s *Service) CreateDepartment(ctx context.Context, orgID, name, parentID string) (*paraph.Department, error) {
	name, err := paraph.NormalizeDepartmentName(name)
	if err != nil {
		return nil, err
	}
	d := &paraph.Department{ID: newID(), OrgID: orgID, ParentID: parentID, Name: name, CreatedAt: s.clock.Now()}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		tree, err := s.departmentsToManage(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if err := paraph.CheckDepartmentMove(append(tree, *d), d.ID, parentID); err != nil {
			return err
		}
		if err := tx.CreateDepartment(ctx, d); err != nil {
			return err
		}
		return s.audit(ctx, tx, "", orgID, "department.created", d.ID, "")
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// DepartmentUpdate renames or moves a department; nil fields stay.
type DepartmentUpdate struct {
	Name     *string
	ParentID *string
}

// UpdateDepartment renames or moves a department; a move never makes a cycle.
func (s *Service) UpdateDepartment(ctx context.Context, orgID, id string, u DepartmentUpdate) (*paraph.Department, error) {
	var out *paraph.Department
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		tree, err := s.departmentsToManage(ctx, tx, orgID)
		if err != nil {
			return err
		}
		var d *paraph.Department
		for i := range tree {
			if tree[i].ID == id {
				d = &tree[i]
			}
		}
		if d == nil {
			return notFoundErr("Department")
		}
		if u.Name != nil {
			if d.Name, err = paraph.NormalizeDepartmentName(*u.Name); err != nil {
				return err
			}
		}
		if u.ParentID != nil && *u.ParentID != d.ParentID {
			if err := paraph.CheckDepartmentMove(tree, id, *u.ParentID); err != nil {
				return err
			}
			d.ParentID = *u.ParentID
		}
		if err := tx.UpdateDepartment(ctx, d); err != nil {
			return err
		}
		out = d
		return s.audit(ctx, tx, "", orgID, "department.updated", id, "")
	})
	return out, err
}

// DeleteDepartment removes a department that has no members and no children.
func (s *Service) DeleteDepartment(ctx context.Context, orgID, id string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := s.departmentsToManage(ctx, tx, orgID); err != nil {
			return err
		}
		members, children, err := tx.DepartmentUsage(ctx, orgID, id)
		if err != nil {
			return err
		}
		if members > 0 || children > 0 {
			return &paraph.Error{Code: paraph.ECONFLICT, Reason: "department_not_empty",
				Message: "The department is not empty: move its employees and sub-departments first."}
		}
		if err := tx.DeleteDepartment(ctx, orgID, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, "", orgID, "department.deleted", id, "")
	})
}

func (s *Service) departmentsToManage(ctx context.Context, tx *store.Tx, orgID string) ([]paraph.Department, error) {
	me, err := s.actor(ctx, tx, orgID)
	if err != nil {
		return nil, err
	}
	if err := paraph.Can(me, paraph.ActionManageDepartments, nil); err != nil {
		return nil, err
	}
	return tx.FindDepartments(ctx, orgID)
}
