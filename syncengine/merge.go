package syncengine

import (
	"fmt"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"

	"github.com/datastore-wasm/datastore-wasm/relation"
)

// Action is what a merge does to the local store.
type Action int

const (
	// Skip leaves the local record as it is.
	Skip Action = iota
	// Put writes Decision.Record.
	Put
	// Delete removes the local record with Decision.Record's key.
	Delete
)

func (a Action) String() string { return [...]string{"skip", "put", "delete"}[a] }

// Decision is the outcome of Decide.
type Decision struct {
	Action Action
	// Record is the incoming record in local form (relation objects
	// removed, metadata kept).
	Record Record
	// Count is the modelSynced counter it adds to: "new", "updated",
	// "deleted", or "" for none.
	Count string
	// Err is set for a record that fails validation: Action is Skip and
	// nothing local changes.
	Err error
}

// Decide is the merge rule for one record from the server (a sync page, a
// subscription event or a mutation's response), shared by every store:
//   - the record is checked against the schema first; a bad one is
//     skipped with Err set;
//   - a record with pending outbox entries is left alone (Amplify's
//     merger: local changes not yet sent win until they are sent);
//   - a tombstone (_deleted: true) deletes the local record;
//   - otherwise the record is put (new, or updated), unless the local one
//     already has the same _version, _lastChangedAt and no pending change:
//     then it is the same record and nothing is written.
//
// local is the stored record with that key, or nil.
func Decide(s *relation.Schema, m *relation.Model, remote, local Record, pending bool) Decision {
	rec, err := LocalForm(s, m, remote)
	if err != nil {
		return Decision{Action: Skip, Err: err}
	}
	if pending {
		return Decision{Action: Skip, Record: rec}
	}
	if rec["_deleted"] == true {
		if local == nil {
			return Decision{Action: Skip, Record: rec}
		}
		return Decision{Action: Delete, Record: rec, Count: "deleted"}
	}
	if local == nil {
		return Decision{Action: Put, Record: rec, Count: "new"}
	}
	if jsonEqual(local["_version"], rec["_version"]) && jsonEqual(local["_lastChangedAt"], rec["_lastChangedAt"]) {
		return Decision{Action: Skip, Record: rec}
	}
	return Decision{Action: Put, Record: rec, Count: "updated"}
}

// LocalForm checks a record from the server against model m and returns
// it as the local store holds it: relation fields (the belongs-to object
// `post { id _deleted }`) removed, the model's fields and _version,
// _lastChangedAt, _deleted kept. It fails, naming the model and field, on
// a missing key, a missing or non-numeric _version or _lastChangedAt, a
// field the model does not have, or (for a record that is not a tombstone)
// any value the schema refuses.
func LocalForm(s *relation.Schema, m *relation.Model, remote Record) (Record, error) {
	if remote == nil {
		return nil, fmt.Errorf("%s: the server sent null instead of a record", m.Name)
	}
	rec := make(Record, len(remote))
	for k, v := range remote {
		if isMetadata(k) {
			rec[k] = v
			continue
		}
		f := m.Field(k)
		if f == nil {
			return nil, fmt.Errorf("%s record from the server has a field %s the schema does not have", m.Name, k)
		}
		if f.Relation != nil {
			continue
		}
		if text, isString := v.(string); isString && f.Type == "AWSJSON" {
			// AWSJSON travels as a JSON string; the local record holds
			// the value it encodes, as a local save does.
			parsed, err := jv.ParseText(text)
			if err != nil {
				return nil, fmt.Errorf("%s record %s from the server has %s = %q, which is not JSON", m.Name, ModelID(m, remote), k, clip(text))
			}
			v = parsed
		}
		rec[k] = v
	}
	for _, k := range m.PrimaryKey {
		switch v := rec[k].(type) {
		case string:
			if v != "" {
				continue
			}
		case float64:
			continue
		}
		return nil, fmt.Errorf("%s record from the server has no key field %s", m.Name, k)
	}
	for _, k := range []string{"_version", "_lastChangedAt"} {
		if _, ok := rec[k].(float64); !ok {
			return nil, fmt.Errorf("%s record %s from the server has %s = %v; it must be a number", m.Name, ModelID(m, rec), k, rec[k])
		}
	}
	switch rec["_deleted"].(type) {
	case nil, bool:
	default:
		return nil, fmt.Errorf("%s record %s from the server has _deleted = %v; it must be a boolean or null", m.Name, ModelID(m, rec), rec["_deleted"])
	}
	if rec["_deleted"] == true {
		return rec, nil
	}
	if err := s.ValidateForSave(m, rec); err != nil {
		return nil, fmt.Errorf("%s record %s from the server is invalid: %w", m.Name, ModelID(m, rec), err)
	}
	return rec, nil
}
