package relation

import (
	"errors"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
)

// Reading the arguments the JavaScript module sends as JSON, with
// jsonvalue instead of encoding/json: no reflection on the paths every
// operation takes.

var errShape = errors.New("datastore-wasm: a call's argument has the wrong shape")

// ParseRecord reads a record sent as a JSON object.
func ParseRecord(text string) (Record, error) {
	return jv.ParseObjectText(text)
}

func asObject(v any) (map[string]any, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errShape
	}
	return m, nil
}

// PredicateFrom reads a predicate tree ({group, children} or {field, op,
// value}); nil reads as no predicate.
func PredicateFrom(v any) (*Predicate, error) { return predicateFrom(v, 0) }

// errPredicateDepth refuses a predicate nested past MaxPredicateDepth. A
// function, not a variable: formatting it at init cost every start-up
// fmt's first run (about 1.4 ms of relation's init, GODEBUG=inittrace=1).
func errPredicateDepth() error {
	return userErr(ErrUsage, "Invalid predicate. Groups (and, or, not) and relation steps nest more than %d levels deep; datastore-wasm reads predicates nested up to %d levels: give long lists of conditions as the children of one group, p => p.or(p => [...])", MaxPredicateDepth, MaxPredicateDepth)
}

func predicateFrom(v any, depth int) (*Predicate, error) {
	if depth > MaxPredicateDepth {
		return nil, errPredicateDepth()
	}
	m, err := asObject(v)
	if err != nil || m == nil {
		return nil, err
	}
	p := &Predicate{Value: m["value"]}
	p.Group, _ = m["group"].(string)
	p.Field, _ = m["field"].(string)
	p.Op, _ = m["op"].(string)
	if kids, ok := m["children"].([]any); ok {
		for _, k := range kids {
			c, err := predicateFrom(k, depth+1)
			if err != nil {
				return nil, err
			}
			if c == nil {
				return nil, errShape
			}
			p.Children = append(p.Children, c)
		}
	}
	return p, nil
}

// ParsePredicate reads a predicate sent as JSON.
func ParsePredicate(text string) (*Predicate, error) {
	v, err := jv.ParseText(text)
	if err != nil {
		return nil, err
	}
	return PredicateFrom(v)
}

// ParseQueryOptions reads {predicate, sort: [{field, direction}], limit,
// page}.
func ParseQueryOptions(text string) (QueryOptions, error) {
	m, err := jv.ParseObjectText(text)
	if err != nil {
		return QueryOptions{}, err
	}
	var opts QueryOptions
	if opts.Predicate, err = PredicateFrom(m["predicate"]); err != nil {
		return QueryOptions{}, err
	}
	if sorts, ok := m["sort"].([]any); ok {
		for _, s := range sorts {
			sm, err := asObject(s)
			if err != nil || sm == nil {
				return QueryOptions{}, errShape
			}
			k := SortKey{}
			k.Field, _ = sm["field"].(string)
			k.Direction, _ = sm["direction"].(string)
			opts.Sort = append(opts.Sort, k)
		}
	}
	opts.Limit, opts.Page = m["limit"], m["page"]
	return opts, nil
}

// ParseIncludePaths reads the relation paths of an eager query: a JSON list of lists of field
// names, as [["comments"], ["tags", "tag"]].
func ParseIncludePaths(text string) ([][]string, error) {
	v, err := jv.ParseText(text)
	if err != nil {
		return nil, err
	}
	list, ok := v.([]any)
	if !ok && v != nil {
		return nil, errShape
	}
	paths := make([][]string, 0, len(list))
	for _, p := range list {
		steps, ok := p.([]any)
		if !ok {
			return nil, errShape
		}
		path := make([]string, len(steps))
		for i, s := range steps {
			if path[i], ok = s.(string); !ok {
				return nil, errShape
			}
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// ParseSaveOptions reads {condition}.
func ParseSaveOptions(text string) (SaveOptions, error) {
	m, err := jv.ParseObjectText(text)
	if err != nil {
		return SaveOptions{}, err
	}
	cond, err := PredicateFrom(m["condition"])
	return SaveOptions{Condition: cond}, err
}

// ParseDeleteTarget reads {key, instance, predicate, all, condition}.
func ParseDeleteTarget(text string) (DeleteTarget, error) {
	m, err := jv.ParseObjectText(text)
	if err != nil {
		return DeleteTarget{}, err
	}
	var t DeleteTarget
	if t.Key, err = asObject(m["key"]); err != nil {
		return DeleteTarget{}, err
	}
	t.Instance, _ = m["instance"].(bool)
	t.All, _ = m["all"].(bool)
	if t.Predicate, err = PredicateFrom(m["predicate"]); err != nil {
		return DeleteTarget{}, err
	}
	if t.Condition, err = PredicateFrom(m["condition"]); err != nil {
		return DeleteTarget{}, err
	}
	return t, nil
}
