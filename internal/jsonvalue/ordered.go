package jsonvalue

import (
	"math"
	"slices"
)

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

// AppendCanonical writes v as JSON with the keys of every object sorted, so equal values give
// equal text (for identity keys and comparisons). It reports false, with what it wrote so far,
// when v holds a number JSON has no text for (NaN, an infinity), which Append writes as null.
func AppendCanonical(dst []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return dst, false
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendString(dst, k)
			dst = append(dst, ':')
			var ok bool
			if dst, ok = AppendCanonical(dst, x[k]); !ok {
				return dst, false
			}
		}
		return append(dst, '}'), true
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			var ok bool
			if dst, ok = AppendCanonical(dst, e); !ok {
				return dst, false
			}
		}
		return append(dst, ']'), true
	}
	return Append(dst, v), true
}
