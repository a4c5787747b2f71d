package relation

import (
	"bytes"
	"encoding/json"
	"sort"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
)

// MarshalRecord writes a record as JSON with the model's fields first, in
// schema order, then any other keys sorted: instances built from it list
// their fields as the schema declares them, not alphabetically.
func (m *Model) MarshalRecord(rec Record) ([]byte, error) {
	if rec == nil {
		return []byte("null"), nil
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	first := true
	write := func(k string, v any) error {
		if !first {
			buf.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		vb, err := json.Marshal(v)
		if err != nil {
			return err
		}
		buf.Write(vb)
		return nil
	}
	for _, f := range m.Fields {
		if v, ok := rec[f.Name]; ok {
			if err := write(f.Name, v); err != nil {
				return nil, err
			}
		}
	}
	for _, k := range m.extraKeys(rec) {
		if err := write(k, rec[k]); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// Ordered pairs a record with its model so that it is written with its
// fields in schema order, by encoding/json or by jsonvalue.
type Ordered struct {
	Model  *Model
	Record Record
}

// MarshalJSON implements json.Marshaler.
func (o Ordered) MarshalJSON() ([]byte, error) { return o.Model.MarshalRecord(o.Record) }

// AppendJSON writes the record as MarshalRecord does, without reflection.
func (o Ordered) AppendJSON(dst []byte) []byte {
	if o.Record == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '{')
	first := true
	field := func(k string, v any) {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = jv.AppendString(dst, k)
		dst = append(dst, ':')
		dst = jv.Append(dst, v)
	}
	for _, f := range o.Model.Fields {
		if v, ok := o.Record[f.Name]; ok {
			field(f.Name, v)
		}
	}
	for _, k := range o.Model.extraKeys(o.Record) {
		field(k, o.Record[k])
	}
	return append(dst, '}')
}

// extraKeys lists, sorted, the keys of rec that are not fields of m.
func (m *Model) extraKeys(rec Record) []string {
	var extra []string
	for k := range rec {
		if m.Field(k) == nil {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	return extra
}

// OrderedList is records of one model, for encoding in schema order.
type OrderedList []Ordered

// OrderedAll pairs records of one model for encoding.
func OrderedAll(m *Model, recs []Record) OrderedList {
	out := make(OrderedList, len(recs))
	for i, r := range recs {
		out[i] = Ordered{m, r}
	}
	return out
}

// AppendJSON writes the records as a JSON array.
func (l OrderedList) AppendJSON(dst []byte) []byte {
	dst = append(dst, '[')
	for i, o := range l {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = o.AppendJSON(dst)
	}
	return append(dst, ']')
}

// MarshalJSON writes a change with its record in schema order.
func (c Change) MarshalJSON() ([]byte, error) {
	rec, err := json.Marshal(c.Record)
	if err != nil {
		return nil, err
	}
	if c.model != nil {
		if rec, err = c.model.MarshalRecord(c.Record); err != nil {
			return nil, err
		}
	}
	cond, err := json.Marshal(c.Condition)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteString(`{"model":`)
	mb, _ := json.Marshal(c.Model)
	buf.Write(mb)
	buf.WriteString(`,"opType":"` + string(c.OpType) + `","element":`)
	buf.Write(rec)
	buf.WriteString(`,"condition":`)
	buf.Write(cond)
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
