package relation

import (
	"strings"

	"github.com/datastore-wasm/datastore-wasm/store"
)

// What deleting a record does to the records its has-many and has-one
// relations reach: Cascade deletes them (the default, as in Amplify),
// SetNull clears their foreign keys (observers get an UPDATE), Restrict
// refuses the delete while there are any, naming them. A policy is the
// onDelete argument of @hasMany, @hasOne or @manyToMany in SDL, or an
// initSchema option; see docs/policies.md.
const (
	Cascade  = "cascade"
	SetNull  = "setNull"
	Restrict = "restrict"
)

// normalizePolicy reads a policy as written: cascade, setNull, restrict,
// or CASCADE, SET_NULL, RESTRICT.
func normalizePolicy(s string) (string, bool) {
	switch strings.ToLower(strings.ReplaceAll(s, "_", "")) {
	case "cascade":
		return Cascade, true
	case "setnull":
		return SetNull, true
	case "restrict":
		return Restrict, true
	}
	return "", false
}

// SetOnDelete sets the policy of relation field model.field (the option
// form of @hasMany(onDelete: ...)).
func (s *Schema) SetOnDelete(model, field, policy string) error {
	m := s.Model(model)
	if m == nil {
		return &SchemaError{Type: model, Field: field, Msg: "onDelete names a model the schema does not have"}
	}
	r := m.Relation(field)
	if r == nil {
		return &SchemaError{Type: model, Field: field, Msg: "onDelete names a field that is not a relation"}
	}
	return r.setPolicy(policy)
}

func (r *Relation) setPolicy(policy string) error {
	bad := func(msg string) error { return &SchemaError{Type: r.Model.Name, Field: r.Field, Msg: msg} }
	p, ok := normalizePolicy(policy)
	if !ok {
		return bad("onDelete must be cascade, setNull or restrict, not " + policy)
	}
	if r.Kind == BelongsTo {
		return bad("onDelete belongs on the parent's @hasMany or @hasOne, which decides what deleting the parent does")
	}
	if p == SetNull && !r.sourceHoldsKey() {
		for _, f := range r.RemoteFields {
			if fld := r.Target.Field(f); fld != nil && fld.IsRequired {
				return bad("onDelete: setNull needs " + r.Target.Name + "." + f + " to be optional (it is set to null)")
			}
		}
	}
	r.OnDelete = p
	return nil
}

// sourceHoldsKey reports whether the relation's foreign key is on its own
// model (a has-one with targetNames) rather than on the target.
func (r *Relation) sourceHoldsKey() bool {
	for _, f := range r.LocalFields {
		if !containsString(r.Model.PrimaryKey, f) {
			return true
		}
	}
	return false
}

// policy is the relation's effective policy.
// Policy is the delete policy a delete follows along r (Cascade, SetNull
// or Restrict), or "" for a belongs-to, which never cascades.
func (r *Relation) Policy() string {
	if !r.Cascades() {
		return ""
	}
	return r.policy()
}

// HoldsKey reports whether r's join fields are on its own model, not its
// primary key (a has-one with fields, a belongs-to): a setNull along it
// has nothing to clear.
func (r *Relation) HoldsKey() bool { return r.sourceHoldsKey() }

func (r *Relation) policy() string {
	if r.OnDelete == "" {
		return Cascade
	}
	return r.OnDelete
}

// deleteEdges are the store's view of what deleting a record of m does:
// one edge per has-many and has-one relation under its policy, plus the
// key clearing of the has-one sources that point at m (a deleted has-one
// target leaves no dangling key behind; the product documentation says so
// and Amplify does not).
func (s *Schema) deleteEdges(m *Model) []store.Edge {
	var edges []store.Edge
	for _, r := range m.Relations {
		if !r.Cascades() {
			continue
		}
		e := r.edge()
		e.Via = m.Name + "." + r.Field
		switch r.policy() {
		case SetNull:
			if r.sourceHoldsKey() {
				continue // the key is on the record being deleted: nothing to clear
			}
			e.Action = "setNull"
		case Restrict:
			e.Action = "restrict"
			e.Message = "Cannot delete the " + m.Name + ": its " + r.Field + " restrict the delete (onDelete: restrict); delete or move them first"
		}
		edges = append(edges, e)
	}
	for _, other := range s.Models {
		for _, r := range other.Relations {
			if r.Kind != HasOne || r.Target != m || !r.sourceHoldsKey() || r.keyRequired() {
				continue
			}
			back := store.Edge{Action: "setNull", From: r.RemoteFields, Store: other.Name, To: r.LocalFields, Via: other.Name + "." + r.Field}
			q := other.lookupQuery(r.LocalFields, make([]any, len(r.LocalFields)))
			back.Index = q.Index
			edges = append(edges, back)
		}
	}
	return edges
}

// keyRequired reports whether a local key field of r is required (it
// cannot be cleared).
func (r *Relation) keyRequired() bool {
	for _, f := range r.LocalFields {
		if fld := r.Model.Field(f); fld != nil && fld.IsRequired {
			return true
		}
	}
	return false
}
