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
		o.dst = v.Set.appendJSON(o.dst)
	}
	o.strings("step", v.Step)
	return o.end()
}

// appendJSON writes fs as a JSON object, in their order: the executor
// sets a value's fields over the caller's record, so the fields a plan
// sets in one order (a model's saves do) give every record of the model
// one shape in JavaScript.
func (fs Fields) appendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	for i, f := range fs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jv.AppendString(dst, f.Name)
		dst = append(dst, ':')
		dst = jv.Append(dst, f.Value)
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
	o.str("seeKey", r.SeeKey)
	o.flag("expect", r.Expect)
	if r.Value != nil {
		o.key("value")
		o.dst = r.Value.AppendJSON(o.dst)
	}
	o.flag("report", r.Report)
	o.int("run", r.Run)
	return o.end()
}

// AppendJSON writes the step as JSON.
func (s Step) AppendJSON(dst []byte) []byte {
	o := begin(dst)
	o.strings("scope", s.Scope)
	o.key("requests")
	o.dst = appendRequests(o.dst, s.Requests)
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
