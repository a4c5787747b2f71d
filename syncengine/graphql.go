package syncengine

import (
	"strings"

	"github.com/datastore-wasm/datastore-wasm/relation"
)

// Operation names the outbox and the mutation documents use (Amplify's
// TransformerMutationType).
const (
	OpCreate = "Create"
	OpUpdate = "Update"
	OpDelete = "Delete"
)

// Documents are the GraphQL operations DataStore sends for one model, built
// as Amplify's sync/utils.ts builds them (every operation is named
// "operation").
type Documents struct {
	Model *relation.Model
	// SelectionSet is the model's selection: scalar and enum fields in model
	// order, non-model fields with their subfields, _version _lastChangedAt
	// _deleted, then each belongs-to field with its target's key and
	// _deleted.
	SelectionSet string
	// Sync is the sync<Plural> query (variables limit, nextToken, lastSync,
	// filter); Create, Update, Delete the mutations; Get the getX query
	// used after a conflict is discarded.
	Sync, Create, Update, Delete, Get string
	// SyncField, CreateField, ... are the names of the fields in the
	// response's data.
	SyncField, CreateField, UpdateField, DeleteField, GetField string
}

// Subscription is one of a model's three subscriptions.
type Subscription struct {
	// Field is onCreate<Model>, onUpdate<Model> or onDelete<Model>.
	Field string
	// Query is the document; with a filter it takes $filter.
	Query string
}

// BuildDocuments builds the documents of model m of schema s.
func BuildDocuments(s *relation.Schema, m *relation.Model) *Documents {
	sel := SelectionSet(s, m)
	name, plural := m.Name, m.PluralName
	d := &Documents{Model: m, SelectionSet: sel,
		SyncField: "sync" + plural, CreateField: "create" + name, UpdateField: "update" + name,
		DeleteField: "delete" + name, GetField: "get" + name}
	d.Sync = operation("query", "($limit: Int, $nextToken: String, $lastSync: AWSTimestamp, $filter: Model"+name+"FilterInput)",
		d.SyncField, "(limit: $limit, nextToken: $nextToken, lastSync: $lastSync, filter: $filter)",
		"items {\n"+indent(sel, "\t\t\t\t")+"\n\t\t\t}\n\t\t\tnextToken\n\t\t\tstartedAt")
	d.Create = operation("mutation", "($input: Create"+name+"Input!)", d.CreateField, "(input: $input)", sel)
	d.Update = operation("mutation", "($input: Update"+name+"Input!, $condition: Model"+name+"ConditionInput)", d.UpdateField, "(input: $input, condition: $condition)", sel)
	d.Delete = operation("mutation", "($input: Delete"+name+"Input!, $condition: Model"+name+"ConditionInput)", d.DeleteField, "(input: $input, condition: $condition)", sel)
	d.Get = operation("query", "($id: ID!)", d.GetField, "(id: $id)", sel)
	return d
}

// Mutation returns the document and the response field of op.
func (d *Documents) Mutation(op string) (doc, field string) {
	switch op {
	case OpCreate:
		return d.Create, d.CreateField
	case OpUpdate:
		return d.Update, d.UpdateField
	}
	return d.Delete, d.DeleteField
}

// Subscriptions returns onCreate, onUpdate and onDelete, in that order;
// filtered adds the $filter argument (a sync expression exists for the
// model).
func (d *Documents) Subscriptions(filtered bool) []Subscription {
	var subs []Subscription
	for _, kind := range []string{"onCreate", "onUpdate", "onDelete"} {
		field := kind + d.Model.Name
		args, opArgs := "", ""
		if filtered {
			args = "($filter: ModelSubscription" + d.Model.Name + "FilterInput)"
			opArgs = "(filter: $filter)"
		}
		subs = append(subs, Subscription{Field: field, Query: operation("subscription", args, field, opArgs, d.SelectionSet)})
	}
	return subs
}

func operation(kind, docArgs, field, opArgs, sel string) string {
	return kind + " operation" + docArgs + "{\n\t" + field + opArgs + "{\n" + indent(sel, "\t\t") + "\n\t}\n}"
}

//go:noinline
func indent(text, prefix string) string {
	return prefix + strings.ReplaceAll(text, "\n", "\n"+prefix)
}

// SelectionSet is the selection set Amplify's generateSelectionSet builds
// for m, one field a line.
func SelectionSet(s *relation.Schema, m *relation.Model) string {
	var lines []string
	var nonModel []string
	for _, f := range m.Fields {
		switch f.Kind {
		case relation.KindScalar, relation.KindEnum:
			lines = append(lines, f.Name)
		case relation.KindNonModel:
			nonModel = append(nonModel, f.Name+" {\n"+indent(nonModelSelection(s, s.NonModel(f.Type), 0), "\t")+"\n}")
		}
	}
	lines = append(lines, nonModel...)
	lines = append(lines, "_version", "_lastChangedAt", "_deleted")
	for _, r := range m.Relations {
		if r.Kind != relation.BelongsTo {
			continue
		}
		lines = append(lines, r.Field+" {\n"+indent(strings.Join(append(append([]string{}, r.Target.PrimaryKey...), "_deleted"), "\n"), "\t")+"\n}")
	}
	return strings.Join(lines, "\n")
}

// nonModelSelection selects a non-model type's fields, nested ones with
// their own subfields (a non-model type cannot hold itself past
// relation.MaxValueDepth, which the schema checks).
func nonModelSelection(s *relation.Schema, nm *relation.NonModel, depth int) string {
	var lines []string
	for _, f := range nm.Fields {
		if f.Kind == relation.KindNonModel && depth < 8 {
			lines = append(lines, f.Name+" {\n"+indent(nonModelSelection(s, s.NonModel(f.Type), depth+1), "\t")+"\n}")
			continue
		}
		if f.Kind == relation.KindScalar || f.Kind == relation.KindEnum {
			lines = append(lines, f.Name)
		}
	}
	return strings.Join(lines, "\n")
}
