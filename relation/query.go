package relation

import (
	"context"
	"sort"
	"strings"

	"github.com/datastore-wasm/datastore-wasm/store"
)

// SortKey orders results by one field.
type SortKey struct {
	Field     string `json:"field"`
	Direction string `json:"direction"` // ASCENDING or DESCENDING
}

// QueryOptions select, order and page the records of a query.
type QueryOptions struct {
	Predicate *Predicate `json:"predicate,omitempty"`
	Sort      []SortKey  `json:"sort,omitempty"`
	// Limit and Page are kept as given, to be checked with Amplify's
	// messages (SPEC 4.6); nil when absent.
	Limit any `json:"limit,omitempty"`
	Page  any `json:"page,omitempty"`
}

// Plan says how a query reads storage; Explain returns it.
type Plan struct {
	Store string `json:"store"`
	// Index is the index read, "" for the store itself.
	Index string `json:"index,omitempty"`
	// Access is "key" (one key), "range" (a key range), or "scan" (every
	// record, filtered in Go).
	Access string       `json:"access"`
	Range  *store.Range `json:"range,omitempty"`
}

// Query returns the records of model that match opts, sorted and paged.
func (e *Engine) Query(ctx context.Context, model string, opts QueryOptions) ([]Record, error) {
	m, err := e.model(model)
	if err != nil {
		return nil, err
	}
	limit, page, err := pagination(opts.Limit, opts.Page)
	if err != nil {
		return nil, err
	}
	if err := opts.Predicate.Validate(m); err != nil {
		return nil, err
	}
	for _, s := range opts.Sort {
		if f := m.Field(s.Field); f == nil || f.Relation != nil {
			return nil, userErr(ErrUsage, "Invalid field for model. field: %s, model: %s", s.Field, m.Name)
		}
	}
	plan := m.plan(opts.Predicate)
	var recs []Record
	err = e.DB.Read(ctx, []string{m.Name}, func(tx store.Tx) error {
		res, err := tx.Query([]store.Query{{Store: plan.Store, Index: plan.Index, Range: plan.Range}})
		if err != nil {
			return err
		}
		recs = res[0]
		return nil
	})
	if err != nil {
		return nil, err
	}
	publicAll(recs)
	if opts.Predicate != nil {
		out := recs[:0]
		for _, r := range recs {
			if opts.Predicate.Matches(r) {
				out = append(out, r)
			}
		}
		recs = out
	}
	sortRecords(recs, opts.Sort)
	return paginate(recs, limit, page), nil
}

// Explain says how Query would read storage for opts.
func (e *Engine) Explain(model string, opts QueryOptions) (Plan, error) {
	m, err := e.model(model)
	if err != nil {
		return Plan{}, err
	}
	if err := opts.Predicate.Validate(m); err != nil {
		return Plan{}, err
	}
	return m.plan(opts.Predicate), nil
}

// Get reads one record of model by its primary key fields; nil when absent.
func (e *Engine) Get(ctx context.Context, model string, key Record) (Record, error) {
	m, err := e.model(model)
	if err != nil {
		return nil, err
	}
	values, ok := joinValues(key, m.PrimaryKey)
	if !ok {
		return nil, userErr(ErrUsage, "A key of %s needs %s", m.Name, strings.Join(m.PrimaryKey, " and "))
	}
	q, _ := m.lookup(m.PrimaryKey, values)
	var rec Record
	err = e.DB.Read(ctx, []string{m.Name}, func(tx store.Tx) error {
		res, err := tx.Query([]store.Query{q})
		if err == nil && len(res[0]) > 0 {
			rec = public(res[0][0])
		}
		return err
	})
	return rec, err
}

