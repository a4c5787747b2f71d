package store

import (
	"math"
	"strconv"
	"strings"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
)

// Values in records are JSON-decoded: string, float64, bool, nil, []any,
// map[string]any. The helpers here give them JavaScript's view, because the
// messages and comparisons users see are JavaScript's.

// JSTypeof is JavaScript's typeof for a JSON value.
func JSTypeof(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64, int:
		return "number"
	case bool:
		return "boolean"
	}
	return "object"
}

// JSString is JavaScript's String(v).
func JSString(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return jsNumber(x)
	case int:
		return strconv.Itoa(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			if e != nil {
				parts[i] = JSString(e)
			}
		}
		return strings.Join(parts, ",")
	}
	return "[object Object]"
}

func jsNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == math.Trunc(f) && math.Abs(f) < 1e21:
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// JSONText is JSON text for a JSON value, with the keys of objects sorted, so equal values give
// equal text (callers use it as an identity key and in messages). A value JSON cannot hold
// (NaN, an infinity) gives JSString(v) instead, as a failed JSON.stringify would.
func JSONText(v any) string {
	b, ok := jv.AppendCanonical(nil, v)
	if !ok {
		return JSString(v)
	}
	return string(b)
}

// DeepEqual compares two JSON values.
func DeepEqual(a, b any) bool {
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !DeepEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, present := y[k]
			if !present || !DeepEqual(v, w) {
				return false
			}
		}
		return true
	}
	return a == b
}

// StrictEqual is a === b in JavaScript, for JSON values.
func StrictEqual(a, b any) bool {
	switch x := a.(type) {
	case []any, map[string]any:
		return false // distinct objects are never === after a round trip
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	}
	return a == b
}

func jsIncludes(list []any, v any) bool {
	for _, e := range list {
		if StrictEqual(e, v) || (e == nil && v == nil) {
			return true
		}
	}
	return false
}

// jsContains is v.indexOf(x) > -1: substring for strings, membership for
// lists; false for anything else.
func jsContains(v, x any) bool {
	switch s := v.(type) {
	case string:
		sub, ok := x.(string)
		if !ok {
			sub = JSString(x)
		}
		return strings.Contains(s, sub)
	case []any:
		for _, e := range s {
			if StrictEqual(e, x) {
				return true
			}
		}
	}
	return false
}

// jsToNumber is JavaScript's ToNumber for a JSON value.
func jsToNumber(v any) float64 {
	switch x := v.(type) {
	case nil:
		return 0
	case bool:
		if x {
			return 1
		}
		return 0
	case float64:
		return x
	case string:
		t := strings.TrimSpace(x)
		if t == "" {
			return 0
		}
		f, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return math.NaN()
		}
		return f
	}
	return math.NaN()
}

// JSLess is a < b in JavaScript: strings by UTF-16 code units when both are
// strings, numbers otherwise (NaN compares false).
func JSLess(a, b any) bool {
	sa, okA := a.(string)
	sb, okB := b.(string)
	if okA && okB {
		return CompareKeys(sa, sb) < 0
	}
	return jsToNumber(a) < jsToNumber(b)
}

func jsLessOrEqual(a, b any) bool {
	sa, okA := a.(string)
	sb, okB := b.(string)
	if okA && okB {
		return CompareKeys(sa, sb) <= 0
	}
	return jsToNumber(a) <= jsToNumber(b)
}
