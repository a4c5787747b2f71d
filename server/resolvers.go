package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/datastore-wasm/datastore-wasm/relation"
	"github.com/datastore-wasm/datastore-wasm/server/storage"
	"github.com/google/uuid"
)

const (
	defaultLimit = 100
	maxLimit     = 1000
)

func pageLimit(args map[string]any) (int, error) {
	v, ok := args["limit"]
	if !ok || v == nil {
		return defaultLimit, nil
	}
	n, ok := toFloat(v)
	if !ok || n < 1 {
		return 0, &fieldError{errorType: "BadRequest", message: fmt.Sprintf("limit must be between 1 and %d", maxLimit)}
	}
	return int(min(n, maxLimit)), nil
}

// pageToken is what nextToken carries: where the next page starts, and the
// first page's startedAt.
type pageToken struct {
	// Delta: the page reads the change log after Seq; otherwise the base
	// table after Key.
	Delta     bool   `json:"d,omitempty"`
	Key       string `json:"k,omitempty"`
	Seq       int64  `json:"s,omitempty"`
	Since     int64  `json:"l,omitempty"`
	StartedAt int64  `json:"t,omitempty"`
	Offset    int    `json:"o,omitempty"`
}

func (t pageToken) String() string {
	b, _ := json.Marshal(t)
	return base64.RawURLEncoding.EncodeToString(b)
}

func parseToken(args map[string]any) (*pageToken, error) {
	s, _ := args["nextToken"].(string)
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	var t pageToken
	if err == nil {
		err = json.Unmarshal(b, &t)
	}
	if err != nil {
		return nil, &fieldError{errorType: "BadRequest", message: "nextToken is not one this server gave out"}
	}
	return &t, nil
}

func filterArg(args map[string]any, name string) map[string]any {
	f, _ := args[name].(map[string]any)
	return f
}

func (s *Server) get(ctx context.Context, m *relation.Model, args map[string]any) (any, error) {
	key, ok := keyOf(m, args)
	if !ok {
		return nil, &fieldError{errorType: "BadRequest", message: "get" + m.Name + " needs every key field"}
	}
	row, err := s.store.Get(ctx, m.Name, key)
	if err != nil || row == nil {
		return nil, err
	}
	return decodeItem(m, row.Data)
}

func (s *Server) list(ctx context.Context, m *relation.Model, args map[string]any) (any, error) {
	limit, err := pageLimit(args)
	if err != nil {
		return nil, err
	}
	tok, err := parseToken(args)
	if err != nil {
		return nil, err
	}
	after := ""
	if tok != nil {
		after = tok.Key
	}
	rows, err := s.store.Scan(ctx, m.Name, after, limit)
	if err != nil {
		return nil, err
	}
	items, err := s.filterRows(m, rows, filterArg(args, "filter"))
	if err != nil {
		return nil, err
	}
	var next any
	if len(rows) == limit {
		next = pageToken{Key: rows[len(rows)-1].Key}.String()
	}
	return connection(m, items, next, nil), nil
}

func (s *Server) filterRows(m *relation.Model, rows []storage.Row, filter map[string]any) ([]object, error) {
	items := []object{}
	for _, r := range rows {
		it, err := decodeItem(m, r.Data)
		if err != nil {
			return nil, err
		}
		if filter == nil || matches(filter, it.data) {
			items = append(items, it)
		}
	}
	return items, nil
}

// sync is syncX: a base sync pages the table (tombstones included), a delta
// sync pages the change log after lastSync in commit order (SYNC-PROTOCOL
// §2). startedAt travels in the token, so every page reports the first's.
func (s *Server) sync(ctx context.Context, m *relation.Model, args map[string]any) (any, error) {
	limit, err := pageLimit(args)
	if err != nil {
		return nil, err
	}
	tok, err := parseToken(args)
	if err != nil {
		return nil, err
	}
	if tok == nil {
		now := s.now()
		tok = &pageToken{StartedAt: now}
		if last, ok := toFloat(args["lastSync"]); ok && last > 0 && int64(last) >= now-s.cfg.ChangeLogTTL.Milliseconds() {
			tok.Delta, tok.Since = true, int64(last)
		}
	}
	filter := filterArg(args, "filter")
	next := *tok
	var items []object
	var full bool
	if tok.Delta {
		changes, err := s.store.Changes(ctx, m.Name, tok.Since, tok.Seq, limit)
		if err != nil {
			return nil, err
		}
		items = []object{}
		for _, c := range changes {
			it, err := decodeItem(m, c.Data)
			if err != nil {
				return nil, err
			}
			if filter == nil || matches(filter, it.data) {
				items = append(items, it)
			}
		}
		if full = len(changes) == limit; full {
			next.Seq = changes[len(changes)-1].Seq
		}
	} else {
		rows, err := s.store.Scan(ctx, m.Name, tok.Key, limit)
		if err != nil {
			return nil, err
		}
		if items, err = s.filterRows(m, rows, filter); err != nil {
			return nil, err
		}
		if full = len(rows) == limit; full {
			next.Key = rows[len(rows)-1].Key
		}
	}
	var nextToken any
	if full {
		nextToken = next.String()
	}
	return connection(m, items, nextToken, tok.StartedAt), nil
}

