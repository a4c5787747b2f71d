package relation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// rawSchema is the introspection form of a schema: what Amplify codegen
// writes to models/schema.js. The SDL reader produces the same form, so both
// sources go through one resolver.
type rawSchema struct {
	Models         ordered[rawModel]    `json:"models"`
	Enums          ordered[rawEnum]     `json:"enums"`
	NonModels      ordered[rawNonModel] `json:"nonModels"`
	Version        string               `json:"version"`
	CodegenVersion *string              `json:"codegenVersion"`
}

type rawModel struct {
	Name       string            `json:"name"`
	PluralName string            `json:"pluralName"`
	Syncable   *bool             `json:"syncable"`
	Attributes []rawAttribute    `json:"attributes"`
	Fields     ordered[rawField] `json:"fields"`
	pos        position
}

type rawEnum struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

type rawNonModel struct {
	Name   string            `json:"name"`
	Fields ordered[rawField] `json:"fields"`
	pos    position
}

type rawAttribute struct {
	Type       string `json:"type"`
	Properties struct {
		Name       string          `json:"name"`
		Fields     []string        `json:"fields"`
		Timestamps json.RawMessage `json:"timestamps"`
	} `json:"properties"`
}

type rawField struct {
	Name            string          `json:"name"`
	Type            rawType         `json:"type"`
	IsArray         bool            `json:"isArray"`
	IsRequired      bool            `json:"isRequired"`
	IsArrayNullable *bool           `json:"isArrayNullable"`
	IsReadOnly      bool            `json:"isReadOnly"`
	Association     *rawAssociation `json:"association"`
	pos             position
}

// rawType is a scalar name, or {enum|nonModel|model: name}.
type rawType struct {
	Kind TypeKind
	Name string
}

func (t *rawType) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*t = rawType{KindScalar, s}
		return nil
	}
	var o struct{ Enum, NonModel, Model string }
	if err := json.Unmarshal(b, &o); err != nil {
		return fmt.Errorf("a field type must be a scalar name or {enum|nonModel|model: name}, got %s", b)
	}
	switch {
	case o.Enum != "":
		*t = rawType{KindEnum, o.Enum}
	case o.NonModel != "":
		*t = rawType{KindNonModel, o.NonModel}
	case o.Model != "":
		*t = rawType{KindModel, o.Model}
	default:
		return fmt.Errorf("a field type must be a scalar name or {enum|nonModel|model: name}, got %s", b)
	}
	return nil
}

type rawAssociation struct {
	ConnectionType string       `json:"connectionType"`
	AssociatedWith stringOrList `json:"associatedWith"`
	TargetName     string       `json:"targetName"`
	TargetNames    []string     `json:"targetNames"`
	// OnDelete is the SDL's onDelete argument (codegen has none).
	OnDelete string `json:"-"`
	pos      position
}

// stringOrList accepts the legacy string form of associatedWith.
type stringOrList []string

func (s *stringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("associatedWith must be a string or a list of strings, got %s", b)
	}
	*s = many
	return nil
}

// position is where a definition stands in SDL text (zero for JSON).
type position struct{ line, col int }

// ordered is a JSON object read with its keys in document order.
type ordered[T any] struct {
	Keys   []string
	Values map[string]*T
}

func (o *ordered[T]) add(key string, v *T) {
	if o.Values == nil {
		o.Values = map[string]*T{}
	}
	if _, dup := o.Values[key]; !dup {
		o.Keys = append(o.Keys, key)
	}
	o.Values[key] = v
}

func (o *ordered[T]) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("expected an object, got %v", tok)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key := tok.(string)
		v := new(T)
		if err := dec.Decode(v); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		o.add(key, v)
	}
	return nil
}

// ParseIntrospection reads the object Amplify codegen writes to
// models/schema.js (given as JSON) and resolves it.
func ParseIntrospection(data []byte) (*Schema, error) {
	if err := checkNesting(string(data), false); err != nil {
		return nil, err
	}
	var raw rawSchema
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, introspectionError(err)
	}
	if err := checkCodegenVersion(raw.CodegenVersion); err != nil {
		return nil, err
	}
	return resolve(&raw)
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
