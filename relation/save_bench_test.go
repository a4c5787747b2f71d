package relation

import (
	"encoding/json"
	"testing"
)

// The Go side of one save, step by step: decode the record, validate it,
// plan. In the browser these run on every save (the first step of the
// write: store's BenchmarkFreshSaveStep).
func BenchmarkSaveSteps(b *testing.B) {
	e := newEngine(&testing.T{}, blogSDL)
	rec := build(&testing.T{}, e, "Comment", Record{"content": "hello", "postCommentsId": "p1"})
	text, _ := json.Marshal(rec)
	m := e.Schema.Model("Comment")
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			_, _ = ParseRecord(string(text))
		}
	})
	b.Run("validate", func(b *testing.B) {
		for b.Loop() {
			_ = e.Schema.ValidateForSave(m, rec)
		}
	})
	b.Run("plan", func(b *testing.B) {
		for b.Loop() {
			_, _ = e.PlanSave("Comment", rec, SaveOptions{Text: string(text)})
		}
	})
}

// A batch of 1,000 comment saves planned as one plan (DataStore.save([...])).
func BenchmarkPlanBatch(b *testing.B) {
	e := newEngine(&testing.T{}, blogSDL)
	ops := make([]BatchOp, 1000)
	for i := range ops {
		rec := build(&testing.T{}, e, "Comment", Record{"content": "hello", "postCommentsId": "p1"})
		ops[i] = BatchOp{Model: "Comment", Record: rec, Save: &SaveOptions{}}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.PlanBatch(ops); err != nil {
			b.Fatal(err)
		}
	}
}
