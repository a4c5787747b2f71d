package store

import (
	"slices"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
)

// Runs, in the JSON of a step for the IndexedDB executor. A batch's saves
// of new records of one model are a thousand adds alike but for the
// caller's record (input i, i+1, ...) and a counter (_seq) one up each
// time, and a thousand outcomes alike but for the request that wrote
// each: one by one they are 200 KB of JSON for Go to write and for the
// executor to parse. A run writes the first and how many there are
// ("run": n, the value's "step": the fields that go up by one a request),
// and the executor expands it (store/indexeddb_exec.js, expand): the
// requests and their numbers are the same. Only the JSON changes; the
// memory store never sees a run.

// minRun is the fewest requests or outcomes written as a run.
const minRun = 2

// addRun is how many requests from reqs[i] form a run of adds, and the
// fields of their values' Set that go up by one from each to the next;
// n < minRun when they do not.
func addRun(reqs []Request, i int) (n int, step []string) {
	first := &reqs[i]
	if !plainAdd(first) || i+1 >= len(reqs) {
		return 1, nil
	}
	// The fields the second add steps; every other one is equal.
	second := &reqs[i+1]
	if !plainAdd(second) || !sameAdd(first, second, 1) {
		return 1, nil
	}
	for k, f := range first.Value.Set {
		if f.Value != second.Value.Set[k].Value {
			step = append(step, f.Name)
		}
	}
	n = 2
	for j := i + 2; j < len(reqs) && plainAdd(&reqs[j]) && sameAdd(first, &reqs[j], j-i) && stepsBy(first, &reqs[j], step, j-i); j++ {
		n++
	}
	return n, step
}

// plainAdd reports whether r adds the caller's record with scalar fields
// set, nothing else asked of it.
func plainAdd(r *Request) bool {
	if r.Op != "add" || r.Value == nil || r.Value.Input < 0 || r.Key != nil || r.At != nil || r.Query != nil || r.See != nil || r.SeeAll || r.SeeKey != "" || r.Expect {
		return false
	}
	for _, f := range r.Value.Set {
		if !jv.Scalar(f.Value) {
			return false
		}
	}
	return true
}

// sameAdd reports whether r is first k requests on: the same store and
// report, input k further, and Set's fields in the same order, each equal
// or a number k more.
func sameAdd(first, r *Request, k int) bool {
	if r.Store != first.Store || r.Report != first.Report || r.Value.Input != first.Value.Input+k || len(r.Value.Set) != len(first.Value.Set) {
		return false
	}
	for i, f := range first.Value.Set {
		g := r.Value.Set[i]
		if g.Name != f.Name {
			return false
		}
		if g.Value == f.Value {
			continue
		}
		a, aNum := f.Value.(float64)
		b, bNum := g.Value.(float64)
		if !aNum || !bNum || b != a+float64(k) {
			return false
		}
	}
	return true
}

// stepsBy reports whether the fields of step, and only those, are k more
// in r than in first (sameAdd has checked the rest are equal or k more).
func stepsBy(first, r *Request, step []string, k int) bool {
	for i, f := range first.Value.Set {
		if (f.Value != r.Value.Set[i].Value) != slices.Contains(step, f.Name) {
			return false
		}
	}
	return true
}

// appendRequests writes a step's requests as a JSON array, runs of adds
// as one request each.
func appendRequests(dst []byte, reqs []Request) []byte {
	dst = append(dst, '[')
	for i := 0; i < len(reqs); {
		if i > 0 {
			dst = append(dst, ',')
		}
		n, step := addRun(reqs, i)
		if n < minRun {
			dst = reqs[i].AppendJSON(dst)
			i++
			continue
		}
		run := reqs[i]
		value := *run.Value
		run.Value, run.Run, value.Step = &value, n, step
		dst = run.AppendJSON(dst)
		i += n
	}
	return append(dst, ']')
}

// saveOutcomeRun is how many deciders from ds[i] are saves whose outcomes
// are alike but for the request that wrote each record, one up each time
// (a batch's inserts); n < minRun when they are not.
func saveOutcomeRun(ds []decider, i int) int {
	first, ok := ds[i].(*saveDecider)
	if !ok || first.out.record.Write < 0 {
		return 1
	}
	n := 1
	for j := i + 1; j < len(ds); j++ {
		d, ok := ds[j].(*saveDecider)
		if !ok || d.out.op != first.out.op || d.out.record.Write != first.out.record.Write+(j-i) || !slices.Equal(d.out.record.Omit, first.out.record.Omit) {
			break
		}
		n++
	}
	return n
}

// appendOutcomeRun writes a run of n save outcomes: the first's, with
// "run": n.
func (d *saveDecider) appendOutcomeRun(dst []byte, n int) []byte {
	dst = d.appendOutcome(dst)
	o := object{dst: dst[:len(dst)-1]}
	o.number("run", n)
	return o.end()
}
