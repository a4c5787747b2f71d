package store

import (
	"math"
	"unicode/utf16"
)

// KeyOf extracts the key at keyPath from a record: the field's value for a
// one-field path, an array of values for a longer one. ok is false when the
// record has no valid key there (IndexedDB then leaves the record out of an
// index, and refuses it as a primary key).
func KeyOf(rec Record, keyPath []string) (key Key, ok bool) {
	if len(keyPath) == 1 {
		v := rec[keyPath[0]]
		return v, ValidKey(v)
	}
	parts := make([]any, len(keyPath))
	for i, f := range keyPath {
		v := rec[f]
		if !ValidKey(v) {
			return nil, false
		}
		parts[i] = v
	}
	return parts, true
}

// ValidKey reports whether v can be an IndexedDB key.
func ValidKey(v any) bool {
	switch k := v.(type) {
	case string:
		return true
	case float64:
		return !math.IsNaN(k)
	case int:
		return true
	case []any:
		for _, e := range k {
			if !ValidKey(e) {
				return false
			}
		}
		return true
	}
	return false
}

// keyKind orders the kinds of key the way IndexedDB does:
// number < string < array.
func keyKind(v any) int {
	switch v.(type) {
	case float64, int:
		return 0
	case string:
		return 1
	case []any:
		return 2
	}
	return -1
}

// CompareKeys orders two valid keys as IndexedDB's indexedDB.cmp does:
// numbers numerically, strings by UTF-16 code units, arrays element by
// element; kinds as keyKind.
func CompareKeys(a, b Key) int {
	ka, kb := keyKind(a), keyKind(b)
	if ka != kb {
		return cmpInt(ka, kb)
	}
	switch x := a.(type) {
	case float64, int:
		fa, fb := toFloat(x), toFloat(b)
		switch {
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
		return 0
	case string:
		return compareUTF16(x, b.(string))
	case []any:
		y := b.([]any)
		for i := 0; i < len(x) && i < len(y); i++ {
			if c := CompareKeys(x[i], y[i]); c != 0 {
				return c
			}
		}
		return cmpInt(len(x), len(y))
	}
	return 0
}

func toFloat(v any) float64 {
	if i, ok := v.(int); ok {
		return float64(i)
	}
	return v.(float64)
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareUTF16 compares strings by UTF-16 code units, as JavaScript does.
// It differs from Go's byte order only when a character above U+FFFF meets
// one in U+E000..U+FFFF, so the common case stays a plain comparison.
func compareUTF16(a, b string) int {
	if isBMPOnly(a) && isBMPOnly(b) {
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	}
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return cmpInt(int(ua[i]), int(ub[i]))
		}
	}
	return cmpInt(len(ua), len(ub))
}

func isBMPOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0xF0 { // a 4-byte UTF-8 sequence: outside the BMP
			return false
		}
	}
	return true
}

// InRange reports whether key falls in r (a nil r holds every key).
func InRange(key Key, r *Range) bool {
	if r == nil {
		return true
	}
	if r.Eq != nil {
		return CompareKeys(key, r.Eq) == 0
	}
	if r.Lower != nil {
		c := CompareKeys(key, r.Lower)
		if c < 0 || (c == 0 && r.LowerOpen) {
			return false
		}
	}
	if r.Upper != nil {
		c := CompareKeys(key, r.Upper)
		if c > 0 || (c == 0 && r.UpperOpen) {
			return false
		}
	}
	return true
}
