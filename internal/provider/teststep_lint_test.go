package provider

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"testing"
)

// TestNoChecksOnPlanOnlySteps reads the package's own test files and fails
// on every resource.TestStep that sets PlanOnly together with Check or
// ConfigStateChecks: terraform-plugin-testing runs neither on a plan-only
// step, so such a check passes without ever having run. Assert plans with
// ConfigPlanChecks, and effects in a step that applies (or CheckDestroy).
func TestNoChecksOnPlanOnlySteps(t *testing.T) {
	files, err := filepath.Glob("*_test.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files found (%v)", err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, problem := range planOnlyStepsWithChecks(fset, f) {
			t.Error(problem)
		}
	}
}

// TestPlanOnlyStepsWithChecks holds the rule above to the ways a step can
// be written, so that it cannot pass by missing them.
func TestPlanOnlyStepsWithChecks(t *testing.T) {
	tests := []struct {
		name string
		body string
		want int
	}{
		{"typed literal", `_ = resource.TestStep{PlanOnly: true, Check: check}`, 1},
		{"state checks", `_ = resource.TestStep{PlanOnly: true, ConfigStateChecks: checks}`, 1},
		{"both", `_ = resource.TestStep{PlanOnly: planOnly, Check: check, ConfigStateChecks: checks}`, 2},
		{"pointer", `_ = &resource.TestStep{PlanOnly: true, Check: check}`, 1},
		{"elided in a slice", `_ = []resource.TestStep{{Config: c}, {PlanOnly: true, Check: check}}`, 1},
		{"in a test case", `resource.Test(t, resource.TestCase{Steps: []resource.TestStep{{PlanOnly: true, Check: check}}})`, 1},
		{"appended", `steps = append(steps, resource.TestStep{PlanOnly: true, Check: check})`, 1},
		{"set afterwards", "step := resource.TestStep{PlanOnly: true}\n\tstep.Check = check", 1},
		{"declared, then set", "var step resource.TestStep\n\tstep.PlanOnly = true\n\tstep.ConfigStateChecks = checks", 1},
		{"set twice", "step := resource.TestStep{PlanOnly: true, Check: check}\n\tstep.Check = other", 1},
		{"plan-only afterwards", "step := resource.TestStep{Check: check}\n\tif x {\n\t\tstep.PlanOnly = true\n\t}", 1},
		{"in a closure", "steps := func() resource.TestStep {\n\t\treturn resource.TestStep{PlanOnly: true, Check: check}\n\t}", 1},
		{"plan checks only", `_ = resource.TestStep{PlanOnly: true, ConfigPlanChecks: planChecks}`, 0},
		{"applying step", `_ = resource.TestStep{Check: check, ConfigStateChecks: checks}`, 0},
		{"PlanOnly false", `_ = resource.TestStep{PlanOnly: false, Check: check}`, 0},
		{"Check nil", `_ = resource.TestStep{PlanOnly: true, Check: nil}`, 0},
		{"another type", `_ = other.TestStep{PlanOnly: true, Check: check}`, 0},
		{"package level", "}\n\nvar step = resource.TestStep{PlanOnly: true, Check: check}\n\nfunc g() {", 1},
		{"same name, another function", "step := resource.TestStep{PlanOnly: true}\n\t_ = step\n}\n\nfunc g() {\n\tstep := resource.TestStep{}\n\tstep.Check = check", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "package p\n\nfunc f() {\n\t" + tt.body + "\n}\n"
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "example_test.go", src, 0)
			if err != nil {
				t.Fatalf("%v\n%s", err, src)
			}
			if got := planOnlyStepsWithChecks(fset, f); len(got) != tt.want {
				t.Errorf("%d findings, want %d: %q\n%s", len(got), tt.want, got, src)
			}
		})
	}
}

