package relation

import (
	"errors"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// ParseSDL reads a GraphQL schema with Amplify's directives and resolves
// it. The directives become the associations and keys that Amplify codegen
// would write for the same schema, with the same implied foreign-key fields
// and join models, so that a schema reads the same from SDL and from codegen.
func ParseSDL(sdl string) (*Schema, error) {
	if err := checkNesting(sdl, true); err != nil {
		return nil, err
	}
	doc, err := parser.ParseSchema(&ast.Source{Name: "schema.graphql", Input: sdl})
	if err != nil {
		var ge *gqlerror.Error
		if errors.As(err, &ge) && len(ge.Locations) > 0 {
			return nil, &SchemaError{Line: ge.Locations[0].Line, Col: ge.Locations[0].Column, Msg: ge.Message}
		}
		return nil, &SchemaError{Msg: err.Error()}
	}
	if err := checkDirectives(doc); err != nil {
		return nil, err
	}
	raw, err := translateSDL(doc)
	if err != nil {
		return nil, err
	}
	// A version identifies the schema text; FNV is enough for that and
	// keeps crypto out of the wasm (crypto/sha256 costs ~150 KB brotli).
	h := fnv.New64a()
	h.Write([]byte(sdl))
	raw.Version = strconv.FormatUint(h.Sum64(), 16)
	return resolve(raw)
}

// sdlReader translates one SDL document.
type sdlReader struct {
	doc   *ast.SchemaDocument
	types map[string]*ast.Definition
	raw   *rawSchema
}

func pos(p *ast.Position) position {
	if p == nil {
		return position{}
	}
	return position{p.Line, p.Column}
}

//go:noinline
func sdlError(def *ast.Definition, field *ast.FieldDefinition, msg string) error {
	e := &SchemaError{Type: def.Name, Msg: msg}
	p := def.Position
	if field != nil {
		e.Field = field.Name
		p = field.Position
	}
	if p != nil {
		e.Line, e.Col = p.Line, p.Column
	}
	return e
}

func translateSDL(doc *ast.SchemaDocument) (*rawSchema, error) {
	r := &sdlReader{doc: doc, types: map[string]*ast.Definition{}, raw: &rawSchema{}}
	for _, def := range doc.Definitions {
		if prev := r.types[def.Name]; prev != nil {
			return nil, sdlError(def, nil, "the type is declared twice (first at line "+itoa(prev.Position.Line)+"); merge the two or rename one")
		}
		r.types[def.Name] = def
	}
	for _, ext := range doc.Extensions {
		def := r.types[ext.Name]
		if def == nil {
			return nil, sdlError(ext, nil, "extends a type that is not declared")
		}
		def.Fields = append(def.Fields, ext.Fields...)
		def.Directives = append(def.Directives, ext.Directives...)
	}
	for _, def := range doc.Definitions {
		switch {
		case def.Kind == ast.Enum:
			e := &rawEnum{Name: def.Name}
			for _, v := range def.EnumValues {
				e.Values = append(e.Values, v.Name)
			}
			r.raw.Enums.add(def.Name, e)
		case def.Kind == ast.Object && def.Directives.ForName("model") != nil:
			if err := r.model(def); err != nil {
				return nil, err
			}
		case def.Kind == ast.Object && !isOperationType(def.Name):
			nm := &rawNonModel{Name: def.Name, pos: pos(def.Position)}
			for _, f := range def.Fields {
				rf, err := r.field(def, f)
				if err != nil {
					return nil, err
				}
				nm.Fields.add(f.Name, rf)
			}
			r.raw.NonModels.add(def.Name, nm)
		}
	}
	for _, name := range r.raw.Models.Keys {
		if def := r.types[name]; def != nil { // join models have no definition
			if err := r.relations(def, r.raw.Models.Values[name]); err != nil {
				return nil, err
			}
		}
	}
	for _, name := range r.raw.Models.Keys {
		addTimestamps(r.raw.Models.Values[name])
	}
	if err := r.checkSDLKeys(); err != nil {
		return nil, err
	}
	return r.raw, nil
}

//go:noinline
func isOperationType(name string) bool {
	return name == "Query" || name == "Mutation" || name == "Subscription"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func (r *sdlReader) isModel(name string) bool {
	def := r.types[name]
	return def != nil && def.Kind == ast.Object && def.Directives.ForName("model") != nil
}

// field reads a field's type; relation directives are read later.
func (r *sdlReader) field(def *ast.Definition, f *ast.FieldDefinition) (*rawField, error) {
	t := f.Type
	rf := &rawField{Name: f.Name, pos: pos(f.Position)}
	if t.Elem != nil {
		rf.IsArray = true
		nullable := !t.NonNull
		rf.IsArrayNullable = &nullable
		t = t.Elem
		if t.Elem != nil {
			return nil, sdlError(def, f, "lists of lists are not supported; wrap the inner list in a type")
		}
	}
	rf.IsRequired = t.NonNull
	name := t.NamedType
	switch other := r.types[name]; {
	case scalarTypes[name]:
		rf.Type = rawType{KindScalar, name}
	case other == nil:
		return nil, sdlError(def, f, "unknown type "+name+"; use a scalar (ID, String, Int, Float, Boolean, AWSDate, AWSTime, AWSDateTime, AWSTimestamp, AWSEmail, AWSJSON, AWSURL, AWSPhone, AWSIPAddress), an enum, or a declared type")
	case other.Kind == ast.Enum:
		rf.Type = rawType{KindEnum, name}
	case other.Kind == ast.Object && r.isModel(name):
		rf.Type = rawType{KindModel, name}
	case other.Kind == ast.Object:
		rf.Type = rawType{KindNonModel, name}
	case other.Kind == ast.Scalar:
		return nil, sdlError(def, f, "custom scalar "+name+" is not supported; use String or AWSJSON")
	default:
		return nil, sdlError(def, f, "type "+name+" is a "+strings.ToLower(string(other.Kind))+"; a field must be a scalar, an enum or an object type")
	}
	return rf, nil
}

//go:noinline
func argString(d *ast.Directive, name string) (string, bool) {
	a := d.Arguments.ForName(name)
	if a == nil || a.Value == nil || a.Value.Kind == ast.NullValue {
		return "", false
	}
	return a.Value.Raw, true
}

//go:noinline
func argStrings(d *ast.Directive, name string) []string {
	a := d.Arguments.ForName(name)
	if a == nil || a.Value == nil {
		return nil
	}
	if a.Value.Kind != ast.ListValue {
		return []string{a.Value.Raw}
	}
	var out []string
	for _, c := range a.Value.Children {
		out = append(out, c.Value.Raw)
	}
	return out
}

func (r *sdlReader) model(def *ast.Definition) error {
	rm := &rawModel{Name: def.Name, PluralName: def.Name + "s", pos: pos(def.Position)}
	modelAttr := rawAttribute{Type: "model"}
	if ts := def.Directives.ForName("model").Arguments.ForName("timestamps"); ts != nil {
		v, err := ts.Value.Value(nil)
		if err != nil {
			return sdlError(def, nil, "@model(timestamps:) must be null or {createdAt, updatedAt}: "+err.Error())
		}
		modelAttr.Properties.Timestamps = rawTimestamps{Set: true, Value: v}
	}
	rm.Attributes = append(rm.Attributes, modelAttr)
	var pk []string
	for _, f := range def.Fields {
		rf, err := r.field(def, f)
		if err != nil {
			return err
		}
		rm.Fields.add(f.Name, rf)
		if d := f.Directives.ForName("primaryKey"); d != nil {
			if pk != nil {
				return sdlError(def, f, "a model has one @primaryKey; use sortKeyFields for a composite key")
			}
			pk = append([]string{f.Name}, argStrings(d, "sortKeyFields")...)
		}
		for _, d := range f.Directives {
			if d.Name != "index" {
				continue
			}
			name, ok := argString(d, "name")
			fields := append([]string{f.Name}, argStrings(d, "sortKeyFields")...)
			if !ok {
				name = indexName(fields)
			}
			rm.Attributes = append(rm.Attributes, keyAttribute(name, fields))
		}
	}
	for _, d := range def.Directives.ForNames("key") {
		name, _ := argString(d, "name")
		fields := argStrings(d, "fields")
		if len(fields) == 0 {
			return sdlError(def, nil, "@key needs fields: [...]")
		}
		if name == "" {
			pk = fields
		}
		rm.Attributes = append(rm.Attributes, keyAttribute(name, fields))
	}
	if pk == nil {
		pk = []string{"id"}
		if rm.Fields.Values["id"] == nil {
			// Codegen adds the id a model does not declare.
			rm.Fields.Keys = append([]string{"id"}, rm.Fields.Keys...)
			rm.Fields.add("id", &rawField{Name: "id", Type: rawType{KindScalar, "ID"}, IsRequired: true})
		}
	}
	for _, k := range pk {
		if rm.Fields.Values[k] == nil {
			return sdlError(def, nil, "the primary key names field "+k+", which the model does not have")
		}
	}
	rm.Attributes = append(rm.Attributes, keyAttribute("", pk))
	r.raw.Models.add(def.Name, rm)
	return nil
}

// addTimestamps adds the managed timestamp fields last, after the implied
// foreign keys, where codegen puts them.
func addTimestamps(rm *rawModel) {
	created, updated := "createdAt", "updatedAt"
	for _, a := range rm.Attributes {
		if a.Type == "model" && a.Properties.Timestamps.Set {
			created, updated = timestampNames(a.Properties.Timestamps)
		}
	}
	for _, name := range []string{created, updated} {
		if name == "" {
			continue
		}
		if f := rm.Fields.Values[name]; f != nil {
			f.IsReadOnly = true
			continue
		}
		rm.Fields.add(name, &rawField{Name: name, Type: rawType{KindScalar, "AWSDateTime"}, IsReadOnly: true})
	}
}

//go:noinline
func keyAttribute(name string, fields []string) rawAttribute {
	a := rawAttribute{Type: "key"}
	a.Properties.Name = name
	a.Properties.Fields = fields
	return a
}