// related resolves a belongs-to or has-one field: the target whose
// RemoteFields equal local (tombstones included).
func (s *Server) related(ctx context.Context, r *relation.Relation, local []any) (any, error) {
	t := r.Target
	if slices.Equal(r.RemoteFields, t.PrimaryKey) {
		key := map[string]any{}
		for i, f := range r.RemoteFields {
			key[f] = local[i]
		}
		k, _ := keyOf(t, key)
		row, err := s.store.Get(ctx, t.Name, k)
		if err != nil || row == nil {
			return nil, err
		}
		return decodeItem(t, row.Data)
	}
	var found object
	err := s.scanAll(ctx, t, func(it *item) bool {
		if sameValues(it.data, r.RemoteFields, local) && (found == nil || it.data["_deleted"] != true) {
			found = it
		}
		return true
	})
	return found, err
}

func sameValues(data map[string]any, fields []string, vals []any) bool {
	for i, f := range fields {
		if data[f] == nil || fmt.Sprint(data[f]) != fmt.Sprint(vals[i]) {
			return false
		}
	}
	return true
}

// scanAll visits every stored record of m in key order until fn says stop.
func (s *Server) scanAll(ctx context.Context, m *relation.Model, fn func(*item) bool) error {
	after := ""
	for {
		rows, err := s.store.Scan(ctx, m.Name, after, maxLimit)
		if err != nil {
			return err
		}
		for _, r := range rows {
			it, err := decodeItem(m, r.Data)
			if err != nil {
				return err
			}
			if !fn(it) {
				return nil
			}
		}
		if len(rows) < maxLimit {
			return nil
		}
		after = rows[len(rows)-1].Key
	}
}

// children resolves a has-many field as a connection.
func (s *Server) children(ctx context.Context, r *relation.Relation, local []any, args map[string]any) (any, error) {
	limit, err := pageLimit(args)
	if err != nil {
		return nil, err
	}
	tok, err := parseToken(args)
	if err != nil {
		return nil, err
	}
	offset := 0
	if tok != nil {
		offset = tok.Offset
	}
	filter := filterArg(args, "filter")
	var items []object
	seen := 0
	var next any
	err = s.scanAll(ctx, r.Target, func(it *item) bool {
		if !sameValues(it.data, r.RemoteFields, local) || (filter != nil && !matches(filter, it.data)) {
			return true
		}
		seen++
		if seen <= offset {
			return true
		}
		if len(items) == limit {
			next = pageToken{Offset: offset + limit}.String()
			return false
		}
		items = append(items, it)
		return true
	})
	if err != nil {
		return nil, err
	}
	return connection(r.Target, items, next, nil), nil
}

// Errors in AppSync's words (SYNC-PROTOCOL §2).
func conditionFailed() error {
	return &fieldError{errorType: "ConditionalCheckFailedException",
		message: "The conditional request failed (Service: DynamoDb, Status Code: 400, Request ID: null)"}
}

func conflict(current []byte) error {
	return &fieldError{errorType: "ConflictUnhandled", message: "Conflict resolver rejects mutation.", data: json.RawMessage(current)}
}

func isoNow(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
}

