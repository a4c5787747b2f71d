package relation

import (
	"strings"

	"github.com/datastore-wasm/datastore-wasm/store"
)

// Predicate is a condition on a model's records, as the JavaScript
// predicate builder serialises it: a group (and, or, not) of children, one
// field condition, or a condition on related records (group "rel", Field
// the relation field, one child: the condition on the related model). It
// is the store's Filter: relation validates and plans it, resolves the
// related conditions, and the store evaluates the rest where the records
// are read.
type Predicate = store.Filter

// relGroup marks a condition on the records a relation field reaches.
const relGroup = "rel"

var operators = map[string]bool{
	"eq": true, "ne": true, "gt": true, "ge": true, "lt": true, "le": true,
	"between": true, "beginsWith": true, "contains": true, "notContains": true,
	"in": true, "notIn": true,
}

// ValidatePredicate checks a predicate of a save or delete condition
// against model m, with the messages of SPEC 4.2 and 4.3; conditions on
// related models are refused there (SPEC 3.5, 8.1).
func ValidatePredicate(m *Model, p *Predicate) error { return validatePredicate(m, p, false) }

// ValidateQueryPredicate checks a query's predicate against model m;
// conditions on related models are allowed (SPEC 4.4).
func ValidateQueryPredicate(m *Model, p *Predicate) error { return validatePredicate(m, p, true) }

func validatePredicate(m *Model, p *Predicate, nested bool) error {
	if p == nil {
		return nil
	}
	switch p.Group {
	case "and", "or":
		for _, c := range p.Children {
			if err := validatePredicate(m, c, nested); err != nil {
				return err
			}
		}
		return nil
	case "not":
		if len(p.Children) != 1 {
			return userErr(ErrUsage, "Invalid predicate. `not` takes exactly one condition.")
		}
		return validatePredicate(m, p.Children[0], nested)
	case relGroup:
		if !nested {
			return userErr(ErrUsage, "Predication on releated models is not supported in this context.")
		}
		r := m.Relation(p.Field)
		if r == nil {
			return userErr(ErrUsage, "Invalid field for model. field: %s, model: %s", p.Field, m.Name)
		}
		if len(p.Children) != 1 {
			return userErr(ErrUsage, "Invalid predicate. Terminate your predicate with a valid condition (e.g., `p => p.field.eq('value')`) or pass `Predicates.ALL`.")
		}
		return validatePredicate(r.Target, p.Children[0], nested)
	case "":
	default:
		return userErr(ErrUsage, "Invalid predicate. Unknown group %q; use and, or or not.", p.Group)
	}
	f := m.Field(p.Field)
	if f == nil {
		return userErr(ErrUsage, "Invalid field for model. field: %s, model: %s", p.Field, m.Name)
	}
	if f.Relation != nil {
		return userErr(ErrUsage, "%s.%s is a relation: give a condition on one of its fields (c => c.%s.id.eq(...)) or on the key field %s", m.Name, f.Name, f.Name, strings.Join(f.Relation.LocalFields, ", "))
	}
	if !operators[p.Op] {
		return userErr(ErrUsage, "Invalid predicate. Unknown operator %q on %s.%s; use eq, ne, gt, ge, lt, le, between, beginsWith, contains, notContains, in or notIn.", p.Op, m.Name, p.Field)
	}
	switch p.Op {
	case "between":
		pair, ok := p.Value.([]any)
		if !ok || len(pair) != 2 {
			return userErr(ErrUsage, "Incorrect usage of `between()`: Exactly 2 arguments are required.")
		}
		if store.JSLess(pair[1], pair[0]) {
			return userErr(ErrUsage, "Incorrect usage of `between()`: The first argument must be less than or equal to the second argument.")
		}
	case "in", "notIn":
		if _, ok := p.Value.([]any); !ok {
			return userErr(ErrUsage, "Incorrect usage of `%s()`: The argument must be an array.", p.Op)
		}
	}
	return checkOperand(m, f, p)
}

// checkOperand refuses an operand whose JavaScript type cannot match the
// field's values: such a condition is a mistake that would silently select
// nothing (or everything, with ne).
func checkOperand(m *Model, f *Field, p *Predicate) error {
	want := ""
	switch {
	case f.Kind == KindEnum:
		want = "string"
	case f.Kind == KindScalar && f.Type != "AWSJSON":
		want = jsTypeOfScalar(f.Type)
	default:
		return nil // non-model values and JSON: any operand may be meant
	}
	var operands []any
	switch p.Op {
	case "between", "in", "notIn":
		operands = p.Value.([]any)
	case "contains", "notContains":
		if !f.IsArray && want != "string" {
			return userErr(ErrUsage, "Invalid predicate. %s() needs a string or list field, and %s.%s holds a %s", p.Op, m.Name, f.Name, want)
		}
		operands = []any{p.Value}
	case "beginsWith":
		if want != "string" || f.IsArray {
			return userErr(ErrUsage, "Invalid predicate. beginsWith() needs a string field, and %s.%s holds a %s", m.Name, f.Name, want)
		}
		operands = []any{p.Value}
	default:
		if f.IsArray {
			return nil // comparing whole lists: never equal after a round trip, but not an error
		}
		operands = []any{p.Value}
	}
	for _, v := range operands {
		if v == nil && p.Op != "between" && p.Op != "beginsWith" {
			continue // null matches unset fields (SPEC 4.2)
		}
		if got := store.JSTypeof(v); got != want {
			return userErr(ErrUsage, "Invalid predicate. %s.%s holds a %s, and %s() was given %s %s", m.Name, f.Name, want, p.Op, article(got), clip(store.JSONText(v)))
		}
	}
	return nil
}

func article(typ string) string {
	if typ == "object" {
		return "an object"
	}
	return "a " + typ
}

// hasRelated reports whether p has conditions on related models.
func hasRelated(p *Predicate) bool {
	if p == nil {
		return false
	}
	if p.Group == relGroup {
		return true
	}
	for _, c := range p.Children {
		if hasRelated(c) {
			return true
		}
	}
	return false
}
