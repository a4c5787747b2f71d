package store

import (
	"errors"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
)

// JSON of layouts and upgrade steps, as the IndexedDB executor reads and writes them (the
// layout of an open database, the steps of an upgrade), without encoding/json: it is linked
// into the wasm, where the reflection-based codec costs about 100 KB brotli.

// AppendJSON writes the index as {"name","keyPath","unique"}.
func (ix IndexLayout) AppendJSON(dst []byte) []byte {
	o := begin(dst)
	o.value("name", ix.Name)
	o.value("keyPath", ix.KeyPath)
	o.value("unique", ix.Unique)
	return o.end()
}

// AppendJSON writes the step, leaving out what it does not use.
func (s UpgradeStep) AppendJSON(dst []byte) []byte {
	o := begin(dst)
	o.value("op", s.Op)
	o.value("store", s.Store)
	o.str("index", s.Index)
	o.strings("keyPath", s.KeyPath)
	o.flag("unique", s.Unique)
	o.flag("autoIncrement", s.AutoIncrement)
	if len(s.Indexes) > 0 {
		o.key("indexes")
		o.dst = jv.AppendList(o.dst, s.Indexes)
	}
	if s.Value != nil {
		o.key("value")
		o.dst = jv.Append(o.dst, map[string]any(s.Value))
	}
	return o.end()
}

var errLayoutShape = errors.New("store: the database's layout, as the executor read it, has an unexpected shape")

// ParseLayout reads a layout as the executor reports it:
// {"stores":[{"name","keyPath":[...],"indexes":[{"name","keyPath":[...],"unique"}]}]}.
func ParseLayout(text string) (Layout, error) {
	v, err := jv.ParseObject([]byte(text))
	if err != nil {
		return Layout{}, err
	}
	stores, ok := v["stores"].([]any)
	if !ok && v["stores"] != nil {
		return Layout{}, errLayoutShape
	}
	var l Layout
	for _, sv := range stores {
		s, ok := sv.(map[string]any)
		if !ok {
			return Layout{}, errLayoutShape
		}
		sl := StoreLayout{}
		sl.Name, _ = s["name"].(string)
		sl.AutoIncrement, _ = s["autoIncrement"].(bool)
		if sl.KeyPath, ok = stringList(s["keyPath"]); !ok {
			return Layout{}, errLayoutShape
		}
		indexes, _ := s["indexes"].([]any)
		for _, iv := range indexes {
			ix, ok := iv.(map[string]any)
			if !ok {
				return Layout{}, errLayoutShape
			}
			il := IndexLayout{}
			il.Name, _ = ix["name"].(string)
			il.Unique, _ = ix["unique"].(bool)
			if il.KeyPath, ok = stringList(ix["keyPath"]); !ok {
				return Layout{}, errLayoutShape
			}
			sl.Indexes = append(sl.Indexes, il)
		}
		l.Stores = append(l.Stores, sl)
	}
	return l, nil
}

// stringList reads a JSON list of strings; null reads as nil.
func stringList(v any) ([]string, bool) {
	if v == nil {
		return nil, true
	}
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, len(list))
	for i, e := range list {
		if out[i], ok = e.(string); !ok {
			return nil, false
		}
	}
	return out, true
}
