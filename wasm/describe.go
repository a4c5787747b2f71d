//go:build js && wasm

package main

import (
	"encoding/json"

	"github.com/datastore-wasm/datastore-wasm/relation"
)

// What the JavaScript module needs to know of a schema to build model
// classes: names, fields, keys and relations. Validation stays in Go.

type modelDesc struct {
	// KeyRead is the store query that reads a record by its key, for the
	// module to fill in (query by id without a Go call).
	KeyRead json.RawMessage `json:"keyRead"`
	// AllRead reads every record, in insertion order.
	AllRead    json.RawMessage `json:"allRead"`
	Name       string          `json:"name"`
	PluralName string          `json:"pluralName"`
	Syncable   bool            `json:"syncable"`
	PrimaryKey []string        `json:"primaryKey"`
	Fields     []fieldDesc     `json:"fields"`
}

type fieldDesc struct {
	// EqRead is the store query that answers field = value by key or
	// index, for the module to fill in; JSType is the value's type.
	EqRead     json.RawMessage `json:"eqRead,omitempty"`
	JSType     string          `json:"jsType,omitempty"`
	Name       string          `json:"name"`
	Kind       string          `json:"kind"`
	Type       string          `json:"type"`
	IsArray    bool            `json:"isArray,omitempty"`
	IsRequired bool            `json:"isRequired,omitempty"`
	ReadOnly   bool            `json:"readOnly,omitempty"`
	Relation   *relationDesc   `json:"relation,omitempty"`
}

type relationDesc struct {
	// Read is the store query that reads what the relation reaches, by key
	// or index, for the module to fill in; absent when a lookup needs Go.
	Read         json.RawMessage `json:"read,omitempty"`
	Kind         string          `json:"kind"`
	Target       string          `json:"target"`
	LocalFields  []string        `json:"localFields"`
	RemoteFields []string        `json:"remoteFields"`
}

type schemaDesc struct {
	Models    []modelDesc            `json:"models"`
	Enums     map[string][]string    `json:"enums"`
	NonModels map[string][]fieldDesc `json:"nonModels"`
}

var kindNames = map[relation.TypeKind]string{
	relation.KindScalar: "scalar", relation.KindEnum: "enum",
	relation.KindNonModel: "nonModel", relation.KindModel: "model",
}

func describeFields(m *relation.Model, fields []*relation.Field) []fieldDesc {
	out := make([]fieldDesc, 0, len(fields))
	for _, f := range fields {
		fd := fieldDesc{Name: f.Name, Kind: kindNames[f.Kind], Type: f.Type, IsArray: f.IsArray, IsRequired: f.IsRequired, ReadOnly: f.ReadOnly, JSType: f.JSType()}
		if m != nil {
			if q, ok := m.EqRead(f); ok {
				fd.EqRead = q.AppendJSON(nil)
			}
		}
		if r := f.Relation; r != nil {
			fd.Relation = &relationDesc{Kind: r.Kind.String(), Target: r.Target.Name, LocalFields: r.LocalFields, RemoteFields: r.RemoteFields}
			if q, ok := r.Read(); ok {
				fd.Relation.Read = q.AppendJSON(nil)
			}
		}
		out = append(out, fd)
	}
	return out
}

func describe(s *relation.Schema) schemaDesc {
	d := schemaDesc{Enums: map[string][]string{}, NonModels: map[string][]fieldDesc{}}
	for _, m := range s.Models {
		d.Models = append(d.Models, modelDesc{Name: m.Name, PluralName: m.PluralName, Syncable: m.Syncable, PrimaryKey: m.PrimaryKey, Fields: describeFields(m, m.Fields), KeyRead: m.KeyRead().AppendJSON(nil), AllRead: m.AllRead().AppendJSON(nil)})
	}
	for _, e := range s.Enums {
		d.Enums[e.Name] = e.Values
	}
	for _, n := range s.NonModels {
		d.NonModels[n.Name] = describeFields(nil, n.Fields)
	}
	return d
}
