package server

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
)

// The executor is a small one over gqlparser's validated document: the API
// has three root types whose fields each map to one resolver, and objects
// that are either stored items, connections or introspection values.
// A general GraphQL library (graph-gophers, gqlgen) wants Go types or code
// generated per schema, while this schema exists only at run time; what
// executing needs here is a walk over the selection set, about 200 lines.

// object is a value with fields: a stored item, a connection, an
// introspection object.
type object interface {
	// typeName is the GraphQL type of the value (for __typename).
	typeName() string
	// field resolves one field (without its sub-selection).
	field(e *execution, f *ast.Field) (any, error)
}

// mapObject is an object whose fields are map entries; an entry holding a
// func() any is computed when selected.
type mapObject struct {
	name   string
	fields map[string]any
}

func (m *mapObject) typeName() string { return m.name }

func (m *mapObject) field(e *execution, f *ast.Field) (any, error) {
	v := m.fields[f.Name]
	switch fn := v.(type) {
	case func() any:
		return fn(), nil
	case func(args map[string]any) any:
		return fn(f.ArgumentMap(e.vars)), nil
	}
	return v, nil
}

// gqlError is one error of a response, in AppSync's shape.
type gqlError struct {
	Path      []any           `json:"path"`
	Data      json.RawMessage `json:"data"`
	ErrorType string          `json:"errorType,omitempty"`
	ErrorInfo any             `json:"errorInfo"`
	Locations []location      `json:"locations"`
	Message   string          `json:"message"`
}

type location struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// fieldError is a resolver's failure, carrying AppSync's errorType and the
// item for `data` (the server's record on a conflict).
type fieldError struct {
	errorType string
	message   string
	data      json.RawMessage
}

func (e *fieldError) Error() string { return e.message }

// execution is one operation being executed.
type execution struct {
	ctx    context.Context
	srv    *Server
	doc    *ast.QueryDocument
	vars   map[string]any
	errors []gqlError
}

// orderedMap is a response object: keys in selection order.
type orderedMap struct {
	keys []string
	vals []any
}

func (o *orderedMap) MarshalJSON() ([]byte, error) {
	buf := []byte{'{'}
	for i, k := range o.keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		kb, _ := json.Marshal(k)
		buf = append(buf, kb...)
		buf = append(buf, ':')
		vb, err := json.Marshal(o.vals[i])
		if err != nil {
			return nil, err
		}
		buf = append(buf, vb...)
	}
	return append(buf, '}'), nil
}

func (o *orderedMap) set(k string, v any) {
	for i, have := range o.keys {
		if have == k {
			o.vals[i] = v
			return
		}
	}
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
}

func (e *execution) addError(path []any, f *ast.Field, err error) {
	ge := gqlError{Path: append([]any(nil), path...), Message: err.Error()}
	if f != nil && f.Position != nil {
		ge.Locations = []location{{f.Position.Line, f.Position.Column}}
	}
	if fe, ok := err.(*fieldError); ok {
		ge.ErrorType, ge.Data = fe.errorType, fe.data
	}
	if ge.Data == nil {
		ge.Data = json.RawMessage("null")
	}
	e.errors = append(e.errors, ge)
}

// skipped applies @skip and @include.
func (e *execution) skipped(dirs ast.DirectiveList) bool {
	if d := dirs.ForName("skip"); d != nil {
		if v, _ := d.ArgumentMap(e.vars)["if"].(bool); v {
			return true
		}
	}
	if d := dirs.ForName("include"); d != nil {
		if v, _ := d.ArgumentMap(e.vars)["if"].(bool); !v {
			return true
		}
	}
	return false
}

// collect flattens a selection set's fields for an object of type typ.
func (e *execution) collect(set ast.SelectionSet, typ string, out []*ast.Field) []*ast.Field {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if !e.skipped(s.Directives) {
				out = append(out, s)
			}
		case *ast.InlineFragment:
			if !e.skipped(s.Directives) && (s.TypeCondition == "" || s.TypeCondition == typ) {
				out = e.collect(s.SelectionSet, typ, out)
			}
		case *ast.FragmentSpread:
			if e.skipped(s.Directives) {
				continue
			}
			if fr := e.doc.Fragments.ForName(s.Name); fr != nil && (fr.TypeCondition == typ || fr.TypeCondition == "") {
				out = e.collect(fr.SelectionSet, typ, out)
			}
		}
	}
	return out
}

// selectObject resolves set on obj.
func (e *execution) selectObject(obj object, set ast.SelectionSet, path []any) *orderedMap {
	res := &orderedMap{}
	for _, f := range e.collect(set, obj.typeName(), nil) {
		key := f.Alias
		if key == "" {
			key = f.Name
		}
		if f.Name == "__typename" {
			res.set(key, obj.typeName())
			continue
		}
		p := append(path, key)
		v, err := e.resolveField(obj, f)
		if err != nil {
			e.addError(p, f, err)
			res.set(key, nil)
			continue
		}
		res.set(key, e.complete(v, f, p))
	}
	return res
}

func (e *execution) resolveField(obj object, f *ast.Field) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = e.srv.recovered(r)
		}
	}()
	return obj.field(e, f)
}

// complete turns a resolved value into its response form.
func (e *execution) complete(v any, f *ast.Field, path []any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case object:
		return e.selectObject(x, f.SelectionSet, path)
	case []object:
		out := make([]any, len(x))
		for i, o := range x {
			if o == nil {
				continue
			}
			out[i] = e.selectObject(o, f.SelectionSet, append(path, i))
		}
		return out
	case error:
		e.addError(path, f, x)
		return nil
	}
	return v
}

// run executes op.
func (e *execution) run(op *ast.OperationDefinition) *orderedMap {
	root := &rootObject{op: op.Operation}
	return e.selectObject(root, op.SelectionSet, nil)
}

// rootObject resolves the fields of Query and Mutation.
type rootObject struct{ op ast.Operation }

func (r *rootObject) typeName() string {
	switch r.op {
	case ast.Mutation:
		return "Mutation"
	case ast.Subscription:
		return "Subscription"
	}
	return "Query"
}

func (r *rootObject) field(e *execution, f *ast.Field) (any, error) {
	switch f.Name {
	case "__schema":
		return e.srv.intro.schema(), nil
	case "__type":
		name, _ := f.ArgumentMap(e.vars)["name"].(string)
		if t := e.srv.intro.typeByName(name); t != nil {
			return t, nil
		}
		return nil, nil
	}
	rf, ok := e.srv.api.roots[f.Name]
	if !ok {
		return nil, fmt.Errorf("unknown field %s", f.Name)
	}
	args := f.ArgumentMap(e.vars)
	switch rf.kind {
	case rootGet:
		return e.srv.get(e.ctx, rf.model, args)
	case rootList:
		return e.srv.list(e.ctx, rf.model, args)
	case rootSync:
		return e.srv.sync(e.ctx, rf.model, args)
	case rootCreate:
		return e.srv.create(e.ctx, rf.model, args)
	case rootUpdate:
		return e.srv.update(e.ctx, rf.model, args)
	case rootDelete:
		return e.srv.delete(e.ctx, rf.model, args)
	}
	return nil, fmt.Errorf("%s is a subscription: open it on the real-time endpoint /graphql/realtime", f.Name)
}
