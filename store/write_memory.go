package store

import "context"

// runWrite carries out a writer's steps in a transaction, the memory
// store's way: each request on the transaction in order, then the
// results to the deciders when the step asks for them, when an add
// found its key taken or an expected count is 0. inputs are the callers' records by number. It returns the
// outcome with its records resolved.
func runWrite(tx Tx, w *writer, inputs []Record) ([]StepOutcome, error) {
	held := map[int][]Record{} // the records read, by request
	written := map[int]Record{}
	n := 0
	value := func(v *Value) Record {
		var base Record
		switch {
		case v.Input >= 0:
			base = inputs[v.Input]
		case v.Read >= 0:
			base = held[v.Read][v.At]
		default:
			base = v.Record
		}
		rec := make(Record, len(base)+len(v.Set))
		for k, x := range base {
			rec[k] = x
		}
		v.Set.setOn(rec)
		return rec
	}
	step, err := w.next(nil)
	for {
		if err != nil {
			return nil, err
		}
		res := results{base: n, list: make([]any, len(step.Requests))}
		taken := false
		for i, r := range step.Requests {
			num := n + i
			switch r.Op {
			case "get":
				found, err := tx.Get(r.Store, []Key{r.Key})
				if err != nil {
					return nil, err
				}
				held[num] = nil
				if found[0] != nil {
					held[num] = found
				}
				res.list[i] = seen(held[num], r)
			case "query", "count":
				found, err := tx.Query([]Query{*r.Query})
				if err != nil {
					return nil, err
				}
				held[num] = found[0]
				if r.Op == "count" {
					res.list[i] = float64(len(found[0]))
				} else {
					res.list[i] = seen(found[0], r)
				}
			case "put", "add":
				rec := value(r.Value)
				if r.Op == "add" {
					sl := tx.(*memTx).m.layout.Store(r.Store)
					if k, ok := KeyOf(rec, sl.KeyPath); ok {
						found, err := tx.Get(r.Store, []Key{k})
						if err != nil {
							return nil, err
						}
						if found[0] != nil {
							if !r.Report {
								return nil, &Error{Op: "add", Store: r.Store, Err: ErrConstraint, Msg: "the key is taken"}
							}
							res.list[i] = map[string]any{"taken": true}
							taken = true
							continue
						}
						res.list[i] = map[string]any{"taken": false, "key": k}
					}
				}
				written[num] = rec
				tx.Put(r.Store, []Record{rec})
			case "delete":
				if r.At == nil {
					tx.Delete(r.Store, []Key{r.Key})
					continue
				}
				sl := tx.(*memTx).m.layout.Store(r.Store)
				for _, j := range r.At {
					k, _ := KeyOf(held[r.Read][j], sl.KeyPath)
					tx.Delete(r.Store, []Key{k})
				}
			}
		}
		for i, r := range step.Requests {
			taken = taken || (r.Expect && res.list[i] == float64(0))
		}
		n += len(step.Requests)
		if !step.Then && !taken {
			break
		}
		step, err = w.next(&res)
	}
	resolve := func(ref RecordRef) Record {
		var rec Record
		if ref.Write >= 0 {
			rec = written[ref.Write]
		} else {
			rec = held[ref.Read][ref.At]
		}
		return omit(copyRecord(rec), ref.Omit)
	}
	out := make([]StepOutcome, len(w.ds))
	for i, d := range w.ds {
		out[i] = d.outcome(resolve)
	}
	return out, nil
}

// seen is what a read hands the deciders: the records (all their fields;
// the memory store has no copies to save), their keys (SeeKey), or
// nothing when the request does not ask to see them.
func seen(recs []Record, r Request) any {
	if r.SeeKey != "" {
		keys := make([]any, len(recs))
		for i, rec := range recs {
			keys[i] = rec[r.SeeKey]
		}
		return keys
	}
	if !r.SeeAll && len(r.See) == 0 {
		return nil
	}
	list := make([]any, len(recs))
	for i, rec := range recs {
		list[i] = copyRecord(rec)
	}
	return list
}

// Save carries out a save plan.
func (m *Memory) Save(ctx context.Context, p SavePlan) (SaveOutcome, error) {
	w, err := newSaveWriter(m.layout, &p, -1, false)
	if err != nil {
		return SaveOutcome{}, err
	}
	out, err := m.run(ctx, w)
	if err != nil {
		return SaveOutcome{}, err
	}
	return out[0].SaveOutcome, nil
}

// Delete carries out a delete plan.
func (m *Memory) Delete(ctx context.Context, p DeletePlan) (DeleteOutcome, error) {
	out, err := m.run(ctx, newDeleteWriter(m.layout, &p))
	if err != nil {
		return DeleteOutcome{}, err
	}
	return out[0].DeleteOutcome, nil
}

// Batch carries out a batch plan.
func (m *Memory) Batch(ctx context.Context, p BatchPlan) (BatchOutcome, error) {
	w, err := newBatchWriter(m.layout, &p, false, nil)
	if err != nil {
		return BatchOutcome{}, err
	}
	out, err := m.run(ctx, w)
	if err != nil {
		return BatchOutcome{}, err
	}
	return BatchOutcome{Steps: out}, nil
}

func (m *Memory) run(ctx context.Context, w *writer) ([]StepOutcome, error) {
	w.knowing(m.pres)
	var out []StepOutcome
	transact := m.Write
	if w.readOnly {
		transact = m.Read // a dry run
	}
	err := transact(ctx, w.scope, func(tx Tx) error {
		var err error
		out, err = runWrite(tx, w, nil)
		return err
	})
	if err == nil && !w.readOnly {
		w.pres.learn(w.gen, w.facts)
	}
	return out, err
}