// plan picks the cheapest way to read the candidates of p: an equality on
// the whole primary key or on all fields of an index, else a range on a
// one-field index, else a scan. The predicate is always applied to the
// candidates afterwards, so a plan only has to find a superset.
func (m *Model) plan(p *Predicate) Plan {
	conds := conjuncts(p)
	eq := map[string]any{}
	for _, c := range conds {
		if c.Op == "eq" && store.ValidKey(c.Value) {
			eq[c.Field] = c.Value
		}
	}
	full := func(fields []string) (store.Key, bool) {
		vals := make([]any, len(fields))
		for i, f := range fields {
			v, ok := eq[f]
			if !ok {
				return nil, false
			}
			vals[i] = v
		}
		if len(vals) == 1 {
			return vals[0], true
		}
		return vals, true
	}
	if k, ok := full(m.PrimaryKey); ok {
		return Plan{Store: m.Name, Access: "key", Range: store.Only(k)}
	}
	for _, ix := range m.Indexes {
		if k, ok := full(ix.Fields); ok {
			return Plan{Store: m.Name, Index: ix.Name, Access: "key", Range: store.Only(k)}
		}
	}
	for _, c := range conds {
		r := m.rangeOf(c)
		if r == nil {
			continue
		}
		if len(m.PrimaryKey) == 1 && m.PrimaryKey[0] == c.Field {
			return Plan{Store: m.Name, Access: "range", Range: r}
		}
		for _, ix := range m.Indexes {
			if len(ix.Fields) == 1 && ix.Fields[0] == c.Field {
				return Plan{Store: m.Name, Index: ix.Name, Access: "range", Range: r}
			}
		}
	}
	return Plan{Store: m.Name, Access: "scan"}
}

// conjuncts lists the field conditions that must all hold for p to hold.
func conjuncts(p *Predicate) []*Predicate {
	if p == nil {
		return nil
	}
	if p.Group == "and" {
		var out []*Predicate
		for _, c := range p.Children {
			out = append(out, conjuncts(c)...)
		}
		return out
	}
	if p.Group == "" {
		return []*Predicate{p}
	}
	return nil
}

// rangeOf returns the key range a condition selects, when an index over its
// field can serve it: the operand must have the field's own type, since an
// index orders numbers and strings apart and leaves out nulls.
func (m *Model) rangeOf(c *Predicate) *store.Range {
	f := m.Field(c.Field)
	if f == nil || f.IsArray || f.Kind == KindNonModel || f.Kind == KindModel {
		return nil
	}
	want := "string"
	if f.Kind == KindScalar {
		want = jsTypeOfScalar(f.Type)
	}
	if want == "boolean" {
		return nil
	}
	typed := func(v any) bool { return v != nil && jsTypeof(v) == want && store.ValidKey(v) }
	switch c.Op {
	case "gt", "ge":
		if typed(c.Value) {
			return &store.Range{Lower: c.Value, LowerOpen: c.Op == "gt"}
		}
	case "lt", "le":
		if typed(c.Value) {
			return &store.Range{Upper: c.Value, UpperOpen: c.Op == "lt"}
		}
	case "between":
		pair := c.Value.([]any)
		if typed(pair[0]) && typed(pair[1]) {
			return &store.Range{Lower: pair[0], Upper: pair[1]}
		}
	case "beginsWith":
		if s, ok := c.Value.(string); ok && want == "string" {
			return &store.Range{Lower: s, Upper: s + "\uffff"}
		}
	}
	return nil
}

// sortRecords sorts stably by the keys in order, with JavaScript's < and >.
func sortRecords(recs []Record, keys []SortKey) {
	if len(keys) == 0 {
		return
	}
	sort.SliceStable(recs, func(i, j int) bool {
		for _, k := range keys {
			a, b := recs[i][k.Field], recs[j][k.Field]
			if k.Direction == "DESCENDING" {
				a, b = b, a
			}
			if jsLess(a, b) {
				return true
			}
			if jsLess(b, a) {
				return false
			}
		}
		return false
	})
}

// pagination checks limit and page with Amplify's messages (SPEC 4.6).
func pagination(limitArg, pageArg any) (limit, page int, err error) {
	if pageArg != nil && limitArg == nil {
		return 0, 0, userErr(ErrUsage, "Limit is required when requesting a page")
	}
	if pageArg != nil {
		p, ok := pageArg.(float64)
		if !ok {
			return 0, 0, userErr(ErrUsage, "Page should be a number")
		}
		if p < 0 {
			return 0, 0, userErr(ErrUsage, "Page can't be negative")
		}
		page = int(p)
	}
	if limitArg != nil {
		l, ok := limitArg.(float64)
		if !ok {
			return 0, 0, userErr(ErrUsage, "Limit should be a number")
		}
		if l < 0 {
			return 0, 0, userErr(ErrUsage, "Limit can't be negative")
		}
		limit = int(l)
	}
	return limit, page, nil
}

func paginate(recs []Record, limit, page int) []Record {
	if limit == 0 {
		return recs
	}
	start := page * limit
	if start >= len(recs) {
		return []Record{}
	}
	end := min(start+limit, len(recs))
	return recs[start:end]
}
