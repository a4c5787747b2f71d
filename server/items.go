package server

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/datastore-wasm/datastore-wasm/relation"
	"github.com/vektah/gqlparser/v2/ast"
)

// item is a stored record as the API shows it.
type item struct {
	model *relation.Model
	data  map[string]any
}

func (it *item) typeName() string { return it.model.Name }

func (it *item) field(e *execution, f *ast.Field) (any, error) {
	mf := it.model.Field(f.Name)
	if mf == nil || mf.Relation == nil {
		v := it.data[f.Name]
		if mf != nil && mf.Kind == relation.KindNonModel {
			return nonModelValue(e.srv.cfg.Schema, mf, v), nil
		}
		return v, nil
	}
	r := mf.Relation
	local := make([]any, len(r.LocalFields))
	for i, n := range r.LocalFields {
		local[i] = it.data[n]
		if local[i] == nil {
			if r.Kind == relation.HasMany {
				return emptyConnection(r.Target), nil
			}
			return nil, nil
		}
	}
	if r.Kind == relation.HasMany {
		return e.srv.children(e.ctx, r, local, f.ArgumentMap(e.vars))
	}
	return e.srv.related(e.ctx, r, local)
}

// nonModelValue wraps embedded (non-model) values so that their fields can
// be selected.
func nonModelValue(s *relation.Schema, f *relation.Field, v any) any {
	nm := s.NonModel(f.Type)
	if nm == nil || v == nil {
		return v
	}
	if list, ok := v.([]any); ok {
		out := make([]object, len(list))
		for i, el := range list {
			if m, ok := el.(map[string]any); ok {
				out[i] = &embedded{s, nm, m}
			}
		}
		return out
	}
	if m, ok := v.(map[string]any); ok {
		return &embedded{s, nm, m}
	}
	return nil
}

type embedded struct {
	s    *relation.Schema
	t    *relation.NonModel
	data map[string]any
}

func (e *embedded) typeName() string { return e.t.Name }

func (e *embedded) field(_ *execution, f *ast.Field) (any, error) {
	if nf := e.t.Field(f.Name); nf != nil && nf.Kind == relation.KindNonModel {
		return nonModelValue(e.s, nf, e.data[f.Name]), nil
	}
	return e.data[f.Name], nil
}

func emptyConnection(m *relation.Model) object {
	return connection(m, nil, nil, nil)
}

// connection is a Model<X>Connection value; next and startedAt nil print as
// explicit nulls.
func connection(m *relation.Model, items []object, next, startedAt any) object {
	if items == nil {
		items = []object{}
	}
	return &mapObject{name: "Model" + m.Name + "Connection", fields: map[string]any{
		"items": items, "nextToken": next, "startedAt": startedAt,
	}}
}

// decodeItem reads a stored item, keeping numbers exact.
func decodeItem(m *relation.Model, data []byte) (*item, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v map[string]any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("the stored %s record is not JSON: %v", m.Name, err)
	}
	return &item{m, v}, nil
}

// keyOf encodes the primary key of data; ok is false when a key field is
// missing.
func keyOf(m *relation.Model, data map[string]any) (string, bool) {
	vals := make([]any, len(m.PrimaryKey))
	for i, k := range m.PrimaryKey {
		v := data[k]
		if v == nil {
			return "", false
		}
		vals[i] = fmt.Sprint(v)
	}
	b, _ := json.Marshal(vals)
	return string(b), true
}
