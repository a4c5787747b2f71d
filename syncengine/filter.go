package syncengine

import "github.com/datastore-wasm/datastore-wasm/relation"

// GraphQLFilter turns a predicate (a sync expression) into the filter
// object sync queries and subscriptions send, as Amplify's
// predicateToGraphQLFilter does: a group becomes {and: [...]}, {or: [...]}
// or {not: {...}}, a comparison {field: {op: value}}; a group of one group
// is flattened. A nil predicate gives nil (no filter).
func GraphQLFilter(p *relation.Predicate) map[string]any {
	if p == nil {
		return nil
	}
	if p.Group == "" {
		return map[string]any{"and": []any{leaf(p)}}
	}
	return group(p, true)
}

//go:noinline
func leaf(p *relation.Predicate) map[string]any {
	return map[string]any{p.Field: map[string]any{p.Op: p.Value}}
}

func group(p *relation.Predicate, root bool) map[string]any {
	var children []any
	for _, c := range p.Children {
		if c.Group == "" {
			children = append(children, leaf(c))
			continue
		}
		if child := group(c, false); len(child) > 0 {
			children = append(children, child)
		}
	}
	isList := p.Group == "and" || p.Group == "or"
	if len(children) == 1 && isList {
		child := children[0].(map[string]any)
		_, and := child["and"]
		_, or := child["or"]
		if !root || and || or {
			return child
		}
	}
	if isList {
		if children == nil {
			children = []any{}
		}
		return map[string]any{p.Group: children}
	}
	if len(children) == 0 {
		return map[string]any{}
	}
	return map[string]any{p.Group: children[0]}
}