// planOnlyStepsWithChecks lists, by file and line, the resource.TestStep
// values in f that set PlanOnly together with Check or ConfigStateChecks:
// in a literal (typed, or elided in a []resource.TestStep), or by
// assignments to the fields of a variable holding one, within a function.
func planOnlyStepsWithChecks(fset *token.FileSet, f *ast.File) []string {
	var problems []string
	report := func(pos token.Pos, check string) {
		problems = append(problems, fmt.Sprintf("%s: a resource.TestStep sets PlanOnly and %s, which terraform-plugin-testing never runs on a plan-only step; "+
			"assert the plan with ConfigPlanChecks, effects in a step that applies", fset.Position(pos), check))
	}
	// Literals, anywhere in the file.
	ast.Inspect(f, func(n ast.Node) bool {
		lit, ok := n.(*ast.CompositeLit)
		if !ok {
			return true
		}
		if isTestStep(lit.Type) {
			stepLiteral(lit).report(report)
		}
		if elems, ok := lit.Type.(*ast.ArrayType); ok && isTestStep(elems.Elt) {
			for _, e := range lit.Elts {
				if step, ok := e.(*ast.CompositeLit); ok && step.Type == nil {
					stepLiteral(step).report(report)
				}
			}
		}
		return true
	})
	// Fields set on a variable after its literal, within a function.
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		// Variables of the function holding a step, by name.
		vars := map[string]*stepFields{}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				for i, lhs := range n.Lhs {
					if i >= len(n.Rhs) {
						break
					}
					switch lhs := lhs.(type) {
					case *ast.Ident:
						if lit := stepValue(n.Rhs[i]); lit != nil {
							vars[lhs.Name] = stepLiteral(lit)
						}
					case *ast.SelectorExpr:
						v, ok := lhs.X.(*ast.Ident)
						if !ok || vars[v.Name] == nil {
							continue
						}
						before := *vars[v.Name]
						vars[v.Name].set(lhs.Sel.Name, n.Rhs[i], n.Pos())
						vars[v.Name].reportNew(before, report)
					}
				}
			case *ast.ValueSpec:
				for i, name := range n.Names {
					switch {
					case i < len(n.Values) && stepValue(n.Values[i]) != nil:
						vars[name.Name] = stepLiteral(stepValue(n.Values[i]))
					case len(n.Values) == 0 && isTestStep(n.Type):
						vars[name.Name] = &stepFields{}
					}
				}
			}
			return true
		})
	}
	return problems
}

// stepFields records where a step sets PlanOnly, Check and
// ConfigStateChecks (token.NoPos where it does not).
type stepFields struct {
	planOnly, check, stateChecks token.Pos
}

func stepLiteral(lit *ast.CompositeLit) *stepFields {
	s := &stepFields{}
	for _, e := range lit.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			if key, ok := kv.Key.(*ast.Ident); ok {
				s.set(key.Name, kv.Value, kv.Pos())
			}
		}
	}
	return s
}

// set records field = value at pos; false and nil unset it.
func (s *stepFields) set(field string, value ast.Expr, pos token.Pos) {
	if id, ok := value.(*ast.Ident); ok && (id.Name == "false" || id.Name == "nil") {
		pos = token.NoPos
	}
	switch field {
	case "PlanOnly":
		s.planOnly = pos
	case "Check":
		s.check = pos
	case "ConfigStateChecks":
		s.stateChecks = pos
	}
}

// report reports each check a plan-only step sets.
func (s *stepFields) report(report func(token.Pos, string)) {
	s.reportNew(stepFields{}, report)
}

// reportNew reports the pairs of PlanOnly and a check that s has and
// before did not, at the later of the two.
func (s *stepFields) reportNew(before stepFields, report func(token.Pos, string)) {
	was := func(planOnly, check token.Pos) bool { return planOnly.IsValid() && check.IsValid() }
	for _, c := range []struct {
		name        string
		now, before token.Pos
	}{{"Check", s.check, before.check}, {"ConfigStateChecks", s.stateChecks, before.stateChecks}} {
		if was(s.planOnly, c.now) && !was(before.planOnly, c.before) {
			report(max(s.planOnly, c.now), c.name)
		}
	}
}

// stepValue is the step literal e is, or points to.
func stepValue(e ast.Expr) *ast.CompositeLit {
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		e = u.X
	}
	if lit, ok := e.(*ast.CompositeLit); ok && isTestStep(lit.Type) {
		return lit
	}
	return nil
}

// isTestStep says whether a type expression is resource.TestStep.
func isTestStep(typ ast.Expr) bool {
	sel, ok := typ.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "TestStep" {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "resource"
}
