package store

import (
	"context"
	"database/sql"

	"paraph"
)

// CreateDepartment inserts a department.
func (tx *Tx) CreateDepartment(ctx context.Context, d *paraph.Department) error {
	_, err := tx.exec(ctx, `INSERT INTO departments (id, org_id, parent_id, name, created_at) VALUES ($1, $2, $3, $4, $5)`,
		d.ID, d.OrgID, nullString(d.ParentID), d.Name, d.CreatedAt.UTC())
	return err
}

// UpdateDepartment writes a department's name and parent.
func (tx *Tx) UpdateDepartment(ctx context.Context, d *paraph.Department) error {
	return tx.execOne(ctx, "Department", `UPDATE departments SET parent_id = $3, name = $4 WHERE id = $1 AND org_id = $2`,
		d.ID, d.OrgID, nullString(d.ParentID), d.Name)
}

// DeleteDepartment removes a department of an organization.
func (tx *Tx) DeleteDepartment(ctx context.Context, orgID, id string) error {
	return tx.execOne(ctx, "Department", `DELETE FROM departments WHERE id = $1 AND org_id = $2`, id, orgID)
}

// FindDepartments returns every department of an organization (the tree is
// small: a company has tens, not thousands), by name.
func (tx *Tx) FindDepartments(ctx context.Context, orgID string) ([]paraph.Department, error) {
	rows, err := tx.q.query(ctx, `SELECT id, org_id, parent_id, name, created_at FROM departments
		WHERE org_id = $1 ORDER BY name, id`, orgID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []paraph.Department
	for rows.Next() {
		var d paraph.Department
		var parent sql.NullString
		if err := rows.Scan(&d.ID, &d.OrgID, &parent, &d.Name, &d.CreatedAt); err != nil {
			return nil, translate(err)
		}
		d.ParentID, d.CreatedAt = parent.String, d.CreatedAt.UTC()
		out = append(out, d)
	}
	return out, translate(rows.Err())
}

// DepartmentUsage counts what still refers to a department: its members and
// its child departments.
func (tx *Tx) DepartmentUsage(ctx context.Context, orgID, id string) (members, children int, err error) {
	err = tx.q.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM members WHERE org_id = $1 AND department_id = $2),
		(SELECT COUNT(*) FROM departments WHERE org_id = $1 AND parent_id = $2)`, orgID, id).Scan(&members, &children)
	return members, children, translate(err)
}
