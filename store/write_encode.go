package store

import (
	"strconv"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
)

// JSON of the steps sent to the IndexedDB executor (see write.go).

// AppendJSON writes the reference as {"$w": n} or {"$r": n, "at": j},
// with "omit".
func (r RecordRef) AppendJSON(dst []byte) []byte {
	o := begin(dst)
	if r.Write >= 0 {
		o.number("$w", r.Write)
	} else {
		o.number("$r", r.Read)
		o.number("at", r.At)
	}
	o.strings("omit", r.Omit)
	return o.end()
}

// AppendJSON writes the value as JSON: {"input": i} | {"read": n, "at":
// j} | {"record": {...}}, with "set".
func (v *Value) AppendJSON(dst []byte) []byte {
	o := begin(dst)
	switch {
	case v.Input >= 0:
		o.number("input", v.Input)
	case v.Read >= 0:
		o.number("read", v.Read)
		o.number("at", v.At)
	default:
		o.value("record", v.Record)
	}
	if len(v.Set) > 0 {
		o.key("set")
		o.dst = appendSorted(o.dst, v.Set)
	}
	return o.end()
}

// appendSorted writes m as a JSON object with its keys in order: the
// executor spreads a value's set over the caller's record, so every
// record of a model gets its fields in one order, and so one shape in
// JavaScript (map order would give each record one of six).
func appendSorted(dst []byte, m map[string]any) []byte {
	var buf [8]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ { // a few keys: insertion sort
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jv.AppendString(dst, k)
		dst = append(dst, ':')
		dst = jv.Append(dst, m[k])
	}
	return append(dst, '}')
}

// AppendJSON writes the request as JSON.
func (r Request) AppendJSON(dst []byte) []byte {
	o := begin(dst)
	o.str("op", r.Op)
	o.str("store", r.Store)
	if r.Key != nil {
		o.value("key", r.Key)
	}
	if r.At != nil {
		o.number("read", r.Read)
		o.key("at")
		o.dst = appendInts(o.dst, r.At)
	}
	if r.Query != nil {
		o.key("query")
		o.dst = r.Query.AppendJSON(o.dst)
	}
	o.strings("see", r.See)
	o.flag("seeAll", r.SeeAll)
	o.flag("expect", r.Expect)
	if r.Value != nil {
		o.key("value")
		o.dst = r.Value.AppendJSON(o.dst)
	}
	o.flag("report", r.Report)
	return o.end()
}

// AppendJSON writes the step as JSON.
func (s Step) AppendJSON(dst []byte) []byte {
	o := begin(dst)
	o.strings("scope", s.Scope)
	o.key("requests")
	o.dst = jv.AppendList(o.dst, s.Requests)
	o.flag("then", s.Then)
	o.flag("commit", s.Commit)
	o.flag("readOnly", s.ReadOnly)
	o.flag("solo", s.Solo)
	if s.Outcome != nil {
		o.key("outcome")
		o.dst = append(o.dst, s.Outcome...)
	}
	return o.end()
}

// failureName is the JavaScript name of a write's failure, as the
// executor rejects with it and wrapJSError reads it back.
func failureName(err *Error) string {
	switch err.Err {
	case ErrRequirement:
		return "IntegrityError"
	case ErrConditionFailed:
		return "ConditionError"
	case ErrRestricted:
		return "RestrictError"
	case ErrInvalidKey:
		return "DataError"
	}
	return "Error"
}

// appendInts writes a list of ints as a JSON array.
func appendInts(dst []byte, list []int) []byte {
	dst = append(dst, '[')
	for i, n := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, int64(n), 10)
	}
	return append(dst, ']')
}
