package relation

import (
	"context"
	"strings"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
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
	// Access is "key" (one key), "keys" (one lookup per key, as related
	// conditions become), "range" (a key range), or "scan" (every record,
	// filtered where it is read).
	Access string       `json:"access"`
	Range  *store.Range `json:"range,omitempty"`
	// Steps are the reads that conditions on related models need first.
	Steps []Plan `json:"steps,omitempty"`
}

// AppendJSON writes the plan as DataStore.explain returns it.
func (p Plan) AppendJSON(b []byte) []byte {
	b = append(b, `{"store":`...)
	b = jv.AppendString(b, p.Store)
	if p.Index != "" {
		b = append(b, `,"index":`...)
		b = jv.AppendString(b, p.Index)
	}
	b = append(b, `,"access":`...)
	b = jv.AppendString(b, p.Access)
	if p.Range != nil {
		b = append(b, `,"range":`...)
		b = p.Range.AppendJSON(b)
	}
	if len(p.Steps) > 0 {
		b = append(b, `,"steps":`...)
		b = jv.AppendList(b, p.Steps)
	}
	return append(b, '}')
}

// PlanQuery returns the storage query that answers a query of model: the
// index or key range to read, then the predicate, the sort (ties in
// insertion order), the page, and the storage-only fields to drop, all
// applied where the records are read.
func (e *Engine) PlanQuery(model string, opts QueryOptions) (store.Query, error) {
	m, err := e.model(model)
	if err != nil {
		return store.Query{}, err
	}
	limit, page, err := pagination(opts.Limit, opts.Page)
	if err != nil {
		return store.Query{}, err
	}
	if err := ValidateQueryPredicate(m, opts.Predicate); err != nil {
		return store.Query{}, err
	}
	var order []store.Order
	for _, s := range opts.Sort {
		if f := m.Field(s.Field); f == nil || f.Relation != nil {
			return store.Query{}, userErr(ErrUsage, "Invalid field for model. field: %s, model: %s", s.Field, m.Name)
		}
		order = append(order, store.Order{Field: s.Field, Desc: s.Direction == "DESCENDING"})
	}
	if hasRelated(opts.Predicate) {
		return store.Query{}, userErr(ErrUsage, "a query with conditions on related models needs reads before it can be planned: use Query")
	}
	q := m.plan(opts.Predicate)
	q.Order = append(order, insertionOrder...)
	q.Omit = storageOnly
	if limit > 0 {
		q.Offset, q.Count = page*limit, limit
	}
	return q, nil
}

// Query returns the records of model that match opts, sorted and paged.
func (e *Engine) Query(ctx context.Context, model string, opts QueryOptions) ([]Record, error) {
	if hasRelated(opts.Predicate) {
		m, err := e.model(model)
		if err != nil {
			return nil, err
		}
		if err := ValidateQueryPredicate(m, opts.Predicate); err != nil {
			return nil, err
		}
		return e.queryRelated(ctx, m, opts)
	}
	q, err := e.PlanQuery(model, opts)
	if err != nil {
		return nil, err
	}
	return e.read(ctx, q)
}

// read runs one planned query in a read-only transaction.
func (e *Engine) read(ctx context.Context, q store.Query) ([]Record, error) {
	var recs []Record
	err := e.DB.Read(ctx, []string{q.Store}, func(tx store.Tx) error {
		res, err := tx.Query([]store.Query{q})
		if err == nil {
			recs = res[0]
		}
		return err
	})
	return recs, err
}

// Explain says how a query of model reads storage. For conditions on
// related models, Steps say how each related read is done, and the plan of
// the query itself shows the key lookups they turn into.
func (e *Engine) Explain(model string, opts QueryOptions) (Plan, error) {
	m, err := e.model(model)
	if err != nil {
		return Plan{}, err
	}
	if err := ValidateQueryPredicate(m, opts.Predicate); err != nil {
		return Plan{}, err
	}
	var steps []Plan
	plain := opts
	plain.Predicate = explainRelated(m, opts.Predicate, &steps)
	q, err := e.PlanQuery(model, plain)
	if err != nil {
		return Plan{}, err
	}
	p := planOf(q)
	p.Steps = steps
	return p, nil
}

func planOf(q store.Query) Plan {
	p := Plan{Store: q.Store, Index: q.Index, Access: "scan", Range: q.Range}
	switch {
	case q.Keys != nil:
		p.Access = "keys"
	case q.Range != nil && q.Range.Eq != nil:
		p.Access = "key"
	case q.Range != nil:
		p.Access = "range"
	}
	return p
}

// explainRelated replaces related conditions by the key conditions they
// become (with no keys yet), noting the plan of each related read.
func explainRelated(m *Model, p *Predicate, steps *[]Plan) *Predicate {
	if p == nil || !hasRelated(p) {
		return p
	}
	if p.Group != relGroup {
		out := &Predicate{Group: p.Group}
		for _, c := range p.Children {
			out.Children = append(out.Children, explainRelated(m, c, steps))
		}
		return out
	}
	r := m.Relation(p.Field)
	child := explainRelated(r.Target, p.Children[0], steps)
	*steps = append(*steps, planOf(r.Target.plan(child)))
	return membership(r.LocalFields, nil)
}

