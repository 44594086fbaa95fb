package web

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// reasonScanner finds every reason an error of the domain, core or store may
// carry, including those built at run time: it starts at each `Reason: x` of
// a composite literal and follows x back through string concatenation, the
// parameters of the enclosing function (to every call of it: Invalid,
// forbidden, tooMany, checksumError, normalizeText…), the return values of a
// called function (requiredReason) and range variables over literal lists.
// Whatever it cannot follow is reported, so a new way of building a reason
// fails the test instead of slipping past it.
type reasonScanner struct {
	fset       *token.FileSet
	funcs      map[string][]*ast.FuncDecl // by name, package ignored
	calls      map[string][]scanCall      // calls by callee name
	reasons    map[string]bool
	byFile     map[string][]string // reasons found in each file, by base name
	unresolved []string
}

type scanCall struct {
	call *ast.CallExpr
	in   *ast.FuncDecl
}

func newReasonScanner(t *testing.T, dirs ...string) *reasonScanner {
	t.Helper()
	s := &reasonScanner{fset: token.NewFileSet(), funcs: map[string][]*ast.FuncDecl{},
		calls: map[string][]scanCall{}, reasons: map[string]bool{}}
	var files []*ast.File
	for _, dir := range dirs {
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(s.fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
	}
	for _, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			s.funcs[fd.Name.Name] = append(s.funcs[fd.Name.Name], fd)
			ast.Inspect(fd, func(n ast.Node) bool {
				if c, ok := n.(*ast.CallExpr); ok {
					if name := calleeName(c); name != "" {
						s.calls[name] = append(s.calls[name], scanCall{c, fd})
					}
				}
				return true
			})
		}
	}
	for _, f := range files {
		// The enclosing function of each Reason (nil at package level).
		var walk func(n ast.Node, in *ast.FuncDecl)
		walk = func(n ast.Node, in *ast.FuncDecl) {
			ast.Inspect(n, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.FuncDecl:
					if n != in {
						walk(n, n)
						return false
					}
				case *ast.KeyValueExpr:
					if k, ok := n.Key.(*ast.Ident); ok && k.Name == "Reason" {
						for _, r := range s.eval(n.Value, in, 0) {
							s.reasons[r] = true
						}
					}
				}
				return true
			})
		}
		walk(f, nil)
	}
	return s
}

func calleeName(c *ast.CallExpr) string {
	switch fn := c.Fun.(type) {
	case *ast.Ident:
		return fn.Name
	case *ast.SelectorExpr:
		return fn.Sel.Name
	}
	return ""
}

// eval returns the strings expression e may hold inside function in.
func (s *reasonScanner) eval(e ast.Expr, in *ast.FuncDecl, depth int) []string {
	if depth > 8 {
		s.fail(e, "too deep")
		return nil
	}
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			v, err := strconv.Unquote(e.Value)
			if err == nil {
				return []string{v}
			}
		}
	case *ast.ParenExpr:
		return s.eval(e.X, in, depth)
	case *ast.SelectorExpr:
		// pe.Reason of a *poa.Error (core's poaError prefixes it with
		// "poa_"): one of internal/poa's Reason constants, or the reason of
		// an identifier check of the domain that poa passes on.
		if e.Sel.Name == "Reason" {
			if out := s.poaReasons(); len(out) > 0 {
				return out
			}
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			var out []string
			for _, x := range s.eval(e.X, in, depth) {
				for _, y := range s.eval(e.Y, in, depth) {
					out = append(out, x+y)
				}
			}
			return out
		}
	case *ast.CallExpr:
		// A reason computed by a function: whatever it returns, with its
		// parameters followed to this call's arguments.
		name := calleeName(e)
		var out []string
		for _, fd := range s.funcs[name] {
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if _, ok := n.(*ast.FuncLit); ok {
					return false
				}
				if r, ok := n.(*ast.ReturnStmt); ok && len(r.Results) == 1 {
					out = append(out, s.evalWithArgs(r.Results[0], fd, e, in, depth+1)...)
				}
				return true
			})
		}
		if len(out) > 0 {
			return out
		}
	case *ast.Ident:
		if e.Obj == nil {
			break
		}
		switch d := e.Obj.Decl.(type) {
		case *ast.Field: // a parameter: follow every call of the function
			if in == nil {
				break
			}
			idx := paramIndex(in, e.Name)
			if idx < 0 {
				break
			}
			var out []string
			for _, c := range s.calls[in.Name.Name] {
				if idx < len(c.call.Args) {
					out = append(out, s.eval(c.call.Args[idx], c.in, depth+1)...)
				}
			}
			return out
		case *ast.AssignStmt: // a range variable over a literal list
			if r := rangeOver(in, d); r != nil {
				if lit, ok := r.X.(*ast.CompositeLit); ok {
					var out []string
					for _, el := range lit.Elts {
						out = append(out, s.eval(el, in, depth+1)...)
					}
					return out
				}
			}
			if len(d.Rhs) == 1 {
				// The declared value and every later `x = …` of the same variable.
				out := s.eval(d.Rhs[0], in, depth+1)
				if in != nil {
					ast.Inspect(in.Body, func(n ast.Node) bool {
						if a, ok := n.(*ast.AssignStmt); ok && a.Tok == token.ASSIGN && len(a.Lhs) == len(a.Rhs) {
							for i, l := range a.Lhs {
								if id, ok := l.(*ast.Ident); ok && id.Obj == e.Obj {
									out = append(out, s.eval(a.Rhs[i], in, depth+1)...)
								}
							}
						}
						return true
					})
				}
				return out
			}
		case *ast.ValueSpec:
			for i, n := range d.Names {
				if n.Name == e.Name && i < len(d.Values) {
					return s.eval(d.Values[i], in, depth+1)
				}
			}
		}
	}
	s.fail(e, "cannot follow")
	return nil
}

