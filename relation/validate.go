package relation

import (
	"errors"
	"strings"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
	"github.com/datastore-wasm/datastore-wasm/store"
)

// Record is a model instance's stored fields, JSON-decoded.
type Record = map[string]any

//go:noinline
func invalid(format string, args ...any) error {
	return userErr(ErrValidation, format, args...)
}

// cast applies Amplify's casting before validation: a string given for a
// list, AWSJSON, non-model or model field is parsed as JSON when it parses;
// a number given for a Boolean becomes a boolean.
func cast(f *Field, v any) any {
	if s, ok := v.(string); ok && (f.IsArray || f.Type == "AWSJSON" || f.Kind == KindNonModel || f.Kind == KindModel) {
		parsed, err := jv.Parse([]byte(s))
		if errors.Is(err, jv.ErrTooDeep) {
			return tooDeep(s)
		}
		if err == nil {
			return parsed
		}
		return v
	}
	if n, ok := v.(float64); ok && f.Type == "Boolean" && !f.IsArray {
		return n != 0
	}
	return v
}

// tooDeep is a JSON string cast found nested past MaxValueDepth.
type tooDeep string

// shown is String(v) for a message, cut to a few hundred characters.
func shown(v any) string { return clip(store.JSString(v)) }

// validateValue checks one field's value with the messages of SPEC 2.4.
// exempt skips the required check (managed timestamps).
func (s *Schema) validateValue(f *Field, v any, exempt bool) error {
	if _, deep := v.(tooDeep); deep {
		return invalid("Field %s holds JSON nested more than %d levels deep; datastore-wasm stores values nested up to %d levels", f.Name, MaxValueDepth, MaxValueDepth)
	}
	required := (!f.IsArray && f.IsRequired) || (f.IsArray && !f.IsArrayNullable)
	if v == nil {
		if required && !exempt {
			return invalid("Field %s is required", f.Name)
		}
		return nil
	}
	if f.IsArray {
		return s.validateList(f, v)
	}
	switch f.Kind {
	case KindEnum:
		return nil // Amplify does not check enum values (SPEC 2.4)
	case KindNonModel:
		obj, ok := v.(map[string]any)
		if !ok {
			return invalid("Field %s should be of type %s, %s recieved. %s", f.Name, f.Type, store.JSTypeof(v), shown(v))
		}
		return s.validateNonModel(s.nonModels[f.Type], obj)
	case KindModel:
		return nil
	}
	if f.Type == "AWSJSON" {
		if str, ok := v.(string); ok {
			return invalid("Field %s is an invalid JSON object. %s", f.Name, clip(str))
		}
		if store.JSTypeof(v) != "object" {
			return invalid("Field %s should be of type object, %s received. %s", f.Name, store.JSTypeof(v), shown(v))
		}
		return nil
	}
	want := jsTypeOfScalar(f.Type)
	if got := store.JSTypeof(v); got != want {
		return invalid("Field %s should be of type %s, %s received. %s", f.Name, want, got, shown(v))
	}
	if !validFormat(f.Type, v) {
		return invalid("Field %s should be of type %s, validation failed. %s", f.Name, f.Type, shown(v))
	}
	return nil
}

func (s *Schema) validateList(f *Field, v any) error {
	list, ok := v.([]any)
	want := jsTypeOfScalar(f.Type)
	if f.Kind == KindNonModel {
		want = f.Type
	} else if f.Kind == KindEnum {
		want = "string"
	} else if f.Type == "AWSJSON" {
		want = "object"
	}
	if !ok {
		return invalid("Field %s should be of type [%s], %s received. %s", f.Name, want, store.JSTypeof(v), shown(v))
	}
	if f.Kind == KindNonModel {
		for _, e := range list {
			obj, isObj := e.(map[string]any)
			if e == nil && !f.IsRequired {
				continue
			}
			if !isObj {
				return invalid("All elements in the %s array should be of type %s, [%s] received. %s", f.Name, f.Type, store.JSTypeof(e), shown(v))
			}
			if err := s.validateNonModel(s.nonModels[f.Type], obj); err != nil {
				return err
			}
		}
		return nil
	}
	if f.Kind == KindEnum {
		return nil
	}
	typeofs := make([]string, len(list))
	bad := false
	for i, e := range list {
		typeofs[i] = store.JSTypeof(e)
		if e == nil {
			typeofs[i] = "null"
			if f.IsRequired {
				bad = true
			}
			continue
		}
		if store.JSTypeof(e) != want {
			bad = true
		}
	}
	if bad {
		text := want
		if !f.IsRequired {
			text += " | null | undefined"
		}
		return invalid("All elements in the %s array should be of type %s, [%s] received. %s", f.Name, text, strings.Join(typeofs, ","), shown(v))
	}
	for _, e := range list {
		if e != nil && !validFormat(f.Type, e) {
			return invalid("All elements in the %s array should be of type %s, validation failed for one or more elements. %s", f.Name, f.Type, shown(v))
		}
	}
	return nil
}

// validateNonModel checks an embedded value field by field, omitted
// required fields included.
func (s *Schema) validateNonModel(nm *NonModel, obj map[string]any) error {
	for _, f := range nm.Fields {
		if err := s.validateValue(f, cast(f, obj[f.Name]), false); err != nil {
			return err
		}
	}
	return nil
}

// isTimestamp reports whether f is one of m's managed timestamps.
func (m *Model) isTimestamp(name string) bool {
	return name != "" && (name == m.CreatedAt || name == m.UpdatedAt)
}

