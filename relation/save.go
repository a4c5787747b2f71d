package relation

import (
	"context"

	"github.com/datastore-wasm/datastore-wasm/store"
)

// SaveOptions are the optional parts of a save.
type SaveOptions struct {
	// Condition must hold on the stored record for an update to happen
	// (SPEC 3.5); it is ignored for an insert.
	Condition *Predicate
	// Text is the record as the caller serialised it, quoted in the
	// integrity error as Amplify quotes it.
	Text string
}

// SaveResult is what a save did.
type SaveResult struct {
	// Record is the record as stored.
	Record Record
	// Changes holds one INSERT or UPDATE, or nothing when the record was
	// stored already exactly so.
	Changes []Change
}

// Save inserts or replaces a record of model, in one read-write transaction
// that also checks the parents of its belongs-to relations exist (SPEC 3.2)
// and evaluates the condition on the stored record.
func (e *Engine) Save(ctx context.Context, model string, rec Record, opts SaveOptions) (SaveResult, error) {
	m, err := e.model(model)
	if err != nil {
		return SaveResult{}, err
	}
	if err := e.Schema.ValidateForSave(m, rec); err != nil {
		return SaveResult{}, err
	}
	if err := ValidatePredicate(m, opts.Condition); err != nil {
		return SaveResult{}, err
	}
	stores := []string{m.Name}
	queries := []store.Query{{Store: m.Name, Range: store.Only(m.KeyOf(rec))}}
	var parents []*Relation
	for _, r := range m.Relations {
		if r.Kind != BelongsTo {
			continue
		}
		values, ok := joinValues(rec, r.LocalFields)
		if !ok {
			continue // partly or wholly unset: nothing to check (SPEC 3.2)
		}
		parents = append(parents, r)
		queries = append(queries, r.Target.lookupQuery(r.RemoteFields, values))
		if !contains(stores, r.Target.Name) {
			stores = append(stores, r.Target.Name)
		}
	}
	var result SaveResult
	err = e.DB.Write(ctx, stores, func(tx store.Tx) error {
		found, err := tx.Query(queries)
		if err != nil {
			return err
		}
		for i, r := range parents {
			if len(found[i+1]) == 0 {
				text := opts.Text
				if text == "" {
					text = store.JSONText(rec)
				}
				return userErr(ErrIntegrity, "Data integrity error. You tried to save a %s (%s) but the instance assigned to the \"%s\" property does not exist in the local database. If you're trying to create the related \"%s\", you must save it independently first.", m.Name, text, r.Field, r.Target.Name)
			}
		}
		var existing Record
		if len(found[0]) > 0 {
			existing = found[0][0]
		}
		if existing != nil && !opts.Condition.Matches(existing) {
			return userErr(ErrCondition, "Conditional update failed")
		}
		stored := e.stamp(m, rec, existing)
		if existing != nil && store.DeepEqual(stored, existing) {
			result = SaveResult{Record: public(existing)}
			return nil // nothing changed: no write, no message
		}
		tx.Put(m.Name, []Record{stored})
		op := Insert
		if existing != nil {
			op = Update
		}
		out := public(copyRecord(stored))
		result = SaveResult{Record: out, Changes: []Change{{Model: m.Name, OpType: op, Record: out, Condition: opts.Condition, model: m}}}
		return nil
	})
	if err != nil {
		return SaveResult{}, err
	}
	return result, nil
}

// stamp returns the record to store: a copy of rec with the managed
// timestamps set (createdAt kept from the stored record).
func (e *Engine) stamp(m *Model, rec, existing Record) Record {
	out := make(Record, len(rec)+3)
	for k, v := range rec {
		out[k] = v
	}
	delete(out, seqField)
	if existing != nil && existing[seqField] != nil {
		out[seqField] = existing[seqField]
	} else {
		out[seqField] = e.seq.next()
	}
	if m.CreatedAt == "" && m.UpdatedAt == "" {
		return out
	}
	if existing != nil {
		// Compare without the timestamps, so that an unchanged record is
		// recognised and left alone.
		same := len(existing) == len(out)
		for k, v := range out {
			if same && !m.isTimestamp(k) && !store.DeepEqual(v, existing[k]) {
				same = false
			}
		}
		if same {
			return existing
		}
	}
	now := e.now()
	if m.CreatedAt != "" {
		out[m.CreatedAt] = now
		if existing != nil && existing[m.CreatedAt] != nil {
			out[m.CreatedAt] = existing[m.CreatedAt]
		}
	}
	if m.UpdatedAt != "" {
		out[m.UpdatedAt] = now
	}
	return out
}

// copyRecord copies a record's top level, so that the stored map and the
// one handed back can differ in storage-only fields.
func copyRecord(r Record) Record {
	out := make(Record, len(r))
	for k, v := range r {
		out[k] = v
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
