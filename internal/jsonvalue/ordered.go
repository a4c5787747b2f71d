package jsonvalue

// Object is a JSON object read by ParseOrdered: its keys in document order (a key given twice
// keeps its first place and its last value, as encoding/json's decoder keeps the last value).
type Object struct {
	Keys   []string
	Values map[string]any
}

// ParseOrdered reads one JSON value like Parse, except that objects read as *Object, so a
// reader that cares about the order of keys (the models of a codegen schema) can keep it.
func ParseOrdered(data []byte) (any, error) {
	return parse(parser{data: data, ordered: true})
}

func (o *Object) set(k string, v any) {
	if _, dup := o.Values[k]; !dup {
		o.Keys = append(o.Keys, k)
	}
	o.Values[k] = v
}
