package relation

import (
	"errors"
	"slices"
	"strings"
)

// scalarTypes are the scalars a field may have.
var scalarTypes = map[string]bool{
	"ID": true, "String": true, "Int": true, "Float": true, "Boolean": true,
	"AWSDate": true, "AWSTime": true, "AWSDateTime": true, "AWSTimestamp": true,
	"AWSEmail": true, "AWSJSON": true, "AWSURL": true, "AWSPhone": true, "AWSIPAddress": true,
}

// resolve turns the introspection form into a Schema: it checks every type
// reference, works out primary keys, indexes and the join fields of every
// relation (the rules of Amplify's ModelRelationship), and adds the implied
// foreign-key fields.
func resolve(raw *rawSchema) (*Schema, error) {
	s := &Schema{
		Version:   raw.Version,
		models:    map[string]*Model{},
		enums:     map[string]*Enum{},
		nonModels: map[string]*NonModel{},
	}
	if len(raw.Models.Keys) == 0 {
		return nil, errNoModel
	}
	for _, name := range raw.Enums.Keys {
		if len(raw.Enums.Values[name].Values) == 0 {
			return nil, &SchemaError{Type: name, Msg: "an enum needs its values: {\"name\": \"" + name + "\", \"values\": [\"A\", \"B\"]} (introspection) or enum " + name + " { A B } (SDL)"}
		}
		e := &Enum{Name: name, Values: raw.Enums.Values[name].Values}
		s.Enums = append(s.Enums, e)
		s.enums[name] = e
	}
	for _, name := range raw.NonModels.Keys {
		nm := &NonModel{Name: name, fields: map[string]*Field{}}
		s.NonModels = append(s.NonModels, nm)
		s.nonModels[name] = nm
	}
	for _, name := range raw.Models.Keys {
		if s.nonModels[name] != nil || s.enums[name] != nil {
			rm := raw.Models.Values[name]
			return nil, &SchemaError{Type: name, Line: rm.pos.line, Col: rm.pos.col, Msg: "the name is used by more than one type; rename one of them"}
		}
		m := &Model{Name: name, fields: map[string]*Field{}}
		s.Models = append(s.Models, m)
		s.models[name] = m
	}
	for _, nm := range s.NonModels {
		rn := raw.NonModels.Values[nm.Name]
		for _, fname := range rn.Fields.Keys {
			f, err := s.field(nm.Name, rn.Fields.Values[fname])
			if err != nil {
				return nil, err
			}
			if f.Kind == KindModel {
				rf := rn.Fields.Values[fname]
				return nil, &SchemaError{Type: nm.Name, Field: fname, Line: rf.pos.line, Col: rf.pos.col, Msg: "a non-model type cannot hold a model; make " + nm.Name + " a @model or store the key instead"}
			}
			nm.Fields = append(nm.Fields, f)
			nm.fields[f.Name] = f
		}
	}
	for _, m := range s.Models {
		if err := s.resolveFields(m, raw.Models.Values[m.Name]); err != nil {
			return nil, err
		}
	}
	// Relations in two passes: a has-many's remote fields are its target's
	// belongs-to local fields, so every local side must be known first.
	assoc := map[*Relation]*rawAssociation{}
	for _, m := range s.Models {
		if err := s.relationFields(m, raw.Models.Values[m.Name], assoc); err != nil {
			return nil, err
		}
	}
	for _, m := range s.Models {
		if err := s.joinRelations(m, raw.Models.Values[m.Name], assoc); err != nil {
			return nil, err
		}
	}
	for _, m := range s.Models {
		s.addLookupIndexes(m)
	}
	return s, nil
}

// field resolves one field's type.
func (s *Schema) field(owner string, rf *rawField) (*Field, error) {
	f := &Field{
		Name:            rf.Name,
		Kind:            rf.Type.Kind,
		Type:            rf.Type.Name,
		IsArray:         rf.IsArray,
		IsRequired:      rf.IsRequired,
		IsArrayNullable: rf.IsArrayNullable == nil || *rf.IsArrayNullable,
		ReadOnly:        rf.IsReadOnly,
	}
	bad := func(msg string) error {
		return &SchemaError{Type: owner, Field: rf.Name, Line: rf.pos.line, Col: rf.pos.col, Msg: msg}
	}
	switch f.Kind {
	case KindScalar:
		if !scalarTypes[f.Type] {
			return nil, bad("unknown type " + f.Type + "; use a scalar (ID, String, Int, Float, Boolean, AWSDateTime, ...), an enum, or a declared type")
		}
	case KindEnum:
		if s.enums[f.Type] == nil {
			return nil, bad("unknown enum " + f.Type + "; declare it with `enum " + f.Type + " { ... }`")
		}
	case KindNonModel:
		if s.nonModels[f.Type] == nil {
			return nil, bad("unknown type " + f.Type + "; declare it as a type")
		}
	case KindModel:
		if s.models[f.Type] == nil {
			return nil, bad("unknown model " + f.Type + "; declare it with `type " + f.Type + " @model { ... }`")
		}
	}
	return f, nil
}

