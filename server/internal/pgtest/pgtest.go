// Package pgtest gives tests a PostgreSQL database of their own: a fresh
// schema in the server named by DATASTORE_TEST_POSTGRES (a postgres:// URL;
// .ci/run starts one), dropped when the test ends.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// EnvVar names the variable holding the test server's URL.
const EnvVar = "DATASTORE_TEST_POSTGRES"

// URL returns the URL of a new, empty schema, or skips the test when no
// PostgreSQL is configured.
func URL(t testing.TB) string {
	base := os.Getenv(EnvVar)
	if base == "" {
		t.Skip(EnvVar + " is not set: no PostgreSQL to test against (.ci/run starts one)")
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("%s=%s is set but PostgreSQL is not reachable: %v", EnvVar, base, err)
	}
	schema := fmt.Sprintf("t_%d", rand.Uint64())
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err == nil {
			db.Exec("DROP SCHEMA " + schema + " CASCADE")
			db.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
