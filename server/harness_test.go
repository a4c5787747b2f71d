package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/datastore-wasm/datastore-wasm/relation"
	"github.com/datastore-wasm/datastore-wasm/server/internal/pgtest"
	"github.com/datastore-wasm/datastore-wasm/server/storage"
)

const blogSDL = `
enum PostStatus { ACTIVE INACTIVE }
type Post @model {
  id: ID!
  title: String!
  rating: Int!
  status: PostStatus!
  tags: [String]
  meta: AWSJSON
  comments: [Comment] @hasMany(indexName: "byPost", fields: ["id"])
}
type Comment @model {
  id: ID!
  postID: ID! @index(name: "byPost")
  content: String!
  post: Post @belongsTo(fields: ["postID"])
}`

// storeOpener opens a fresh store of one kind for a test.
type storeOpener func(t *testing.T) storage.Store

// eachStore runs fn against SQLite and PostgreSQL (when configured).
func eachStore(t *testing.T, fn func(t *testing.T, open storeOpener)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, func(t *testing.T) storage.Store {
			s, err := storage.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "test.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		})
	})
	t.Run("postgres", func(t *testing.T) {
		url := pgtest.URL(t)
		fn(t, func(t *testing.T) storage.Store {
			s, err := storage.OpenPostgres(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		})
	})
}

// clock is a settable test clock.
type clock struct{ ms atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ms.Store(time.Now().UnixMilli())
	return c
}

func (c *clock) now() time.Time          { return time.UnixMilli(c.ms.Load()) }
func (c *clock) advance(d time.Duration) { c.ms.Add(d.Milliseconds()) }

type harness struct {
	t     *testing.T
	srv   *Server
	http  *httptest.Server
	clock *clock
	key   string
}

func newHarness(t *testing.T, store storage.Store, tweak func(*Config)) *harness {
	t.Helper()
	schema, err := relation.ParseSDL(blogSDL)
	if err != nil {
		t.Fatal(err)
	}
	c := newClock()
	cfg := Config{Schema: schema, Store: store, APIKey: "test-key", Now: c.now, Log: log.New(io.Discard, "", 0)}
	if tweak != nil {
		tweak(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); srv.Close() })
	return &harness{t: t, srv: srv, http: hs, clock: c, key: "test-key"}
}

// result is a decoded GraphQL response.
type result struct {
	Status int
	Data   map[string]any   `json:"data"`
	Errors []map[string]any `json:"errors"`
}

func (h *harness) post(body []byte, key string) result {
	h.t.Helper()
	req, _ := http.NewRequest("POST", h.http.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	if key != "" {
		req.Header.Set("X-Api-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var r result
	b, _ := io.ReadAll(resp.Body)
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&r); err != nil {
		h.t.Fatalf("response is not JSON (%v): %s", err, b)
	}
	r.Status = resp.StatusCode
	return r
}

// do sends a query with variables and the right key.
func (h *harness) do(query string, vars map[string]any) result {
	h.t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return h.post(b, h.key)
}

// must is do, failing the test on any error; it returns data[field].
func (h *harness) must(query string, vars map[string]any, field string) map[string]any {
	h.t.Helper()
	r := h.do(query, vars)
	if len(r.Errors) > 0 || r.Status != 200 {
		h.t.Fatalf("%s: status %d, errors %v", field, r.Status, r.Errors)
	}
	v, _ := r.Data[field].(map[string]any)
	return v
}

// The documents Amplify DataStore sends (SYNC-PROTOCOL §1).
const (
	postSel       = `id title rating status tags meta createdAt updatedAt _version _lastChangedAt _deleted`
	commentSel    = `id postID content createdAt updatedAt _version _lastChangedAt _deleted post { id _deleted }`
	createPost    = `mutation operation($input: CreatePostInput!) { createPost(input: $input) { ` + postSel + ` } }`
	updatePost    = `mutation operation($input: UpdatePostInput!, $condition: ModelPostConditionInput) { updatePost(input: $input, condition: $condition) { ` + postSel + ` } }`
	deletePost    = `mutation operation($input: DeletePostInput!, $condition: ModelPostConditionInput) { deletePost(input: $input, condition: $condition) { ` + postSel + ` } }`
	syncPosts     = `query operation($limit: Int, $nextToken: String, $lastSync: AWSTimestamp, $filter: ModelPostFilterInput) { syncPosts(limit: $limit, nextToken: $nextToken, lastSync: $lastSync, filter: $filter) { items { ` + postSel + ` } nextToken startedAt } }`
	createComment = `mutation operation($input: CreateCommentInput!) { createComment(input: $input) { ` + commentSel + ` } }`
	deleteComment = `mutation operation($input: DeleteCommentInput!, $condition: ModelCommentConditionInput) { deleteComment(input: $input, condition: $condition) { ` + commentSel + ` } }`
)

func num(v any) int64 {
	f, _ := toFloat(v)
	return int64(f)
}

func post(id, title string, rating int) map[string]any {
	return map[string]any{"id": id, "title": title, "rating": rating, "status": "ACTIVE"}
}