func (s *Schema) resolveFields(m *Model, rm *rawModel) error {
	m.PluralName = rm.PluralName
	m.Syncable = rm.Syncable == nil || *rm.Syncable
	for _, fname := range rm.Fields.Keys {
		rf := rm.Fields.Values[fname]
		if rf.Name == "" {
			rf.Name = fname
		}
		f, err := s.field(m.Name, rf)
		if err != nil {
			return err
		}
		m.Fields = append(m.Fields, f)
		m.fields[f.Name] = f
	}
	bad := func(msg string) error {
		return &SchemaError{Type: m.Name, Line: rm.pos.line, Col: rm.pos.col, Msg: msg}
	}
	m.PrimaryKey = []string{"id"}
	m.IDKind = IDManaged
	m.CreatedAt, m.UpdatedAt = "createdAt", "updatedAt"
	var named []Index
	for _, a := range rm.Attributes {
		switch a.Type {
		case "key":
			if len(a.Properties.Fields) == 0 {
				return bad("a key needs at least one field")
			}
			if a.Properties.Name == "" {
				m.PrimaryKey = a.Properties.Fields
				m.IDKind = IDCustom
				if m.PrimaryKey[0] == "id" {
					m.IDKind = IDOptionallyManaged
				}
			} else {
				named = append(named, Index{Name: indexName(a.Properties.Fields), Fields: a.Properties.Fields, Declared: a.Properties.Name})
			}
		case "model":
			if err := m.timestamps(a.Properties.Timestamps); err != nil {
				return bad(err.Error())
			}
		}
	}
	// Keys may name fields the schema leaves implied: they are IDs (SPEC 1.2).
	for _, k := range append([][]string{m.PrimaryKey}, indexFields(named)...) {
		for _, fname := range k {
			m.implyField(fname)
		}
	}
	if err := checkKeyNames(m, rm, append([][]string{m.PrimaryKey}, indexFields(named)...)); err != nil {
		return err
	}
	for _, fname := range m.PrimaryKey {
		if f := m.fields[fname]; f.Kind == KindModel || f.IsArray {
			return &SchemaError{Type: m.Name, Field: fname, Msg: "a primary key field must be a scalar, not a list or a model"}
		}
	}
	for _, ix := range named {
		m.addIndex(ix)
	}
	for _, ts := range []*string{&m.CreatedAt, &m.UpdatedAt} {
		if f := m.fields[*ts]; *ts != "" && (f == nil || f.Type != "AWSDateTime" && f.Type != "AWSTimestamp") {
			*ts = "" // no such field: the model has no managed timestamp of that kind
		}
	}
	m.saveKeeps, m.saveIgnores = m.saveFields()
	return nil
}

// timestamps reads @model(timestamps: {createdAt, updatedAt}); null turns
// them off, and a name left out or null turns that one off.
func (m *Model) timestamps(t rawTimestamps) error {
	if !t.Set {
		return nil
	}
	m.CreatedAt, m.UpdatedAt = "", ""
	if t.Value == nil {
		return nil
	}
	names, ok := t.Value.(map[string]any)
	if !ok {
		return errors.New("@model(timestamps:) must be null or {createdAt, updatedAt}, got " + describeJSON(t.Value))
	}
	for key, dst := range map[string]*string{"createdAt": &m.CreatedAt, "updatedAt": &m.UpdatedAt} {
		switch name := names[key].(type) {
		case nil:
		case string:
			*dst = name
		default:
			return errors.New("@model(timestamps:) " + key + " must be a field name, got " + describeJSON(name))
		}
	}
	return nil
}

//go:noinline
func indexFields(ixs []Index) [][]string {
	out := make([][]string, len(ixs))
	for i, ix := range ixs {
		out[i] = ix.Fields
	}
	return out
}

// indexName names an index by its fields, as Amplify names its IndexedDB
// indexes (SPEC 10.2).
func indexName(fields []string) string { return strings.Join(fields, "-") }

// implyField adds an ID field that keys or relations use but the schema
// does not declare.
//
//go:noinline
func (m *Model) implyField(name string) *Field {
	if f := m.fields[name]; f != nil {
		return f
	}
	f := &Field{Name: name, Kind: KindScalar, Type: "ID", IsArrayNullable: true}
	m.Fields = append(m.Fields, f)
	m.fields[name] = f
	return f
}

// addIndex adds an index unless one over the same fields exists.
//
//go:noinline
func (m *Model) addIndex(ix Index) {
	for i := range m.Indexes {
		if slices.Equal(m.Indexes[i].Fields, ix.Fields) {
			if m.Indexes[i].Declared == "" {
				m.Indexes[i].Declared = ix.Declared
			}
			return
		}
	}
	m.Indexes = append(m.Indexes, ix)
}

//go:noinline
func fieldError(m *Model, rf *rawField, msg string) error {
	return &SchemaError{Type: m.Name, Field: rf.Name, Line: rf.pos.line, Col: rf.pos.col, Msg: msg}
}

