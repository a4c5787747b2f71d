package storage

import (
	"context"
	"database/sql"
	"log"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	// pgx's database/sql driver, so that both stores share one SQL layer;
	// LISTEN uses a native pgx connection.
	_ "github.com/jackc/pgx/v5/stdlib"
)

const notifyChannel = "datastore_changes"

// OpenPostgres connects to the PostgreSQL database at url (postgres://…).
// Every process on one database sees every change: a write notifies
// (NOTIFY in its transaction) and each process LISTENs and fans the change
// out to its own subscribers.
func OpenPostgres(ctx context.Context, url string) (Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(20)
	s := &sqlStore{db: db, hub: newHub(), d: dialect{
		name:      "postgres",
		rebind:    func(q string) string { return q },
		forUpdate: " FOR UPDATE",
		schema: []string{
			`CREATE TABLE IF NOT EXISTS records (model TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL,
				version BIGINT NOT NULL, deleted INTEGER NOT NULL, last_changed BIGINT NOT NULL, expires BIGINT NOT NULL,
				PRIMARY KEY (model, key))`,
			`CREATE INDEX IF NOT EXISTS records_expiry ON records (deleted, expires)`,
			`CREATE TABLE IF NOT EXISTS changes (seq BIGSERIAL PRIMARY KEY, model TEXT NOT NULL, key TEXT NOT NULL,
				op TEXT NOT NULL, data TEXT NOT NULL, at BIGINT NOT NULL)`,
			`CREATE INDEX IF NOT EXISTS changes_model ON changes (model, seq)`,
			`CREATE INDEX IF NOT EXISTS changes_at ON changes (at)`,
		},
		notify: func(ctx context.Context, tx *sql.Tx, seq int64) error {
			_, err := tx.ExecContext(ctx, "SELECT pg_notify($1, $2)", notifyChannel, strconv.FormatInt(seq, 10))
			return err
		},
	}}
	// Several processes may start at once: serialize the CREATEs.
	if err := s.initLocked(ctx); err != nil {
		db.Close()
		return nil, err
	}
	listenCtx, cancel := context.WithCancel(context.Background())
	ready := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.listen(listenCtx, url, ready)
	}()
	if err := <-ready; err != nil {
		cancel()
		<-done
		db.Close()
		return nil, err
	}
	s.close = func() { cancel(); <-done }
	return s, nil
}

func (s *sqlStore) initLocked(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(7242001)"); err != nil {
		return err
	}
	for _, stmt := range s.d.schema {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// listen keeps a LISTEN connection open, reconnecting after failures, and
// publishes each notified change. The first connection's outcome goes to
// ready.
func (s *sqlStore) listen(ctx context.Context, url string, ready chan<- error) {
	first := true
	for ctx.Err() == nil {
		conn, err := pgx.Connect(ctx, url)
		if err == nil {
			_, err = conn.Exec(ctx, "LISTEN "+notifyChannel)
		}
		if first {
			ready <- err
			first = false
			if err != nil {
				if conn != nil {
					conn.Close(context.Background())
				}
				return
			}
		}
		for err == nil {
			n, werr := conn.WaitForNotification(ctx)
			if err = werr; err != nil {
				break
			}
			seq, perr := strconv.ParseInt(n.Payload, 10, 64)
			if perr != nil {
				continue
			}
			c, cerr := s.change(ctx, seq)
			if cerr != nil {
				// Purged already, or the database went away: nothing to send.
				continue
			}
			s.hub.publish(c)
		}
		if conn != nil {
			conn.Close(context.Background())
		}
		if ctx.Err() != nil {
			return
		}
		log.Printf("datastore-server: postgres LISTEN connection lost (%v); reconnecting", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}
