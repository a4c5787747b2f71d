package server

import (
	"fmt"
	"sort"
	"strings"

	"github.com/datastore-wasm/datastore-wasm/relation"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// rootKind is what a root field of the generated API does.
type rootKind int

const (
	rootGet rootKind = iota
	rootList
	rootSync
	rootCreate
	rootUpdate
	rootDelete
	rootOnCreate
	rootOnUpdate
	rootOnDelete
)

// rootField is one field of Query, Mutation or Subscription.
type rootField struct {
	kind  rootKind
	model *relation.Model
}

// api is the GraphQL API that AppSync's transformer generates for a schema
// with conflict detection on (SYNC-PROTOCOL §1), as a gqlparser schema for
// validation and introspection, plus what each root field does.
type api struct {
	models *relation.Schema
	gql    *ast.Schema
	sdl    string
	roots  map[string]rootField
}

// scalars AppSync adds to GraphQL's own.
var awsScalars = []string{"AWSDate", "AWSTime", "AWSDateTime", "AWSTimestamp", "AWSEmail", "AWSJSON", "AWSURL", "AWSPhone", "AWSIPAddress"}

func newAPI(s *relation.Schema) (*api, error) {
	a := &api{models: s, roots: map[string]rootField{}}
	a.sdl = a.generate()
	gql, err := gqlparser.LoadSchema(&ast.Source{Name: "generated.graphql", Input: a.sdl})
	if err != nil {
		return nil, fmt.Errorf("the generated API does not validate (%v); this is a bug of the server, please report it with the schema", err)
	}
	a.gql = gql
	return a, nil
}

// filterInput names the Model<Scalar>Input used to filter a field, "" when
// the field cannot be filtered (non-model types, relations).
func filterInput(f *relation.Field, subscription bool) string {
	prefix := "Model"
	if subscription {
		prefix = "ModelSubscription"
	}
	switch f.Kind {
	case relation.KindEnum:
		if subscription {
			return prefix + "StringInput"
		}
		return prefix + f.Type + "Input"
	case relation.KindScalar:
		switch f.Type {
		case "ID":
			return prefix + "IDInput"
		case "Int", "AWSTimestamp":
			return prefix + "IntInput"
		case "Float":
			return prefix + "FloatInput"
		case "Boolean":
			return prefix + "BooleanInput"
		default:
			return prefix + "StringInput"
		}
	}
	return ""
}

// typeRef renders a field's GraphQL type; named is the element type.
func typeRef(f *relation.Field, named string, required bool) string {
	if f.IsArray {
		el := named
		if f.IsRequired {
			el += "!"
		}
		if !required || f.IsArrayNullable {
			return "[" + el + "]"
		}
		return "[" + el + "]!"
	}
	if required && f.IsRequired {
		return named + "!"
	}
	return named
}

func isKey(m *relation.Model, name string) bool {
	for _, k := range m.PrimaryKey {
		if k == name {
			return true
		}
	}
	return false
}

func (a *api) generate() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	for _, s := range awsScalars {
		w("scalar %s\n", s)
	}
	w("directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION\n")
	w("enum ModelAttributeTypes { binary binarySet bool list map number numberSet string stringSet _null }\n")
	w("input ModelSizeInput { ne: Int eq: Int le: Int lt: Int ge: Int gt: Int between: [Int] }\n")
	for _, t := range []string{"String", "ID"} {
		w("input Model%sInput { ne: %[1]s eq: %[1]s le: %[1]s lt: %[1]s ge: %[1]s gt: %[1]s contains: %[1]s notContains: %[1]s between: [%[1]s] beginsWith: %[1]s attributeExists: Boolean attributeType: ModelAttributeTypes size: ModelSizeInput }\n", t)
		w("input ModelSubscription%sInput { ne: %[1]s eq: %[1]s le: %[1]s lt: %[1]s ge: %[1]s gt: %[1]s contains: %[1]s notContains: %[1]s between: [%[1]s] beginsWith: %[1]s in: [%[1]s] notIn: [%[1]s] }\n", t)
	}
	for _, t := range []string{"Int", "Float"} {
		w("input Model%sInput { ne: %[1]s eq: %[1]s le: %[1]s lt: %[1]s ge: %[1]s gt: %[1]s between: [%[1]s] attributeExists: Boolean attributeType: ModelAttributeTypes }\n", t)
		w("input ModelSubscription%sInput { ne: %[1]s eq: %[1]s le: %[1]s lt: %[1]s ge: %[1]s gt: %[1]s between: [%[1]s] in: [%[1]s] notIn: [%[1]s] }\n", t)
	}
	w("input ModelBooleanInput { ne: Boolean eq: Boolean attributeExists: Boolean attributeType: ModelAttributeTypes }\n")
	w("input ModelSubscriptionBooleanInput { ne: Boolean eq: Boolean }\n")

	for _, e := range a.models.Enums {
		w("enum %s { %s }\n", e.Name, strings.Join(e.Values, " "))
		w("input Model%sInput { eq: %[1]s ne: %[1]s }\n", e.Name)
	}
	for _, n := range a.models.NonModels {
		w("type %s {\n", n.Name)
		for _, f := range n.Fields {
			w("  %s: %s\n", f.Name, typeRef(f, f.Type, true))
		}
		w("}\ninput %sInput {\n", n.Name)
		for _, f := range n.Fields {
			named := f.Type
			if f.Kind == relation.KindNonModel {
				named += "Input"
			}
			w("  %s: %s\n", f.Name, typeRef(f, named, true))
		}
		w("}\n")
	}

	var query, mutation, subscription []string
	for _, m := range a.models.Models {
		a.generateModel(&b, m)
		conn := "Model" + m.Name + "Connection"
		filter := "Model" + m.Name + "FilterInput"
		var keyArgs []string
		for _, k := range m.PrimaryKey {
			keyArgs = append(keyArgs, k+": "+typeRef(m.Field(k), m.Field(k).Type, true))
		}
		add := func(list *[]string, name string, kind rootKind, decl string) {
			*list = append(*list, "  "+name+decl)
			a.roots[name] = rootField{kind: kind, model: m}
		}
		add(&query, "get"+m.Name, rootGet, "("+strings.Join(keyArgs, ", ")+"): "+m.Name)
		add(&query, "list"+m.PluralName, rootList, "(filter: "+filter+", limit: Int, nextToken: String): "+conn)
		add(&query, "sync"+m.PluralName, rootSync, "(filter: "+filter+", limit: Int, nextToken: String, lastSync: AWSTimestamp): "+conn)
		cond := "Model" + m.Name + "ConditionInput"
		add(&mutation, "create"+m.Name, rootCreate, "(input: Create"+m.Name+"Input!, condition: "+cond+"): "+m.Name)
		add(&mutation, "update"+m.Name, rootUpdate, "(input: Update"+m.Name+"Input!, condition: "+cond+"): "+m.Name)
		add(&mutation, "delete"+m.Name, rootDelete, "(input: Delete"+m.Name+"Input!, condition: "+cond+"): "+m.Name)
		sf := "ModelSubscription" + m.Name + "FilterInput"
		add(&subscription, "onCreate"+m.Name, rootOnCreate, "(filter: "+sf+"): "+m.Name+` @aws_subscribe(mutations: ["create`+m.Name+`"])`)
		add(&subscription, "onUpdate"+m.Name, rootOnUpdate, "(filter: "+sf+"): "+m.Name+` @aws_subscribe(mutations: ["update`+m.Name+`"])`)
		add(&subscription, "onDelete"+m.Name, rootOnDelete, "(filter: "+sf+"): "+m.Name+` @aws_subscribe(mutations: ["delete`+m.Name+`"])`)
	}
	w("type Query {\n%s\n}\n", strings.Join(query, "\n"))
	w("type Mutation {\n%s\n}\n", strings.Join(mutation, "\n"))
	w("type Subscription {\n%s\n}\n", strings.Join(subscription, "\n"))
	return b.String()
}