// relationFields creates the relation of every model-typed field, with its
// kind and local join fields (SPEC 1.8, ModelRelationship.localJoinFields).
func (s *Schema) relationFields(m *Model, rm *rawModel, assoc map[*Relation]*rawAssociation) error {
	for _, f := range m.Fields {
		rf := rm.Fields.Values[f.Name]
		if rf == nil { // an implied field
			continue
		}
		if f.Kind != KindModel {
			if rf.Association != nil {
				return fieldError(m, rf, "a relation must point at a @model type, and "+f.Type+" is not one")
			}
			continue
		}
		a := rf.Association
		if a == nil {
			return fieldError(m, rf, "a field of model type "+f.Type+" needs a relation: add @hasMany, @hasOne or @belongsTo")
		}
		r := &Relation{Field: f.Name, Model: m, Target: s.models[f.Type]}
		r.missingParent = r.missingParentMessage
		switch a.ConnectionType {
		case "HAS_MANY":
			r.Kind = HasMany
		case "HAS_ONE":
			r.Kind = HasOne
		case "BELONGS_TO":
			r.Kind = BelongsTo
		default:
			return fieldError(m, rf, "unknown connectionType "+a.ConnectionType+"; use HAS_MANY, HAS_ONE or BELONGS_TO")
		}
		if r.Kind == HasMany && !f.IsArray {
			return fieldError(m, rf, "a has-many relation must be a list: ["+f.Type+"]")
		}
		if r.Kind != HasMany && f.IsArray {
			return fieldError(m, rf, "a "+strings.ToLower(r.Kind.String())+" relation cannot be a list; use @hasMany for ["+f.Type+"]")
		}
		switch {
		case a.TargetName != "":
			r.LocalFields = []string{a.TargetName}
		case len(a.TargetNames) > 0:
			r.LocalFields = a.TargetNames
		default:
			r.LocalFields = m.PrimaryKey
		}
		if r.Kind == BelongsTo || (r.Kind == HasOne && (a.TargetName != "" || len(a.TargetNames) > 0)) {
			for _, lf := range r.LocalFields {
				m.implyField(lf)
			}
		}
		f.Relation = r
		m.Relations = append(m.Relations, r)
		assoc[r] = a
	}
	return nil
}

// joinRelations works out each relation's remote join fields (SPEC 1.8,
// ModelRelationship.remoteJoinFields) and checks both sides.
func (s *Schema) joinRelations(m *Model, rm *rawModel, assoc map[*Relation]*rawAssociation) error {
	for _, r := range m.Relations {
		rf := rm.Fields.Values[r.Field]
		a, target := assoc[r], r.Target
		switch {
		case r.Kind == BelongsTo:
			r.RemoteFields = target.PrimaryKey
		case len(a.AssociatedWith) == 1 && target.Relation(a.AssociatedWith[0]) != nil:
			r.RemoteFields = target.Relation(a.AssociatedWith[0]).LocalFields
		case len(a.AssociatedWith) > 0:
			r.RemoteFields = a.AssociatedWith
		default:
			r.RemoteFields = target.PrimaryKey
		}
		if len(r.LocalFields) != len(r.RemoteFields) {
			return fieldError(m, rf, "the relation joins "+strings.Join(r.LocalFields, ", ")+" to "+target.Name+"."+strings.Join(r.RemoteFields, ", ")+": give one field for each key field of "+target.Name)
		}
		for _, lf := range r.LocalFields {
			if m.Field(lf) == nil {
				return fieldError(m, rf, "the relation names field "+lf+", which "+m.Name+" does not have")
			}
		}
		for _, name := range r.RemoteFields {
			if f := target.implyField(name); f.Kind == KindModel {
				return fieldError(m, rf, "the relation joins on "+target.Name+"."+name+", which is a relation, not a key field")
			}
		}
		if r.Kind == BelongsTo {
			m.addIndex(Index{Name: indexName(r.LocalFields), Fields: r.LocalFields})
		}
		if a.OnDelete != "" {
			if err := r.setPolicy(a.OnDelete); err != nil {
				se := err.(*SchemaError)
				se.Line, se.Col = a.pos.line, a.pos.col
				return se
			}
		}
	}
	return nil
}

// addLookupIndexes gives every has-many and has-one target an index over
// the fields it is looked up by, and every has-one source holding the key
// an index over it (a deleted target clears it), so related reads never
// scan.
func (s *Schema) addLookupIndexes(m *Model) {
	for _, r := range m.Relations {
		if r.Kind == HasOne && r.sourceHoldsKey() {
			m.addIndex(Index{Name: indexName(r.LocalFields), Fields: r.LocalFields})
		}
		if r.Kind == BelongsTo || slices.Equal(r.RemoteFields, r.Target.PrimaryKey) {
			continue
		}
		r.Target.addIndex(Index{Name: indexName(r.RemoteFields), Fields: r.RemoteFields})
	}
}