// evalWithArgs evaluates e, a return value of fd, where fd's parameters hold
// the arguments of call (made inside caller).
func (s *reasonScanner) evalWithArgs(e ast.Expr, fd *ast.FuncDecl, call *ast.CallExpr, caller *ast.FuncDecl, depth int) []string {
	if id, ok := e.(*ast.Ident); ok {
		if idx := paramIndex(fd, id.Name); idx >= 0 && idx < len(call.Args) {
			return s.eval(call.Args[idx], caller, depth)
		}
	}
	if b, ok := e.(*ast.BinaryExpr); ok && b.Op == token.ADD {
		var out []string
		for _, x := range s.evalWithArgs(b.X, fd, call, caller, depth) {
			for _, y := range s.evalWithArgs(b.Y, fd, call, caller, depth) {
				out = append(out, x+y)
			}
		}
		return out
	}
	return s.eval(e, fd, depth)
}

// poaReasons lists what a *poa.Error's Reason may hold: the string constants
// named Reason… of ../poa, and the identifier checks' reasons of the domain
// (invalid_inn_checksum, invalid_snils_format…; found first: the domain is
// the first directory scanned).
func (s *reasonScanner) poaReasons() []string {
	names, _ := filepath.Glob(filepath.Join("..", "poa", "*.go"))
	var out []string
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			continue
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if !strings.HasPrefix(n.Name, "Reason") || i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if v, err := strconv.Unquote(lit.Value); err == nil {
							out = append(out, v)
						}
					}
				}
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	for r := range s.reasons {
		if strings.HasPrefix(r, "invalid_") && (strings.HasSuffix(r, "_format") || strings.HasSuffix(r, "_checksum")) {
			out = append(out, r)
		}
	}
	return out
}

func paramIndex(fd *ast.FuncDecl, name string) int {
	i := 0
	for _, f := range fd.Type.Params.List {
		if len(f.Names) == 0 {
			i++
		}
		for _, n := range f.Names {
			if n.Name == name {
				return i
			}
			i++
		}
	}
	return -1
}

func rangeOver(in *ast.FuncDecl, a *ast.AssignStmt) *ast.RangeStmt {
	var found *ast.RangeStmt
	if in == nil {
		return nil
	}
	ast.Inspect(in, func(n ast.Node) bool {
		if r, ok := n.(*ast.RangeStmt); ok && a.Pos() >= r.Pos() && a.End() <= r.X.End() {
			found = r
		}
		return found == nil
	})
	return found
}

func (s *reasonScanner) fail(e ast.Expr, why string) {
	s.unresolved = append(s.unresolved, fmt.Sprintf("%s: %s %T", s.fset.Position(e.Pos()), why, e))
}

// TestReasonScannerFollowsHelpers pins the scanner on reasons that only exist
// at run time, so a scanner that silently stopped following them fails.
func TestReasonScannerFollowsHelpers(t *testing.T) {
	s := newReasonScanner(t, "../..", "../core", "../store")
	for _, r := range []string{
		"invalid_inn_checksum", "invalid_ogrnip_checksum", "invalid_unp_checksum", // checksumError(field, …)
		"inn_required", "ogrnip_required", "unp_required", // requiredReason over a range variable
		"address_too_long", "name_required", // normalizeText(…, field, …)
		"identifier_not_for_country", "admin_cannot_manage_admins", "last_owner", "cannot_block_self", // forbidden(…)
		"code_resend_too_soon", "organization_exists", "already_member",
		"poa_missing", "poa_invalid", "poa_invalid_inn_checksum", // "poa_" + a *poa.Error's Reason
		"not_certificate", "private_key_uploaded", "certificate_truncated", // reason := …; reason = …
	} {
		if !s.reasons[r] {
			t.Errorf("the scanner missed %q", r)
		}
	}
}
