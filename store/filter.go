package store

import (
	"sort"
	"strings"
)

// Filter is a condition on records' fields: a group (and, or, not) of
// children, or one field compared with a value by Op. It is evaluated with
// JavaScript's semantics (=== for eq, JavaScript's relational operators for
// comparisons) wherever the records are read: here for the memory store, in
// the executor for IndexedDB.
type Filter struct {
	Group    string    `json:"group,omitempty"`
	Children []*Filter `json:"children,omitempty"`
	Field    string    `json:"field,omitempty"`
	Op       string    `json:"op,omitempty"`
	Value    any       `json:"value,omitempty"`
}

// Matches evaluates the filter on a record. A nil filter matches every
// record; so do empty and and or groups.
func (f *Filter) Matches(rec Record) bool {
	if f == nil {
		return true
	}
	switch f.Group {
	case "and":
		for _, c := range f.Children {
			if !c.Matches(rec) {
				return false
			}
		}
		return true
	case "or":
		if len(f.Children) == 0 {
			return true
		}
		for _, c := range f.Children {
			if c.Matches(rec) {
				return true
			}
		}
		return false
	case "not":
		return len(f.Children) == 1 && !f.Children[0].Matches(rec)
	}
	v := rec[f.Field]
	switch f.Op {
	case "eq":
		return StrictEqual(v, f.Value)
	case "ne":
		return !StrictEqual(v, f.Value)
	case "gt":
		return JSLess(f.Value, v)
	case "ge":
		return jsLessOrEqual(f.Value, v)
	case "lt":
		return JSLess(v, f.Value)
	case "le":
		return jsLessOrEqual(v, f.Value)
	case "between":
		pair, _ := f.Value.([]any)
		return len(pair) == 2 && jsLessOrEqual(pair[0], v) && jsLessOrEqual(v, pair[1])
	case "beginsWith":
		s, ok1 := v.(string)
		prefix, ok2 := f.Value.(string)
		return ok1 && ok2 && strings.HasPrefix(s, prefix)
	case "contains":
		return jsContains(v, f.Value)
	case "notContains":
		return !jsContains(v, f.Value)
	case "in":
		list, _ := f.Value.([]any)
		return jsIncludes(list, v)
	case "notIn":
		list, _ := f.Value.([]any)
		return !jsIncludes(list, v)
	}
	return false
}

// Order sorts by one field, with JavaScript's < and >.
type Order struct {
	Field string `json:"field"`
	Desc  bool   `json:"desc,omitempty"`
}

// SortRecords sorts records stably by the orders, first to last.
func SortRecords(recs []Record, orders []Order) {
	if len(orders) == 0 {
		return
	}
	sort.SliceStable(recs, func(i, j int) bool {
		for _, o := range orders {
			a, b := recs[i][o.Field], recs[j][o.Field]
			if o.Desc {
				a, b = b, a
			}
			if JSLess(a, b) {
				return true
			}
			if JSLess(b, a) {
				return false
			}
		}
		return false
	})
}

// finish applies a query's post-processing to the records it read: filter,
// order, offset and limit, and the omitted fields.
func finish(q Query, recs []Record) []Record {
	if q.Filter != nil {
		kept := recs[:0]
		for _, r := range recs {
			if q.Filter.Matches(r) {
				kept = append(kept, r)
			}
		}
		recs = kept
	}
	SortRecords(recs, q.Order)
	if q.Offset > 0 {
		if q.Offset >= len(recs) {
			recs = recs[:0]
		} else {
			recs = recs[q.Offset:]
		}
	}
	if q.Count > 0 && len(recs) > q.Count {
		recs = recs[:q.Count]
	}
	for _, r := range recs {
		for _, f := range q.Omit {
			delete(r, f)
		}
	}
	return recs
}