func (a *api) generateModel(b *strings.Builder, m *relation.Model) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("type %s {\n", m.Name)
	for _, f := range m.Fields {
		switch {
		case f.Relation == nil:
			w("  %s: %s\n", f.Name, typeRef(f, f.Type, true))
		case f.Relation.Kind == relation.HasMany:
			t := f.Relation.Target.Name
			w("  %s(filter: Model%sFilterInput, limit: Int, nextToken: String): Model%[2]sConnection\n", f.Name, t)
		default:
			w("  %s: %s\n", f.Name, f.Relation.Target.Name)
		}
	}
	w("  _version: Int!\n  _deleted: Boolean\n  _lastChangedAt: AWSTimestamp!\n}\n")
	w("type Model%sConnection { items: [%[1]s]! nextToken: String startedAt: AWSTimestamp }\n", m.Name)

	filterFields := func(subscription, withKeys bool) []string {
		var out []string
		for _, f := range m.Fields {
			in := filterInput(f, subscription)
			if in == "" || f.Relation != nil || (!withKeys && isKey(m, f.Name)) {
				continue
			}
			out = append(out, "  "+f.Name+": "+in)
		}
		return out
	}
	filter := "Model" + m.Name + "FilterInput"
	w("input %s {\n%s\n  and: [%[1]s]\n  or: [%[1]s]\n  not: %[1]s\n  _deleted: ModelBooleanInput\n}\n", filter, strings.Join(filterFields(false, true), "\n"))
	cond := "Model" + m.Name + "ConditionInput"
	w("input %s {\n%s\n  and: [%[1]s]\n  or: [%[1]s]\n  not: %[1]s\n  _deleted: ModelBooleanInput\n}\n", cond, strings.Join(filterFields(false, false), "\n"))
	sf := "ModelSubscription" + m.Name + "FilterInput"
	w("input %s {\n%s\n  and: [%[1]s]\n  or: [%[1]s]\n  _deleted: ModelBooleanInput\n}\n", sf, strings.Join(filterFields(true, true), "\n"))

	inputFields := func(update bool) []string {
		var out []string
		for _, f := range m.Fields {
			if f.Relation != nil {
				continue
			}
			named := f.Type
			if f.Kind == relation.KindNonModel {
				named += "Input"
			}
			required := !update && !f.ReadOnly && !(m.IDKind != relation.IDCustom && f.Name == "id")
			if isKey(m, f.Name) && (update || m.IDKind == relation.IDCustom) {
				required = true
			}
			if f.Name == m.CreatedAt || f.Name == m.UpdatedAt {
				required = false
			}
			ref := typeRef(f, named, required)
			if isKey(m, f.Name) && required && !strings.HasSuffix(ref, "!") {
				ref += "!"
			}
			out = append(out, "  "+f.Name+": "+ref)
		}
		return append(out, "  _version: Int")
	}
	w("input Create%sInput {\n%s\n}\n", m.Name, strings.Join(inputFields(false), "\n"))
	w("input Update%sInput {\n%s\n}\n", m.Name, strings.Join(inputFields(true), "\n"))
	var del []string
	for _, k := range m.PrimaryKey {
		del = append(del, "  "+k+": "+m.Field(k).Type+"!")
	}
	w("input Delete%sInput {\n%s\n  _version: Int\n}\n", m.Name, strings.Join(del, "\n"))
}

// rootNames lists the root fields in a stable order (for tests and logs).
func (a *api) rootNames() []string {
	var out []string
	for n := range a.roots {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
