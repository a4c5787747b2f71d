package relation

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/datastore-wasm/datastore-wasm/store"
)

// blogSDL is the shared blog schema: Post has many Comment.
var blogSDL = func() string {
	b, err := os.ReadFile("testdata/schemas/blog.graphql")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// newEngine parses sdl and returns an engine over a fresh memory store.
func newEngine(t *testing.T, sdl string) *Engine {
	t.Helper()
	s, err := ParseSDL(sdl)
	if err != nil {
		t.Fatalf("ParseSDL: %v", err)
	}
	return NewEngine(s, store.NewMemory(Layout(s)))
}

func readSchemaFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/schemas/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// build constructs a record as `new Model(init)` would.
func build(t *testing.T, e *Engine, model string, init Record) Record {
	t.Helper()
	rec, err := e.Schema.Construct(e.Schema.Model(model), init, e.IDs)
	if err != nil {
		t.Fatalf("Construct %s: %v", model, err)
	}
	return rec
}

func save(t *testing.T, e *Engine, model string, rec Record) SaveResult {
	t.Helper()
	res, err := e.Save(context.Background(), model, rec, SaveOptions{})
	if err != nil {
		t.Fatalf("Save %s: %v", model, err)
	}
	return res
}

func count(t *testing.T, e *Engine, model string) int {
	t.Helper()
	recs, err := e.Query(context.Background(), model, QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return len(recs)
}

func wantMessage(t *testing.T, err error, kind error, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want %q", msg)
	}
	if kind != nil && !errors.Is(err, kind) {
		t.Errorf("error %v is not %v", err, kind)
	}
	if err.Error() != msg {
		t.Errorf("message\n got %q\nwant %q", err.Error(), msg)
	}
}
