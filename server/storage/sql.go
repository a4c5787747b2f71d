package storage

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
)

// dialect holds what differs between SQLite and PostgreSQL.
type dialect struct {
	name string
	// schema creates the tables (idempotent).
	schema []string
	// forUpdate locks the row read by a transaction ("" where the database
	// locks the whole file anyway).
	forUpdate string
	// rebind turns $n placeholders into the database's own.
	rebind func(string) string
	// notify, when set, runs inside the transaction for each change; the
	// change then reaches subscribers through the database.
	notify func(ctx context.Context, tx *sql.Tx, seq int64) error
}

// sqlStore is the Store over database/sql shared by both databases.
type sqlStore struct {
	db *sql.DB
	d  dialect
	// writeMu serializes SQLite's writers (one file, one writer) and keeps
	// in-process publication in commit order.
	writeMu *sync.Mutex
	hub     *hub
	close   func()
}

func (s *sqlStore) q(query string) string { return s.d.rebind(query) }

func (s *sqlStore) init(ctx context.Context) error {
	for _, stmt := range s.d.schema {
		if _, err := s.db.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

type sqlTx struct {
	s       *sqlStore
	tx      *sql.Tx
	changes []Change
}

const rowColumns = "model, key, data, version, deleted, last_changed, expires"

func scanRow(sc interface{ Scan(...any) error }) (*Row, error) {
	var r Row
	var deleted int64
	var data string
	if err := sc.Scan(&r.Model, &r.Key, &data, &r.Version, &deleted, &r.LastChanged, &r.Expires); err != nil {
		return nil, err
	}
	r.Data, r.Deleted = []byte(data), deleted != 0
	return &r, nil
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (t *sqlTx) Get(ctx context.Context, model, key string) (*Row, error) {
	r, err := scanRow(t.tx.QueryRowContext(ctx, t.s.q("SELECT "+rowColumns+" FROM records WHERE model = $1 AND key = $2"+t.s.d.forUpdate), model, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return r, err
}

func (t *sqlTx) Insert(ctx context.Context, r Row) error {
	res, err := t.tx.ExecContext(ctx, t.s.q("INSERT INTO records ("+rowColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (model, key) DO NOTHING"),
		r.Model, r.Key, string(r.Data), r.Version, b2i(r.Deleted), r.LastChanged, r.Expires)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrExists
	}
	return nil
}

func (t *sqlTx) Update(ctx context.Context, r Row) error {
	_, err := t.tx.ExecContext(ctx, t.s.q("UPDATE records SET data = $3, version = $4, deleted = $5, last_changed = $6, expires = $7 WHERE model = $1 AND key = $2"),
		r.Model, r.Key, string(r.Data), r.Version, b2i(r.Deleted), r.LastChanged, r.Expires)
	return err
}

func (t *sqlTx) Log(ctx context.Context, c Change) error {
	err := t.tx.QueryRowContext(ctx, t.s.q("INSERT INTO changes (model, key, op, data, at) VALUES ($1, $2, $3, $4, $5) RETURNING seq"),
		c.Model, c.Key, c.Op, string(c.Data), c.At).Scan(&c.Seq)
	if err != nil {
		return err
	}
	if t.s.d.notify != nil {
		if err := t.s.d.notify(ctx, t.tx, c.Seq); err != nil {
			return err
		}
	}
	t.changes = append(t.changes, c)
	return nil
}

func (s *sqlStore) Write(ctx context.Context, fn func(Tx) error) error {
	if s.writeMu != nil {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	t := &sqlTx{s: s, tx: tx}
	if err := fn(t); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if s.d.notify == nil {
		for _, c := range t.changes {
			s.hub.publish(c)
		}
	}
	return nil
}

func (s *sqlStore) Get(ctx context.Context, model, key string) (*Row, error) {
	r, err := scanRow(s.db.QueryRowContext(ctx, s.q("SELECT "+rowColumns+" FROM records WHERE model = $1 AND key = $2"), model, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return r, err
}

func (s *sqlStore) Scan(ctx context.Context, model, after string, limit int) ([]Row, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+rowColumns+" FROM records WHERE model = $1 AND key > $2 ORDER BY key LIMIT $3"), model, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

const changeColumns = "seq, model, key, op, data, at"

func scanChange(sc interface{ Scan(...any) error }) (Change, error) {
	var c Change
	var data string
	err := sc.Scan(&c.Seq, &c.Model, &c.Key, &c.Op, &data, &c.At)
	c.Data = []byte(data)
	return c, err
}

func (s *sqlStore) Changes(ctx context.Context, model string, since, afterSeq int64, limit int) ([]Change, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+changeColumns+" FROM changes WHERE model = $1 AND at >= $2 AND seq > $3 ORDER BY seq LIMIT $4"), model, since, afterSeq, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		c, err := scanChange(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *sqlStore) change(ctx context.Context, seq int64) (Change, error) {
	return scanChange(s.db.QueryRowContext(ctx, s.q("SELECT "+changeColumns+" FROM changes WHERE seq = $1"), seq))
}

func (s *sqlStore) Purge(ctx context.Context, now, logBefore int64) error {
	if s.writeMu != nil {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	if _, err := s.db.ExecContext(ctx, s.q("DELETE FROM records WHERE deleted = 1 AND expires > 0 AND expires <= $1"), now); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, s.q("DELETE FROM changes WHERE at < $1"), logBefore)
	return err
}

func (s *sqlStore) Subscribe(ctx context.Context, fn func(Change)) { s.hub.subscribe(ctx, fn) }

func (s *sqlStore) Close() error {
	if s.close != nil {
		s.close()
	}
	return s.db.Close()
}

func dollarsToQuestionMarks(q string) string { return strings.ReplaceAll(q, "$", "?") }

// hub fans committed changes out to this process's subscribers.
type hub struct {
	mu   sync.RWMutex
	next int
	subs map[int]func(Change)
}

func newHub() *hub { return &hub{subs: map[int]func(Change){}} }

func (h *hub) subscribe(ctx context.Context, fn func(Change)) {
	h.mu.Lock()
	id := h.next
	h.next++
	h.subs[id] = fn
	h.mu.Unlock()
	context.AfterFunc(ctx, func() {
		h.mu.Lock()
		delete(h.subs, id)
		h.mu.Unlock()
	})
}

func (h *hub) publish(c Change) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, fn := range h.subs {
		fn(c)
	}
}
