//go:build js && wasm

package main

import (
	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
	"github.com/datastore-wasm/datastore-wasm/relation"
)

// What the JavaScript module needs to know of a schema to build model classes: names, fields,
// keys and relations, and the Go-made read templates it fills in to read without a Go call.
// Validation stays in Go. It is written as JSON directly, without reflection:
//
//	{"models":[{"keyRead","allRead","name","pluralName","syncable","primaryKey","indexes":[index],"fields":[field]}],
//	 "enums":{name:[value]}, "nonModels":{name:[field]}}
//	index: {"name","fields"}
//	field: {"eqRead"?,"jsType"?,"name","kind","type","isArray"?,"isRequired"?,"isListRequired"?,"readOnly"?,
//	        "relation"?:{"read"?,"kind","target","localFields","remoteFields","onDelete"?,"holdsKey"?}}
//
// onDelete is the policy a delete follows along a has-many or has-one
// (absent on a belongs-to: the parent's policy decides); holdsKey says the
// join fields are on the model itself, not its primary key (a has-one
// with fields, a belongs-to), so a setNull along it clears nothing.

var kindNames = map[relation.TypeKind]string{
	relation.KindScalar: "scalar", relation.KindEnum: "enum",
	relation.KindNonModel: "nonModel", relation.KindModel: "model",
}

// schemaDesc is a schema as the module reads it.
type schemaDesc struct{ s *relation.Schema }

func describe(s *relation.Schema) schemaDesc { return schemaDesc{s} }

func (d schemaDesc) AppendJSON(b []byte) []byte {
	b = append(b, `{"models":[`...)
	for i, m := range d.s.Models {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"keyRead":`...)
		b = m.KeyRead().AppendJSON(b)
		b = append(b, `,"allRead":`...)
		b = m.AllRead().AppendJSON(b)
		b = member(b, "name", m.Name)
		b = member(b, "pluralName", m.PluralName)
		b = append(b, `,"syncable":`...)
		b = jv.Append(b, m.Syncable)
		b = append(b, `,"primaryKey":`...)
		b = jv.Append(b, m.PrimaryKey)
		b = append(b, `,"indexes":[`...)
		for j, ix := range m.Indexes {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"name":`...)
			b = jv.AppendString(b, ix.Name)
			b = append(b, `,"fields":`...)
			b = jv.Append(b, ix.Fields)
			b = append(b, '}')
		}
		b = append(b, `],"fields":`...)
		b = appendFields(b, m, m.Fields)
		b = append(b, '}')
	}
	b = append(b, `],"enums":{`...)
	for i, e := range d.s.Enums {
		if i > 0 {
			b = append(b, ',')
		}
		b = jv.AppendString(b, e.Name)
		b = append(b, ':')
		b = jv.Append(b, e.Values)
	}
	b = append(b, `},"nonModels":{`...)
	for i, n := range d.s.NonModels {
		if i > 0 {
			b = append(b, ',')
		}
		b = jv.AppendString(b, n.Name)
		b = append(b, ':')
		b = appendFields(b, nil, n.Fields)
	}
	return append(b, "}}"...)
}

// appendFields writes the fields of a model (m) or of a non-model type (m nil: no templates).
func appendFields(b []byte, m *relation.Model, fields []*relation.Field) []byte {
	b = append(b, '[')
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		if m != nil {
			if q, ok := m.EqRead(f); ok {
				b = append(b, `"eqRead":`...)
				b = q.AppendJSON(b)
				b = append(b, ',')
			}
		}
		if t := f.JSType(); t != "" {
			b = append(b, `"jsType":`...)
			b = jv.AppendString(b, t)
			b = append(b, ',')
		}
		b = append(b, `"name":`...)
		b = jv.AppendString(b, f.Name)
		b = member(b, "kind", kindNames[f.Kind])
		b = member(b, "type", f.Type)
		b = flag(b, "isArray", f.IsArray)
		b = flag(b, "isRequired", f.IsRequired)
		b = flag(b, "isListRequired", f.IsArray && !f.IsArrayNullable)
		b = flag(b, "readOnly", f.ReadOnly)
		if r := f.Relation; r != nil {
			b = append(b, `,"relation":{`...)
			if q, ok := r.Read(); ok {
				b = append(b, `"read":`...)
				b = q.AppendJSON(b)
				b = append(b, ',')
			}
			b = append(b, `"kind":`...)
			b = jv.AppendString(b, r.Kind.String())
			b = member(b, "target", r.Target.Name)
			b = append(b, `,"localFields":`...)
			b = jv.Append(b, r.LocalFields)
			b = append(b, `,"remoteFields":`...)
			b = jv.Append(b, r.RemoteFields)
			if p := r.Policy(); p != "" {
				b = member(b, "onDelete", p)
			}
			b = flag(b, "holdsKey", r.HoldsKey())
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// member writes `,"key":"value"`.
func member(b []byte, key, value string) []byte {
	b = append(b, ',')
	b = jv.AppendString(b, key)
	b = append(b, ':')
	return jv.AppendString(b, value)
}

// flag writes `,"key":true` when set, nothing otherwise (the module reads absent as false).
func flag(b []byte, key string, set bool) []byte {
	if !set {
		return b
	}
	b = append(b, ',')
	b = jv.AppendString(b, key)
	return append(b, ":true"...)
}
