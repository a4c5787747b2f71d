package relation

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
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
var directives = map[string]bool{
	"model": true, "key": true, "index": true, "primaryKey": true, "hasMany": true, "hasOne": true,
	"belongsTo": true, "manyToMany": true, "connection": true, "default": true, "auth": true,
	"function": true, "http": true, "predictions": true, "searchable": true, "versioned": true,
	"mapsTo": true, "refersTo": true, "sql": true, "validate": true, "deprecated": true,
	"aws_api_key": true, "aws_iam": true, "aws_oidc": true, "aws_cognito_user_pools": true,
	"aws_subscribe": true, "aws_auth": true, "aws_lambda": true, "conversation": true, "generation": true,
}

// checkDirectives refuses a directive that is neither Amplify's nor
// declared in the document, suggesting the nearest known one.
func checkDirectives(doc *ast.SchemaDocument) error {
	declared := map[string]bool{}
	for _, d := range doc.Directives {
		declared[d.Name] = true
	}
	check := func(def *ast.Definition, field *ast.FieldDefinition, list ast.DirectiveList) error {
		for _, d := range list {
			if directives[d.Name] || declared[d.Name] {
				continue
			}
			e := sdlError(def, field, "unknown directive @"+d.Name+suggest(d.Name)+"; datastore-wasm reads @model, @primaryKey, @index, @hasMany, @hasOne, @belongsTo, @manyToMany (and @key, @connection), and ignores Amplify's cloud directives (@auth, ...)")
			if se := (*SchemaError)(nil); errors.As(e, &se) && d.Position != nil {
				se.Line, se.Col = d.Position.Line, d.Position.Column
			}
			return e
		}
		return nil
	}
	for _, defs := range []ast.DefinitionList{doc.Definitions, doc.Extensions} {
		for _, def := range defs {
			if err := check(def, nil, def.Directives); err != nil {
				return err
			}
			for _, f := range def.Fields {
				if err := check(def, f, f.Directives); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// suggest names the known directive nearest to name, when one is close.
func suggest(name string) string {
	best, bestDist := "", 3
	names := make([]string, 0, len(directives))
	for d := range directives {
		names = append(names, d)
	}
	sort.Strings(names)
	for _, d := range names {
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
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
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
		missing := func(names []string) string {
			for _, n := range names {
				if rm.Fields.Values[n] == nil {
					return n
				}
			}
			return ""
		}
		at := func(err error, p *ast.Position) error {
			var se *SchemaError
			if errors.As(err, &se) && p != nil {
				se.Line, se.Col = p.Line, p.Column
			}
			return err
		}
		for _, d := range def.Directives.ForNames("key") {
			if n := missing(argStrings(d, "fields")); n != "" {
				return at(sdlError(def, nil, "@key(fields:) names "+n+", which "+def.Name+" does not have; declare the field or fix the name"), d.Position)
			}
		}
		for _, f := range def.Fields {
			for _, d := range f.Directives {
				var names []string
				switch d.Name {
				case "index", "primaryKey":
					names = argStrings(d, "sortKeyFields")
				case "hasMany":
					names = argStrings(d, "fields")
				default:
					continue
				}
				if n := missing(names); n != "" {
					return at(sdlError(def, f, "@"+d.Name+" names the field "+n+", which "+def.Name+" does not have; declare the field or fix the name"), d.Position)
				}
			}
		}
	}
	return nil
}

// introspectionError words encoding/json's complaint about an
// introspection schema for its author: which key, what it should be.
func introspectionError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		where := te.Field
		if where == "" {
			where = "the schema"
		}
		return &SchemaError{Msg: fmt.Sprintf("the introspection schema is not valid: %s should be %s, not a JSON %s", where, jsonKind(te.Type.Kind().String()), te.Value)}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &SchemaError{Msg: fmt.Sprintf("the introspection schema is not valid JSON at byte %d: %s", se.Offset, se.Error())}
	}
	return &SchemaError{Msg: "the introspection schema is not valid: " + err.Error()}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "slice", "array":
		return "a list"
	case "map", "struct":
		return "an object"
	case "bool":
		return "true or false"
	case "ptr", "interface":
		return "a value of another shape"
	}
	return "a number"
}
