package store

// Fields are values set on a record by name, in order: a save's managed
// fields (its sequence and timestamps), the kept fields of an update, the
// nulled keys of a set-null policy. A few of them: a slice, not a map, so
// that planning a save hashes nothing (in wasm, a map of three fields
// made and filled cost about as much as the rest of the plan).
type Fields []Field

// Field is one field's value.
type Field struct {
	Name  string
	Value any
}

// Get is the value of field name, and whether it is set.
func (fs Fields) Get(name string) (any, bool) {
	for _, f := range fs {
		if f.Name == name {
			return f.Value, true
		}
	}
	return nil, false
}

// With is fs with name set to v: replaced where it is, else appended.
// fs itself is left as it was.
func (fs Fields) With(name string, v any) Fields {
	for i, f := range fs {
		if f.Name == name {
			out := append(Fields(nil), fs...)
			out[i].Value = v
			return out
		}
	}
	return append(fs[:len(fs):len(fs)], Field{Name: name, Value: v})
}

// setOn sets every field of fs on rec.
func (fs Fields) setOn(rec Record) {
	for _, f := range fs {
		rec[f.Name] = f.Value
	}
}
