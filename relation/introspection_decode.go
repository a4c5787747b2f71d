package relation

import (
	"errors"
	"strconv"

	"github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
)

// decodeIntrospection reads the parsed introspection object into its raw form. It reads JSON the
// way encoding/json would into the raw structs (unknown keys ignored, null as the zero value, a
// value of the wrong kind an error) without linking encoding/json into the wasm. Each error
// names the path of the bad value, as in `models.Post.fields.title.type`.
func decodeIntrospection(v any) (*rawSchema, error) {
	top, err := asJSONObject(v, "the schema")
	if err != nil {
		return nil, err
	}
	raw := &rawSchema{}
	if err := decodeEach(top, "models", func(name, path string, v *jsonvalue.Object) error {
		m, err := decodeModel(v, path)
		raw.Models.add(name, m)
		return err
	}); err != nil {
		return nil, err
	}
	if err := decodeEach(top, "enums", func(name, path string, v *jsonvalue.Object) error {
		e := &rawEnum{}
		var err error
		if e.Name, err = asString(v.Values["name"], path+".name"); err != nil {
			return err
		}
		e.Values, err = asStrings(v.Values["values"], path+".values")
		raw.Enums.add(name, e)
		return err
	}); err != nil {
		return nil, err
	}
	if err := decodeEach(top, "nonModels", func(name, path string, v *jsonvalue.Object) error {
		n := &rawNonModel{}
		var err error
		if n.Name, err = asString(v.Values["name"], path+".name"); err != nil {
			return err
		}
		n.Fields, err = decodeFields(v.Values["fields"], path+".fields")
		raw.NonModels.add(name, n)
		return err
	}); err != nil {
		return nil, err
	}
	if raw.Version, err = asString(top.Values["version"], "version"); err != nil {
		return nil, err
	}
	if cv, ok := top.Values["codegenVersion"]; ok && cv != nil {
		s, err := asString(cv, "codegenVersion")
		if err != nil {
			return nil, err
		}
		raw.CodegenVersion = &s
	}
	return raw, nil
}

// decodeEach calls fn for each entry of the object top[key], in document order; a missing or
// null object has none.
func decodeEach(top *jsonvalue.Object, key string, fn func(name, path string, v *jsonvalue.Object) error) error {
	o, err := asJSONObject(top.Values[key], key)
	if err != nil || o == nil {
		return err
	}
	for _, name := range o.Keys {
		path := key + "." + name
		entry, err := asJSONObject(o.Values[name], path)
		if err != nil {
			return err
		}
		if entry == nil {
			entry = &jsonvalue.Object{Values: map[string]any{}}
		}
		if err := fn(name, path, entry); err != nil {
			return err
		}
	}
	return nil
}

func decodeModel(o *jsonvalue.Object, path string) (*rawModel, error) {
	m := &rawModel{}
	var err error
	if m.Name, err = asString(o.Values["name"], path+".name"); err != nil {
		return nil, err
	}
	if m.PluralName, err = asString(o.Values["pluralName"], path+".pluralName"); err != nil {
		return nil, err
	}
	if m.Syncable, err = asBoolPtr(o.Values["syncable"], path+".syncable"); err != nil {
		return nil, err
	}
	attrs, err := asList(o.Values["attributes"], path+".attributes")
	if err != nil {
		return nil, err
	}
	for i, a := range attrs {
		attr, err := decodeAttribute(a, path+".attributes["+strconv.Itoa(i)+"]")
		if err != nil {
			return nil, err
		}
		m.Attributes = append(m.Attributes, attr)
	}
	m.Fields, err = decodeFields(o.Values["fields"], path+".fields")
	return m, err
}

func decodeAttribute(v any, path string) (rawAttribute, error) {
	var a rawAttribute
	o, err := asJSONObject(v, path)
	if err != nil || o == nil {
		return a, err
	}
	if a.Type, err = asString(o.Values["type"], path+".type"); err != nil {
		return a, err
	}
	props, err := asJSONObject(o.Values["properties"], path+".properties")
	if err != nil || props == nil {
		return a, err
	}
	if a.Properties.Name, err = asString(props.Values["name"], path+".properties.name"); err != nil {
		return a, err
	}
	if a.Properties.Fields, err = asStrings(props.Values["fields"], path+".properties.fields"); err != nil {
		return a, err
	}
	if ts, ok := props.Values["timestamps"]; ok {
		a.Properties.Timestamps = rawTimestamps{Set: true, Value: plain(ts)}
	}
	return a, nil
}

func decodeFields(v any, path string) (ordered[rawField], error) {
	var fields ordered[rawField]
	o, err := asJSONObject(v, path)
	if err != nil || o == nil {
		return fields, err
	}
	for _, name := range o.Keys {
		f, err := decodeField(o.Values[name], path+"."+name)
		if err != nil {
			return fields, err
		}
		fields.add(name, f)
	}
	return fields, nil
}

