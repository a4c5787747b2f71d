package server

import (
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datastore-wasm/datastore-wasm/relation"
)

// Every example schema (SDL and codegen introspection) yields an API that
// gqlparser accepts, with the root fields DataStore calls.
func TestEveryExampleSchemaGeneratesItsAPI(t *testing.T) {
	files, _ := filepath.Glob("../relation/testdata/schemas/*")
	if len(files) == 0 {
		t.Fatal("no example schemas found")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var s *relation.Schema
			if strings.HasSuffix(file, ".json") {
				s, err = relation.ParseIntrospection(b)
			} else {
				s, err = relation.ParseSDL(string(b))
			}
			if err != nil {
				t.Fatal(err)
			}
			srv, err := New(Config{Schema: s, Store: sqliteStore(t), Log: log.New(io.Discard, "", 0)})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			for _, m := range s.Models {
				for _, f := range []string{"get" + m.Name, "sync" + m.PluralName, "create" + m.Name, "onDelete" + m.Name} {
					if _, ok := srv.api.roots[f]; !ok {
						t.Errorf("no root field %s", f)
					}
				}
			}
		})
	}
}
