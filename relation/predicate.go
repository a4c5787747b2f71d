package relation

import (
	"strings"

	"github.com/datastore-wasm/datastore-wasm/store"
)

// Predicate is a condition on a model's records, as the JavaScript
// predicate builder serialises it: a group (and, or, not) of children, or
// one field condition. It is the store's Filter: relation validates and
// plans it, and the store evaluates it where the records are read.
type Predicate = store.Filter

var operators = map[string]bool{
	"eq": true, "ne": true, "gt": true, "ge": true, "lt": true, "le": true,
	"between": true, "beginsWith": true, "contains": true, "notContains": true,
	"in": true, "notIn": true,
}

// ValidatePredicate checks a predicate against model m, with the messages
// of SPEC 4.2 and 4.3.
func ValidatePredicate(m *Model, p *Predicate) error {
	if p == nil {
		return nil
	}
	switch p.Group {
	case "and", "or":
		for _, c := range p.Children {
			if err := ValidatePredicate(m, c); err != nil {
				return err
			}
		}
		return nil
	case "not":
		if len(p.Children) != 1 {
			return userErr(ErrUsage, "Invalid predicate. `not` takes exactly one condition.")
		}
		return ValidatePredicate(m, p.Children[0])
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
	return nil
}
