package relation

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// Checks that refuse, at initSchema, schemas that would parse and then
// fail every later call: key fields IndexedDB cannot index, keys naming
// fields the model lacks, directives that are not Amplify's, schemas
// without a model.

// isIdentifier reports whether name is a GraphQL name (/[_A-Za-z][_0-9A-Za-z]*/):
// the only field names an IndexedDB key path can hold.
func isIdentifier(name string) bool {
	if name == "" {
		return false
	}
	for i, c := range name {
		letter := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// errNoModel is a schema without any model: nothing to store.
var errNoModel = &SchemaError{Msg: "the schema declares no model; declare at least one, as `type Post @model { id: ID! title: String }` (SDL) or under \"models\" (introspection)"}

// checkKeyNames refuses key and index fields that are not identifiers.
func checkKeyNames(m *Model, rm *rawModel, keys [][]string) error {
	for _, k := range keys {
		for _, name := range k {
			if !isIdentifier(name) {
				return &SchemaError{Type: m.Name, Field: name, Line: rm.pos.line, Col: rm.pos.col, Msg: fmt.Sprintf("a key or index names the field %q, which is not a field name (letters, digits and _, not starting with a digit)", name)}
			}
		}
	}
	return nil
}

// directives are those an Amplify schema may carry: the ones datastore-wasm
// reads, and those of the cloud (auth, functions, search) it ignores.
var directives = []string{
	"model", "key", "index", "primaryKey", "hasMany", "hasOne", "belongsTo", "manyToMany",
	"connection", "default", "auth", "function", "http", "predictions", "searchable", "versioned",
	"mapsTo", "refersTo", "sql", "validate", "deprecated", "aws_api_key", "aws_iam", "aws_oidc",
	"aws_cognito_user_pools", "aws_subscribe", "aws_auth", "aws_lambda", "conversation", "generation",
}

// directiveError locates a schema error at a directive.
//
//go:noinline
func directiveError(def *ast.Definition, field *ast.FieldDefinition, d *ast.Directive, msg string) error {
	e := &SchemaError{Type: def.Name, Msg: msg}
	if field != nil {
		e.Field = field.Name
	}
	if d.Position != nil {
		e.Line, e.Col = d.Position.Line, d.Position.Column
	}
	return e
}

// checkDirectives refuses a directive that is neither Amplify's nor
// declared in the document, naming the nearest known one.
func checkDirectives(doc *ast.SchemaDocument) error {
	for _, defs := range []ast.DefinitionList{doc.Definitions, doc.Extensions} {
		for _, def := range defs {
			if err := checkDirectiveList(doc, def, nil, def.Directives); err != nil {
				return err
			}
			for _, f := range def.Fields {
				if err := checkDirectiveList(doc, def, f, f.Directives); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func checkDirectiveList(doc *ast.SchemaDocument, def *ast.Definition, field *ast.FieldDefinition, list ast.DirectiveList) error {
	for _, d := range list {
		if slices.Contains(directives, d.Name) || doc.Directives.ForName(d.Name) != nil {
			continue
		}
		return directiveError(def, field, d, "unknown directive @"+d.Name+suggest(d.Name)+"; datastore-wasm reads @model, @primaryKey, @index, @hasMany, @hasOne, @belongsTo, @manyToMany (and @key, @connection), and ignores Amplify's cloud directives (@auth, ...)")
	}
	return nil
}

// suggest names the known directive nearest to name, when one is close.
func suggest(name string) string {
	best, bestDist := "", 3
	for _, d := range directives {
		if dist := editDistance(strings.ToLower(name), strings.ToLower(d)); dist < bestDist {
			best, bestDist = d, dist
		}
	}
	if best == "" {
		return ""
	}
	return " (did you mean @" + best + "?)"
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// checkSDLKeys refuses @key, @index, @primaryKey(sortKeyFields:) and
// @hasMany(fields:) naming fields the model does not have, declared or
// implied by a relation (they would index nothing, or join on nothing).
func (r *sdlReader) checkSDLKeys() error {
	for _, def := range r.doc.Definitions {
		rm := r.raw.Models.Values[def.Name]
		if rm == nil || def.Kind != ast.Object {
			continue
		}
		for _, d := range def.Directives {
			if d.Name == "key" {
				if err := rm.checkNamed(def, nil, d, argStrings(d, "fields")); err != nil {
					return err
				}
			}
		}
		for _, f := range def.Fields {
			for _, d := range f.Directives {
				arg := "fields"
				switch d.Name {
				case "index", "primaryKey":
					arg = "sortKeyFields"
				case "hasMany":
				default:
					continue
				}
				if err := rm.checkNamed(def, f, d, argStrings(d, arg)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// checkNamed refuses the first of names that rm has no field of.
func (rm *rawModel) checkNamed(def *ast.Definition, field *ast.FieldDefinition, d *ast.Directive, names []string) error {
	for _, n := range names {
		if rm.Fields.Values[n] == nil {
			return directiveError(def, field, d, "@"+d.Name+" names the field "+n+", which "+def.Name+" does not have; declare the field or fix the name")
		}
	}
	return nil
}