// PlanGet returns the storage query that reads one record of model by its
// primary key fields.
func (e *Engine) PlanGet(model string, key Record) (store.Query, error) {
	m, err := e.model(model)
	if err != nil {
		return store.Query{}, err
	}
	values, ok := joinValues(key, m.PrimaryKey)
	if !ok {
		return store.Query{}, userErr(ErrUsage, "A key of %s needs %s", m.Name, strings.Join(m.PrimaryKey, " and "))
	}
	q := m.lookupQuery(m.PrimaryKey, values)
	q.Omit = storageOnly
	return q, nil
}

// Get reads one record of model by its primary key fields; nil when absent.
func (e *Engine) Get(ctx context.Context, model string, key Record) (Record, error) {
	q, err := e.PlanGet(model, key)
	if err != nil {
		return nil, err
	}
	recs, err := e.read(ctx, q)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return recs[0], nil
}

// plan picks the cheapest way to read the candidates of p: an equality on
// the whole primary key or on all fields of an index, else a range on a
// one-field index, else a scan. The predicate stays as the query's filter
// unless the read answers it exactly.
func (m *Model) plan(p *Predicate) store.Query {
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
	// exact: the read alone answers p (p is one equality on the key read).
	exact := func(fields []string) *Predicate {
		if len(fields) == 1 && p.Group == "" {
			return nil
		}
		return p
	}
	if k, ok := full(m.PrimaryKey); ok {
		return store.Query{Store: m.Name, Range: store.Only(k), Filter: exact(m.PrimaryKey)}
	}
	for _, ix := range m.Indexes {
		if k, ok := full(ix.Fields); ok {
			return store.Query{Store: m.Name, Index: ix.Name, Range: store.Only(k), Filter: exact(ix.Fields)}
		}
	}
	// in() on a one-field key or index: one lookup per value.
	for _, c := range conds {
		keys, ok := c.Value.([]any)
		if c.Op != "in" || !ok || !allKeys(keys) {
			continue
		}
		filter := p
		if p == c {
			filter = nil
		}
		if len(m.PrimaryKey) == 1 && m.PrimaryKey[0] == c.Field {
			return store.Query{Store: m.Name, Keys: keys, Filter: filter}
		}
		for _, ix := range m.Indexes {
			if len(ix.Fields) == 1 && ix.Fields[0] == c.Field {
				return store.Query{Store: m.Name, Index: ix.Name, Keys: keys, Filter: filter}
			}
		}
	}
	// Equalities on the leading fields of a composite key or index, and a
	// range on the next one: one key range over the arrays.
	if q, ok := m.prefixPlan(conds, eq, p); ok {
		return q
	}
	for _, c := range conds {
		r := m.rangeOf(c)
		if r == nil {
			continue
		}
		if len(m.PrimaryKey) == 1 && m.PrimaryKey[0] == c.Field {
			return store.Query{Store: m.Name, Range: r, Filter: p}
		}
		for _, ix := range m.Indexes {
			if len(ix.Fields) == 1 && ix.Fields[0] == c.Field {
				return store.Query{Store: m.Name, Index: ix.Name, Range: r, Filter: p}
			}
		}
	}
	return store.Query{Store: m.Name, Filter: p}
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
	typed := func(v any) bool { return v != nil && store.JSTypeof(v) == want && store.ValidKey(v) }
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

// allKeys reports whether every value can be an IndexedDB key (and none
// repeats, so that a lookup per value reads each record once).
func allKeys(values []any) bool {
	seen := map[string]bool{}
	for _, v := range values {
		k := store.JSONText(v)
		if !store.ValidKey(v) || seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

// prefixPlan reads a composite primary key or index by its leading fields:
// those with equalities, then a range on the next field when a condition
// gives one. It picks the key path with the longest such prefix.
func (m *Model) prefixPlan(conds []*Predicate, eq map[string]any, p *Predicate) (store.Query, bool) {
	type path struct {
		index  string
		fields []string
	}
	paths := []path{{"", m.PrimaryKey}}
	for _, ix := range m.Indexes {
		paths = append(paths, path{ix.Name, ix.Fields})
	}
	best, bestLen := store.Query{}, 0
	for _, kp := range paths {
		if len(kp.fields) < 2 {
			continue
		}
		var prefix []any
		for _, f := range kp.fields {
			v, ok := eq[f]
			if !ok {
				break
			}
			prefix = append(prefix, v)
		}
		if len(prefix) == 0 || len(prefix) == len(kp.fields) {
			continue
		}
		r := &store.Range{Lower: prefix, Upper: append(append([]any{}, prefix...), []any{})}
		score := len(prefix) * 2
		next := kp.fields[len(prefix)]
		for _, c := range conds {
			if c.Field != next {
				continue
			}
			if nr := m.rangeOf(c); nr != nil {
				if nr.Lower != nil {
					r.Lower, r.LowerOpen = append(append([]any{}, prefix...), nr.Lower), nr.LowerOpen
				}
				if nr.Upper != nil {
					r.Upper, r.UpperOpen = append(append([]any{}, prefix...), nr.Upper), nr.UpperOpen
				}
				score++
				break
			}
		}
		if score > bestLen {
			best, bestLen = store.Query{Store: m.Name, Index: kp.index, Range: r, Filter: p}, score
		}
	}
	return best, bestLen > 0
}