// mutation runs one write: fn gets the current row (nil if none) and
// returns the new item and the change's op; the check, the write and the
// change-log entry are one transaction.
func (s *Server) mutation(ctx context.Context, m *relation.Model, key string, fn func(cur *item, now int64) (map[string]any, string, error)) (any, error) {
	var out *item
	err := s.store.Write(ctx, func(tx storage.Tx) error {
		row, err := tx.Get(ctx, m.Name, key)
		if err != nil {
			return err
		}
		var cur *item
		if row != nil {
			if cur, err = decodeItem(m, row.Data); err != nil {
				return err
			}
		}
		now := s.now()
		data, op, err := fn(cur, now)
		if err != nil {
			return err
		}
		data["_lastChangedAt"] = now
		b, err := json.Marshal(data)
		if err != nil {
			return err
		}
		version, _ := toFloat(data["_version"])
		next := storage.Row{Model: m.Name, Key: key, Data: b, Version: int64(version), LastChanged: now}
		if op == "delete" {
			next.Deleted, next.Expires = true, now+s.cfg.TombstoneTTL.Milliseconds()
		}
		if row == nil {
			err = tx.Insert(ctx, next)
		} else {
			err = tx.Update(ctx, next)
		}
		if errors.Is(err, storage.ErrExists) {
			return conditionFailed()
		}
		if err != nil {
			return err
		}
		out = &item{m, data}
		return tx.Log(ctx, storage.Change{Model: m.Name, Key: key, Op: op, Data: b, At: now})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) checkCondition(args map[string]any, data map[string]any) error {
	if c := filterArg(args, "condition"); c != nil && !matches(c, data) {
		return conditionFailed()
	}
	return nil
}

func (s *Server) create(ctx context.Context, m *relation.Model, args map[string]any) (any, error) {
	in := copyMap(filterArg(args, "input"))
	if err := checkInput(s.cfg.Schema, m, in); err != nil {
		return nil, err
	}
	delete(in, "_version")
	if m.IDKind != relation.IDCustom && in["id"] == nil {
		in["id"] = uuid.NewString()
	}
	key, ok := keyOf(m, in)
	if !ok {
		return nil, &fieldError{errorType: "BadRequest", message: "create" + m.Name + ": the input needs every key field (" + fmt.Sprint(m.PrimaryKey) + ")"}
	}
	return s.mutation(ctx, m, key, func(cur *item, now int64) (map[string]any, string, error) {
		if cur != nil {
			return nil, "", conditionFailed()
		}
		if err := s.checkCondition(args, map[string]any{}); err != nil {
			return nil, "", err
		}
		for _, ts := range []string{m.CreatedAt, m.UpdatedAt} {
			if ts != "" && in[ts] == nil {
				in[ts] = isoNow(now)
			}
		}
		in["_version"] = int64(1)
		return in, "create", nil
	})
}

func (s *Server) update(ctx context.Context, m *relation.Model, args map[string]any) (any, error) {
	in := copyMap(filterArg(args, "input"))
	if err := checkInput(s.cfg.Schema, m, in); err != nil {
		return nil, err
	}
	key, ok := keyOf(m, in)
	if !ok {
		return nil, &fieldError{errorType: "BadRequest", message: "update" + m.Name + ": the input needs every key field"}
	}
	return s.mutation(ctx, m, key, func(cur *item, now int64) (map[string]any, string, error) {
		if cur == nil {
			return nil, "", conditionFailed()
		}
		raw, _ := json.Marshal(cur.data)
		if cur.data["_deleted"] == true {
			return nil, "", conflict(raw)
		}
		if err := s.checkCondition(args, cur.data); err != nil {
			return nil, "", err
		}
		have, _ := toFloat(cur.data["_version"])
		sent, _ := toFloat(in["_version"])
		delete(in, "_version")
		data := copyMap(cur.data)
		if sent != have {
			if s.conflictHandler(m.Name) == OptimisticConcurrency {
				return nil, "", conflict(raw)
			}
			automerge(data, in)
		} else {
			for k, v := range in {
				data[k] = v
			}
		}
		if m.UpdatedAt != "" {
			data[m.UpdatedAt] = isoNow(now)
		}
		data["_version"] = int64(have) + 1
		return data, "update", nil
	})
}

// automerge merges a stale write into the server's item: the server keeps
// its scalars, lists get the incoming elements appended, and fields the
// server has no value for take the incoming one (AppSync's AUTOMERGE).
func automerge(server, incoming map[string]any) {
	for k, v := range incoming {
		cur, ok := server[k]
		switch {
		case !ok || cur == nil:
			server[k] = v
		default:
			if cl, ok := cur.([]any); ok {
				if il, ok := v.([]any); ok {
					server[k] = append(append([]any{}, cl...), il...)
				}
			}
		}
	}
}

func (s *Server) delete(ctx context.Context, m *relation.Model, args map[string]any) (any, error) {
	in := filterArg(args, "input")
	key, ok := keyOf(m, in)
	if !ok {
		return nil, &fieldError{errorType: "BadRequest", message: "delete" + m.Name + ": the input needs every key field"}
	}
	return s.mutation(ctx, m, key, func(cur *item, now int64) (map[string]any, string, error) {
		if cur == nil {
			return nil, "", conditionFailed()
		}
		raw, _ := json.Marshal(cur.data)
		have, _ := toFloat(cur.data["_version"])
		sent, _ := toFloat(in["_version"])
		if cur.data["_deleted"] == true || sent != have {
			return nil, "", conflict(raw)
		}
		if err := s.checkCondition(args, cur.data); err != nil {
			return nil, "", err
		}
		data := copyMap(cur.data)
		data["_deleted"] = true
		data["_version"] = int64(have) + 1
		return data, "delete", nil
	})
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
