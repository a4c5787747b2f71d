package storage

import (
	"context"
	"database/sql"
	"net/url"
	"sync"

	// modernc.org/sqlite is SQLite translated to Go: no cgo, one file.
	_ "modernc.org/sqlite"
)

// OpenSQLite opens (creating if needed) the SQLite database file at path.
func OpenSQLite(ctx context.Context, path string) (Store, error) {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	s := &sqlStore{db: db, writeMu: &sync.Mutex{}, hub: newHub(), d: dialect{
		name:   "sqlite",
		rebind: dollarsToQuestionMarks,
		schema: []string{
			`CREATE TABLE IF NOT EXISTS records (model TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL,
				version INTEGER NOT NULL, deleted INTEGER NOT NULL, last_changed INTEGER NOT NULL, expires INTEGER NOT NULL,
				PRIMARY KEY (model, key))`,
			`CREATE INDEX IF NOT EXISTS records_expiry ON records (deleted, expires)`,
			`CREATE TABLE IF NOT EXISTS changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, model TEXT NOT NULL, key TEXT NOT NULL,
				op TEXT NOT NULL, data TEXT NOT NULL, at INTEGER NOT NULL)`,
			`CREATE INDEX IF NOT EXISTS changes_model ON changes (model, seq)`,
			`CREATE INDEX IF NOT EXISTS changes_at ON changes (at)`,
		},
	}}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}