func decodeField(v any, path string) (*rawField, error) {
	f := &rawField{}
	o, err := asJSONObject(v, path)
	if err != nil || o == nil {
		return f, err
	}
	if f.Name, err = asString(o.Values["name"], path+".name"); err != nil {
		return nil, err
	}
	if f.Type, err = decodeType(o.Values["type"], path+".type"); err != nil {
		return nil, err
	}
	for key, dst := range map[string]*bool{"isArray": &f.IsArray, "isRequired": &f.IsRequired, "isReadOnly": &f.IsReadOnly} {
		b, err := asBoolPtr(o.Values[key], path+"."+key)
		if err != nil {
			return nil, err
		}
		*dst = b != nil && *b
	}
	if f.IsArrayNullable, err = asBoolPtr(o.Values["isArrayNullable"], path+".isArrayNullable"); err != nil {
		return nil, err
	}
	if f.Association, err = decodeAssociation(o.Values["association"], path+".association"); err != nil {
		return nil, err
	}
	return f, nil
}

// decodeType reads a scalar name, or {enum|nonModel|model: name}.
func decodeType(v any, path string) (rawType, error) {
	if s, ok := v.(string); ok {
		return rawType{KindScalar, s}, nil
	}
	bad := errors.New(path + ": a field type must be a scalar name or {enum|nonModel|model: name}, got " + describeJSON(v))
	o, ok := v.(*jsonvalue.Object)
	if !ok {
		return rawType{}, bad
	}
	for _, kind := range []struct {
		key  string
		kind TypeKind
	}{{"enum", KindEnum}, {"nonModel", KindNonModel}, {"model", KindModel}} {
		if name, _ := o.Values[kind.key].(string); name != "" {
			return rawType{kind.kind, name}, nil
		}
	}
	return rawType{}, bad
}

func decodeAssociation(v any, path string) (*rawAssociation, error) {
	o, err := asJSONObject(v, path)
	if err != nil || o == nil {
		return nil, err
	}
	a := &rawAssociation{}
	if a.ConnectionType, err = asString(o.Values["connectionType"], path+".connectionType"); err != nil {
		return nil, err
	}
	if s, ok := o.Values["associatedWith"].(string); ok {
		a.AssociatedWith = []string{s}
	} else if a.AssociatedWith, err = asStrings(o.Values["associatedWith"], path+".associatedWith"); err != nil {
		return nil, errors.New(path + ".associatedWith must be a string or a list of strings, got " + describeJSON(o.Values["associatedWith"]))
	}
	if a.TargetName, err = asString(o.Values["targetName"], path+".targetName"); err != nil {
		return nil, err
	}
	if a.TargetNames, err = asStrings(o.Values["targetNames"], path+".targetNames"); err != nil {
		return nil, err
	}
	return a, nil
}

//go:noinline
func asJSONObject(v any, path string) (*jsonvalue.Object, error) {
	switch o := v.(type) {
	case nil:
		return nil, nil
	case *jsonvalue.Object:
		return o, nil
	}
	return nil, wrongKind(path, "an object", v)
}

//go:noinline
func asList(v any, path string) ([]any, error) {
	switch l := v.(type) {
	case nil:
		return nil, nil
	case []any:
		return l, nil
	}
	return nil, wrongKind(path, "a list", v)
}

//go:noinline
func asString(v any, path string) (string, error) {
	switch s := v.(type) {
	case nil:
		return "", nil
	case string:
		return s, nil
	}
	return "", wrongKind(path, "a string", v)
}

func asStrings(v any, path string) ([]string, error) {
	list, err := asList(v, path)
	if err != nil || list == nil {
		return nil, err
	}
	out := make([]string, len(list))
	for i, e := range list {
		if out[i], err = asString(e, path+"["+strconv.Itoa(i)+"]"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

//go:noinline
func asBoolPtr(v any, path string) (*bool, error) {
	switch b := v.(type) {
	case nil:
		return nil, nil
	case bool:
		return &b, nil
	}
	return nil, wrongKind(path, "true or false", v)
}

//go:noinline
func wrongKind(path, want string, got any) error {
	return errors.New(path + " must be " + want + ", got " + describeJSON(got))
}

// describeJSON shows a bad value in an error, cut short.
func describeJSON(v any) string {
	b := jsonvalue.Append(nil, plain(v))
	if len(b) > 80 {
		return string(b[:77]) + "..."
	}
	return string(b)
}

// plain turns the ordered objects of ParseOrdered back into maps, where order does not matter.
func plain(v any) any {
	switch x := v.(type) {
	case *jsonvalue.Object:
		m := make(map[string]any, len(x.Values))
		for k, e := range x.Values {
			m[k] = plain(e)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	}
	return v
}
