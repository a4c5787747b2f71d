package relation

import (
	"context"
	"strings"

	"github.com/datastore-wasm/datastore-wasm/store"
)

// Eager loading: a query may name relation paths to include (the product
// documentation's custom selection set), as p => [p.comments, p.author,
// p.tags.tag]. The roots and every related record along the paths are read
// in one read-only transaction, a batch of lookups per level, and handed
// back inside the records, under IncludedField, so that the relation
// getters resolve without touching storage again.

// IncludedField is the key under which a record carries what it includes:
// relation field name to a record (belongs-to, has-one; null when none) or
// a list of records (has-many).
const IncludedField = "@included"

// validateIncludes checks each path against m's relations.
func validateIncludes(m *Model, paths [][]string) error {
	for _, path := range paths {
		cur := m
		for _, f := range path {
			r := cur.Relation(f)
			if r == nil {
				return userErr(ErrUsage, "Invalid include: %s.%s is not a relation field (include: p => [p.%s])", cur.Name, f, strings.Join(path, "."))
			}
			cur = r.Target
		}
	}
	return nil
}

// includeStores lists the stores the include paths read.
func includeStores(m *Model, paths [][]string, into []string) []string {
	for _, path := range paths {
		cur := m
		for _, f := range path {
			cur = cur.Relation(f).Target
			if !containsString(into, cur.Name) {
				into = append(into, cur.Name)
			}
		}
	}
	return into
}

// QueryIncluding answers a query of model (by key when key is set, else by
// opts) and loads the include paths from its records, all in one read-only
// transaction.
func (e *Engine) QueryIncluding(ctx context.Context, model string, key Record, opts QueryOptions, paths [][]string) ([]Record, error) {
	m, err := e.model(model)
	if err != nil {
		return nil, err
	}
	if err := validateIncludes(m, paths); err != nil {
		return nil, err
	}
	if err := ValidateQueryPredicate(m, opts.Predicate); err != nil {
		return nil, err
	}
	stores := includeStores(m, paths, relatedStores(m, opts.Predicate, nil))
	var roots []Record
	err = e.DB.Read(ctx, stores, func(tx store.Tx) error {
		var q store.Query
		if key != nil {
			if q, err = e.PlanGet(model, key); err != nil {
				return err
			}
		} else {
			resolved, err := resolveRelated(tx, m, opts.Predicate)
			if err != nil {
				return err
			}
			plain := opts
			plain.Predicate = resolved
			if q, err = e.PlanQuery(model, plain); err != nil {
				return err
			}
		}
		res, err := tx.Query([]store.Query{q})
		if err != nil {
			return err
		}
		roots = res[0]
		return include(tx, m, roots, paths)
	})
	return roots, err
}

// include loads paths from recs: the first step of every path at once, then
// the rest of the paths from what it found.
func include(tx store.Tx, m *Model, recs []Record, paths [][]string) error {
	if len(recs) == 0 || len(paths) == 0 {
		return nil
	}
	fields, rest := groupPaths(paths)
	type lookup struct {
		rec Record
		rel *Relation
	}
	var queries []store.Query
	var lookups []lookup
	for _, f := range fields {
		r := m.Relation(f)
		for _, rec := range recs {
			if rec[IncludedField] == nil {
				rec[IncludedField] = map[string]any{}
			}
			inc := rec[IncludedField].(map[string]any)
			if r.Kind == HasMany {
				inc[f] = []any{}
			} else {
				inc[f] = nil
			}
			values, ok := joinValues(rec, r.LocalFields)
			if !ok {
				continue
			}
			q := r.Target.lookupQuery(r.RemoteFields, values)
			q.Order, q.Omit = insertionOrder, storageOnly
			queries = append(queries, q)
			lookups = append(lookups, lookup{rec, r})
		}
	}
	if len(queries) == 0 {
		return nil
	}
	found, err := tx.Query(queries)
	if err != nil {
		return err
	}
	next := map[string][]Record{}
	for i, l := range lookups {
		inc := l.rec[IncludedField].(map[string]any)
		if l.rel.Kind == HasMany {
			list := make([]any, len(found[i]))
			for j, r := range found[i] {
				list[j] = r
			}
			inc[l.rel.Field] = list
		} else if len(found[i]) > 0 {
			inc[l.rel.Field] = found[i][0]
		}
		next[l.rel.Field] = append(next[l.rel.Field], found[i]...)
	}
	for _, f := range fields {
		if err := include(tx, m.Relation(f).Target, next[f], rest[f]); err != nil {
			return err
		}
	}
	return nil
}

// PlanIncluding plans an eager query as one tree read for the store: the
// records, then each include path level by level. ok is false when the
// query has conditions on related models, which QueryIncluding answers.
func (e *Engine) PlanIncluding(model string, key Record, opts QueryOptions, paths [][]string) (p store.TreePlan, ok bool, err error) {
	m, err := e.model(model)
	if err != nil {
		return store.TreePlan{}, false, err
	}
	if hasRelated(opts.Predicate) {
		return store.TreePlan{}, false, nil
	}
	if err := validateIncludes(m, paths); err != nil {
		return store.TreePlan{}, false, err
	}
	if key != nil {
		p.Roots, err = e.PlanGet(model, key)
		p.RootKey = map[string]any{}
		for _, f := range m.PrimaryKey {
			p.RootKey[f] = key[f]
		}
	} else {
		p.Roots, err = e.PlanQuery(model, opts)
	}
	if err != nil {
		return store.TreePlan{}, false, err
	}
	p.Include = includeSpecs(m, paths)
	p.Scope = includeStores(m, paths, []string{m.Name})
	return p, true, nil
}

// includeSpecs turns include paths from m into the store's specs, each
// relation read once however many paths go through it.
func includeSpecs(m *Model, paths [][]string) []store.IncludeSpec {
	fields, rest := groupPaths(paths)
	specs := make([]store.IncludeSpec, len(fields))
	for i, f := range fields {
		r := m.Relation(f)
		specs[i] = store.IncludeSpec{Edge: r.edge(), Field: f, Many: r.Kind == HasMany, Omit: storageOnly, Include: includeSpecs(r.Target, rest[f])}
	}
	return specs
}

// groupPaths groups include paths by their first field, so that each
// relation is read once: the first fields in order, and what follows each.
func groupPaths(paths [][]string) (fields []string, rest map[string][][]string) {
	rest = map[string][][]string{}
	for _, p := range paths {
		if !containsString(fields, p[0]) {
			fields = append(fields, p[0])
		}
		if len(p) > 1 {
			rest[p[0]] = append(rest[p[0]], p[1:])
		}
	}
	return fields, rest
}
