package relation

import (
	"math"
	"strconv"
	"strings"

	"github.com/datastore-wasm/datastore-wasm/store"
)

// Predicate is a condition on a model's records, as the JavaScript
// predicate builder serialises it: a group (and, or, not) of children, or
// one field condition.
type Predicate struct {
	Group    string       `json:"group,omitempty"`
	Children []*Predicate `json:"children,omitempty"`
	Field    string       `json:"field,omitempty"`
	Op       string       `json:"op,omitempty"`
	Value    any          `json:"value,omitempty"`
}

var operators = map[string]bool{
	"eq": true, "ne": true, "gt": true, "ge": true, "lt": true, "le": true,
	"between": true, "beginsWith": true, "contains": true, "notContains": true,
	"in": true, "notIn": true,
}

// Validate checks the predicate against model m, with the messages of SPEC
// 4.2 and 4.3.
func (p *Predicate) Validate(m *Model) error {
	if p == nil {
		return nil
	}
	switch p.Group {
	case "and", "or":
		for _, c := range p.Children {
			if err := c.Validate(m); err != nil {
				return err
			}
		}
		return nil
	case "not":
		if len(p.Children) != 1 {
			return userErr(ErrUsage, "Invalid predicate. `not` takes exactly one condition.")
		}
		return p.Children[0].Validate(m)
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
		if jsLess(pair[1], pair[0]) {
			return userErr(ErrUsage, "Incorrect usage of `between()`: The first argument must be less than or equal to the second argument.")
		}
	case "in", "notIn":
		if _, ok := p.Value.([]any); !ok {
			return userErr(ErrUsage, "Incorrect usage of `%s()`: The argument must be an array.", p.Op)
		}
	}
	return nil
}

// Matches evaluates the predicate on a record with JavaScript's semantics
// (SPEC 4.2): eq is ===, comparisons are JavaScript's relational operators.
// A nil predicate matches everything; so do empty and/or groups.
func (p *Predicate) Matches(rec Record) bool {
	if p == nil {
		return true
	}
	switch p.Group {
	case "and":
		for _, c := range p.Children {
			if !c.Matches(rec) {
				return false
			}
		}
		return true
	case "or":
		if len(p.Children) == 0 {
			return true
		}
		for _, c := range p.Children {
			if c.Matches(rec) {
				return true
			}
		}
		return false
	case "not":
		return !p.Children[0].Matches(rec)
	}
	v := rec[p.Field]
	switch p.Op {
	case "eq":
		return jsStrictEqual(v, p.Value)
	case "ne":
		return !jsStrictEqual(v, p.Value)
	case "gt":
		return jsLess(p.Value, v)
	case "ge":
		return jsLessOrEqual(p.Value, v)
	case "lt":
		return jsLess(v, p.Value)
	case "le":
		return jsLessOrEqual(v, p.Value)
	case "between":
		pair := p.Value.([]any)
		return jsLessOrEqual(pair[0], v) && jsLessOrEqual(v, pair[1])
	case "beginsWith":
		s, ok1 := v.(string)
		prefix, ok2 := p.Value.(string)
		return ok1 && ok2 && strings.HasPrefix(s, prefix)
	case "contains":
		return jsContains(v, p.Value)
	case "notContains":
		return !jsContains(v, p.Value)
	case "in":
		return jsIncludes(p.Value.([]any), v)
	case "notIn":
		return !jsIncludes(p.Value.([]any), v)
	}
	return false
}

func jsStrictEqual(a, b any) bool {
	switch x := a.(type) {
	case []any, map[string]any:
		return false // distinct objects are never === after a round trip
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	}
	return a == b
}

func jsIncludes(list []any, v any) bool {
	for _, e := range list {
		if jsStrictEqual(e, v) || (e == nil && v == nil) {
			return true
		}
	}
	return false
}

// jsContains is v.indexOf(x) > -1: substring for strings, membership for
// lists; false for anything else.
func jsContains(v, x any) bool {
	switch s := v.(type) {
	case string:
		sub, ok := x.(string)
		if !ok {
			sub = jsString(x)
		}
		return strings.Contains(s, sub)
	case []any:
		for _, e := range s {
			if jsStrictEqual(e, x) {
				return true
			}
		}
	}
	return false
}

// jsToNumber is JavaScript's ToNumber for a JSON value.
func jsToNumber(v any) float64 {
	switch x := v.(type) {
	case nil:
		return 0
	case bool:
		if x {
			return 1
		}
		return 0
	case float64:
		return x
	case string:
		t := strings.TrimSpace(x)
		if t == "" {
			return 0
		}
		f, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return math.NaN()
		}
		return f
	}
	return math.NaN()
}

// jsLess is a < b in JavaScript: strings by UTF-16 code units when both are
// strings, numbers otherwise (NaN compares false).
func jsLess(a, b any) bool {
	sa, okA := a.(string)
	sb, okB := b.(string)
	if okA && okB {
		return store.CompareKeys(sa, sb) < 0
	}
	return jsToNumber(a) < jsToNumber(b)
}

func jsLessOrEqual(a, b any) bool {
	sa, okA := a.(string)
	sb, okB := b.(string)
	if okA && okB {
		return store.CompareKeys(sa, sb) <= 0
	}
	return jsToNumber(a) <= jsToNumber(b)
}