// CopyOf makes the record that copyOf(source, mutator) yields, given the
// draft after the mutator ran (SPEC 2.3): primary key fields keep the
// source's values, every field is validated, and read-only fields may not
// change.
func (s *Schema) CopyOf(m *Model, source, draft Record) (Record, error) {
	rec := Record{}
	for k, v := range source {
		rec[k] = v
	}
	changed := Record{}
	for k, v := range draft {
		if f := m.Field(k); f != nil && f.Relation == nil && store.DeepEqual(v, source[k]) {
			continue
		}
		changed[k] = v
	}
	if _, err := s.apply(m, rec, changed, source, false); err != nil {
		return nil, err
	}
	for _, k := range m.PrimaryKey {
		rec[k] = source[k]
	}
	s.normalize(m, rec)
	for _, f := range m.Fields {
		if f.Relation != nil {
			continue
		}
		if err := s.validateValue(f, rec[f.Name], m.isTimestamp(f.Name)); err != nil {
			return nil, err
		}
	}
	return rec, nil
}

// apply copies given values into rec: casting, validating, refusing
// read-only fields, and turning relation values into foreign keys. Relation
// values come last, so that assigning one (null included) decides its key
// fields when the key fields are given as well (SPEC 2.5). inPlace says
// rec is given itself (ConstructOwned): values are cast where they are,
// and what rec must not hold (read-only and relation fields) is deleted.
// kept reports whether rec holds every given value as it was given and
// nothing else of apply's: no key outside the schema, none skipped, cast
// or set from a relation value.
func (s *Schema) apply(m *Model, rec, given, source Record, inPlace bool) (kept bool, err error) {
	kept = true
	relations := false
	for k, v := range given {
		f := m.Field(k)
		if f == nil {
			if !inPlace {
				rec[k] = v // keys outside the schema are kept as they are (SPEC 2.1)
			}
			kept = false
			continue
		}
		if f.ReadOnly {
			if v != nil && v != false && v != "" && v != 0.0 {
				if source == nil || !store.DeepEqual(v, source[k]) {
					return false, invalid("%s is read-only.", k)
				}
			}
			if inPlace {
				delete(rec, k)
			}
			kept = false
			continue
		}
		if f.Relation != nil {
			relations, kept = true, false
			continue
		}
		cv := cast(f, v)
		if err := s.validateValue(f, cv, m.isTimestamp(f.Name)); err != nil {
			return false, err
		}
		// v is scalar: cv, whatever it is, compares with it.
		same := jv.Scalar(v) && cv == v
		if !inPlace || !same {
			rec[k] = cv
		}
		kept = kept && same
	}
	for _, r := range m.Relations {
		v, ok := given[r.Field]
		// A has-many value is ignored (SPEC 2.5), and so is a has-one whose
		// key is on the target: Amplify would copy the target's foreign
		// key into this record's primary key (a quirk; docs/compat.md).
		if !ok || r.Kind == HasMany || !r.sourceHoldsKey() {
			continue
		}
		obj, _ := cast(m.Field(r.Field), v).(map[string]any)
		for i, lf := range r.LocalFields {
			if obj == nil {
				rec[lf] = nil
			} else {
				rec[lf] = obj[r.RemoteFields[i]]
			}
		}
	}
	if inPlace && relations {
		for _, r := range m.Relations {
			delete(rec, r.Field)
		}
	}
	for _, k := range m.PrimaryKey {
		if rec[k] == "" && m.IDKind != IDManaged {
			return false, invalid("An index field cannot contain an empty string value")
		}
	}
	return kept, nil
}

// normalize sets every non-relation field the record lacks to null.
func (s *Schema) normalize(m *Model, rec Record) {
	for _, f := range m.Fields {
		if f.Relation != nil {
			continue
		}
		if _, ok := rec[f.Name]; !ok {
			rec[f.Name] = nil
		}
	}
}

// ValidateForSave re-validates a whole record before it is written (SPEC
// 3.1): required fields left out at construction fail now.
func (s *Schema) ValidateForSave(m *Model, rec Record) error {
	for _, f := range m.Fields {
		if f.Relation != nil {
			continue
		}
		if err := s.validateValue(f, cast(f, rec[f.Name]), m.isTimestamp(f.Name)); err != nil {
			return err
		}
	}
	for _, k := range m.PrimaryKey {
		if rec[k] == nil || rec[k] == "" {
			return userErr(ErrValidation, "%s.%s is part of the primary key and must be set", m.Name, k)
		}
	}
	return nil
}

// KeyOf returns the primary key of rec in store form: the value for a
// one-field key, the list of values for a composite one.
func (m *Model) KeyOf(rec Record) any {
	if len(m.PrimaryKey) == 1 {
		return rec[m.PrimaryKey[0]]
	}
	k := make([]any, len(m.PrimaryKey))
	for i, f := range m.PrimaryKey {
		k[i] = rec[f]
	}
	return k
}

// describeKey renders a key for messages.
func (m *Model) describeKey(rec Record) string {
	parts := make([]string, len(m.PrimaryKey))
	for i, f := range m.PrimaryKey {
		parts[i] = f + "=" + clip(store.JSONText(rec[f]))
	}
	return strings.Join(parts, ", ")
}

// CheckNonModel validates the values given to a non-model type's
// constructor, as a model's constructor validates its own (SPEC 2.6): each
// given field is cast and checked, a null for a required field fails. The
// result holds the fields given, no others (SPEC 2.6: a stored non-model
// value is what was given).
func (s *Schema) CheckNonModel(name string, given Record) (Record, error) {
	nm := s.NonModel(name)
	if nm == nil {
		return nil, userErr(ErrUsage, "the schema has no non-model type %s", name)
	}
	out := Record{}
	for k, v := range given {
		f := nm.Field(k)
		if f == nil {
			out[k] = v
			continue
		}
		v = cast(f, v)
		if err := s.validateValue(f, v, false); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}
