package relation

import (
	"strconv"
	"strings"

	"github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
)

// rawSchema is the introspection form of a schema: what Amplify codegen
// writes to models/schema.js. The SDL reader produces the same form, so both
// sources go through one resolver.
type rawSchema struct {
	Models         ordered[rawModel]
	Enums          ordered[rawEnum]
	NonModels      ordered[rawNonModel]
	Version        string
	CodegenVersion *string
}

type rawModel struct {
	Name       string
	PluralName string
	Syncable   *bool
	Attributes []rawAttribute
	Fields     ordered[rawField]
	pos        position
}

type rawEnum struct {
	Name   string
	Values []string
}

type rawNonModel struct {
	Name   string
	Fields ordered[rawField]
	pos    position
}

type rawAttribute struct {
	Type       string
	Properties struct {
		Name       string
		Fields     []string
		Timestamps rawTimestamps
	}
}

// rawTimestamps is @model(timestamps:) as written: Set when the argument is there, and then
// Value is null (no managed timestamps) or an object {createdAt, updatedAt} of field names.
type rawTimestamps struct {
	Set   bool
	Value any
}

type rawField struct {
	Name            string
	Type            rawType
	IsArray         bool
	IsRequired      bool
	IsArrayNullable *bool
	IsReadOnly      bool
	Association     *rawAssociation
	pos             position
}

// rawType is a scalar name, or {enum|nonModel|model: name}.
type rawType struct {
	Kind TypeKind
	Name string
}

type rawAssociation struct {
	ConnectionType string
	AssociatedWith []string // the legacy string form reads as a list of one
	TargetName     string
	TargetNames    []string
	// OnDelete is the SDL's onDelete argument (codegen has none).
	OnDelete string
	pos      position
}

// position is where a definition stands in SDL text (zero for JSON).
type position struct{ line, col int }

// ordered is a JSON object read with its keys in document order.
type ordered[T any] struct {
	Keys   []string
	Values map[string]*T
}

//go:noinline
func (o *ordered[T]) add(key string, v *T) {
	if o.Values == nil {
		o.Values = map[string]*T{}
	}
	if _, dup := o.Values[key]; !dup {
		o.Keys = append(o.Keys, key)
	}
	o.Values[key] = v
}

// ParseIntrospection reads the object Amplify codegen writes to
// models/schema.js (given as JSON) and resolves it.
func ParseIntrospection(data []byte) (*Schema, error) {
	if err := checkNesting(string(data), false); err != nil {
		return nil, err
	}
	v, err := jsonvalue.ParseOrdered(data)
	if err != nil {
		return nil, &SchemaError{Msg: "the introspection schema is not valid JSON: " + err.Error()}
	}
	raw, err := decodeIntrospection(v)
	if err != nil {
		return nil, &SchemaError{Msg: "the introspection schema is not valid: " + err.Error()}
	}
	if err := checkCodegenVersion(raw.CodegenVersion); err != nil {
		return nil, err
	}
	return resolve(raw)
}

// checkCodegenVersion requires codegen ^3.2.0, with Amplify's message.
func checkCodegenVersion(v *string) error {
	version := "an unknown version"
	ok := false
	if v != nil {
		version = *v
		parts := strings.SplitN(*v, ".", 3)
		if len(parts) >= 2 {
			major, e1 := strconv.Atoi(parts[0])
			minor, e2 := strconv.Atoi(parts[1])
			ok = e1 == nil && e2 == nil && major == 3 && minor >= 2
		}
	}
	if ok {
		return nil
	}
	return &UserError{Kind: ErrSchema, Msg: "Models were generated with an unsupported version of codegen. Codegen artifacts are from " + version + ", whereas ^3.2.0 is required. Update to the latest CLI and run 'amplify codegen models'."}
}
