package server

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestWritesVersionAndTombstone(t *testing.T) {
	eachStore(t, func(t *testing.T, open storeOpener) {
		h := newHarness(t, open(t), nil)
		p := h.must(createPost, map[string]any{"input": post("p1", "first", 3)}, "createPost")
		if num(p["_version"]) != 1 || p["_deleted"] != nil || p["createdAt"] == nil || p["createdAt"] != p["updatedAt"] {
			t.Fatalf("create: %v", p)
		}
		if num(p["_lastChangedAt"]) != h.clock.ms.Load() {
			t.Fatalf("_lastChangedAt %v is not the write's time in ms (%d)", p["_lastChangedAt"], h.clock.ms.Load())
		}
		h.clock.advance(time.Second)
		u := h.must(updatePost, map[string]any{"input": map[string]any{"id": "p1", "title": "second", "_version": 1}, "condition": nil}, "updatePost")
		if num(u["_version"]) != 2 || u["title"] != "second" || num(u["rating"]) != 3 || u["updatedAt"] == p["updatedAt"] {
			t.Fatalf("update: %v", u)
		}
		d := h.must(deletePost, map[string]any{"input": map[string]any{"id": "p1", "_version": 2}}, "deletePost")
		if num(d["_version"]) != 3 || d["_deleted"] != true || d["title"] != "second" {
			t.Fatalf("delete: %v", d)
		}
		g := h.must(`query operation($id: ID!) { getPost(id: $id) { id _deleted _version } }`, map[string]any{"id": "p1"}, "getPost")
		if g["_deleted"] != true {
			t.Fatalf("get of a tombstone: %v", g)
		}
		r := h.do(createPost, map[string]any{"input": post("p1", "again", 1)})
		if len(r.Errors) != 1 || r.Errors[0]["errorType"] != "ConditionalCheckFailedException" {
			t.Fatalf("create on a tombstoned id: %v", r.Errors)
		}
	})
}

func TestCreateGeneratesIDAndKeepsGivenOne(t *testing.T) {
	eachStore(t, func(t *testing.T, open storeOpener) {
		h := newHarness(t, open(t), nil)
		in := post("", "no id", 1)
		delete(in, "id")
		p := h.must(createPost, map[string]any{"input": in}, "createPost")
		if id, _ := p["id"].(string); len(id) != 36 {
			t.Fatalf("generated id %v", p["id"])
		}
	})
}

func TestAutomergeKeepsServerScalarsAndAppendsLists(t *testing.T) {
	eachStore(t, func(t *testing.T, open storeOpener) {
		h := newHarness(t, open(t), nil)
		in := post("p1", "server", 5)
		in["tags"] = []string{"a"}
		h.must(createPost, map[string]any{"input": in}, "createPost")
		h.must(updatePost, map[string]any{"input": map[string]any{"id": "p1", "rating": 6, "_version": 1}}, "updatePost")
		// A stale client (version 1) changes title, rating and tags.
		u := h.must(updatePost, map[string]any{"input": map[string]any{"id": "p1", "title": "stale", "tags": []string{"b"}, "meta": `{"x":1}`, "_version": 1}}, "updatePost")
		if u["title"] != "server" || num(u["rating"]) != 6 || fmt.Sprint(u["tags"]) != "[a b]" || u["meta"] != `{"x":1}` || num(u["_version"]) != 3 {
			t.Fatalf("automerge: %v", u)
		}
		// A missing _version is version 0: a conflict, merged the same way.
		u = h.must(updatePost, map[string]any{"input": map[string]any{"id": "p1", "title": "noversion"}}, "updatePost")
		if u["title"] != "server" || num(u["_version"]) != 4 {
			t.Fatalf("update without _version: %v", u)
		}
	})
}

func TestOptimisticConcurrencyRejectsWithServerItem(t *testing.T) {
	eachStore(t, func(t *testing.T, open storeOpener) {
		h := newHarness(t, open(t), func(c *Config) { c.ModelConflict = map[string]string{"Post": OptimisticConcurrency} })
		h.must(createPost, map[string]any{"input": post("p1", "server", 5)}, "createPost")
		h.must(updatePost, map[string]any{"input": map[string]any{"id": "p1", "rating": 6, "_version": 1}}, "updatePost")
		r := h.do(updatePost, map[string]any{"input": map[string]any{"id": "p1", "title": "stale", "_version": 1}})
		if len(r.Errors) != 1 || r.Data["updatePost"] != nil {
			t.Fatalf("stale update: %+v", r)
		}
		e := r.Errors[0]
		data, _ := e["data"].(map[string]any)
		if e["errorType"] != "ConflictUnhandled" || e["message"] != "Conflict resolver rejects mutation." || data["title"] != "server" || num(data["_version"]) != 2 {
			t.Fatalf("conflict error: %v", e)
		}
		if p := fmt.Sprint(e["path"]); p != "[updatePost]" {
			t.Fatalf("path %s", p)
		}
		// The stale delete is rejected too, under either handler.
		r = h.do(deletePost, map[string]any{"input": map[string]any{"id": "p1", "_version": 1}})
		if len(r.Errors) != 1 || r.Errors[0]["errorType"] != "ConflictUnhandled" {
			t.Fatalf("stale delete: %v", r.Errors)
		}
	})
}

func TestConditions(t *testing.T) {
	eachStore(t, func(t *testing.T, open storeOpener) {
		h := newHarness(t, open(t), nil)
		h.must(createPost, map[string]any{"input": post("p1", "t", 5)}, "createPost")
		r := h.do(updatePost, map[string]any{"input": map[string]any{"id": "p1", "title": "x", "_version": 1},
			"condition": map[string]any{"rating": map[string]any{"gt": 7}}})
		if len(r.Errors) != 1 || r.Errors[0]["errorType"] != "ConditionalCheckFailedException" {
			t.Fatalf("failed condition: %v", r.Errors)
		}
		h.must(updatePost, map[string]any{"input": map[string]any{"id": "p1", "title": "x", "_version": 1},
			"condition": map[string]any{"or": []any{map[string]any{"rating": map[string]any{"gt": 7}}, map[string]any{"title": map[string]any{"beginsWith": "t"}}}}}, "updatePost")
		r = h.do(updatePost, map[string]any{"input": map[string]any{"id": "missing", "title": "x", "_version": 1}})
		if len(r.Errors) != 1 || r.Errors[0]["errorType"] != "ConditionalCheckFailedException" {
			t.Fatalf("update of a missing record: %v", r.Errors)
		}
	})
}

func syncPage(h *harness, limit int, next any, lastSync int64) map[string]any {
	h.t.Helper()
	return h.must(syncPosts, map[string]any{"limit": limit, "nextToken": next, "lastSync": lastSync, "filter": nil}, "syncPosts")
}

func TestBaseAndDeltaSync(t *testing.T) {
	eachStore(t, func(t *testing.T, open storeOpener) {
		h := newHarness(t, open(t), func(c *Config) { c.ChangeLogTTL = time.Minute })
		for i := range 5 {
			h.must(createPost, map[string]any{"input": post(fmt.Sprintf("p%d", i), "t", i)}, "createPost")
		}
		h.must(deletePost, map[string]any{"input": map[string]any{"id": "p0", "_version": 1}}, "deletePost")
		// Base sync in pages of 2: startedAt fixed, nextToken null at the end, tombstones included.
		h.clock.advance(time.Second)
		var ids []string
		var startedAt any
		var next any
		pages := 0
		for {
			page := syncPage(h, 2, next, 0)
			pages++
			h.clock.advance(10 * time.Millisecond)
			if startedAt == nil {
				startedAt = page["startedAt"]
			} else if page["startedAt"] != startedAt {
				t.Fatalf("startedAt changed across pages: %v then %v", startedAt, page["startedAt"])
			}
			for _, it := range page["items"].([]any) {
				m := it.(map[string]any)
				ids = append(ids, fmt.Sprint(m["id"], m["_deleted"]))
			}
			if _, present := page["nextToken"]; !present {
				t.Fatal("nextToken is missing; it must be an explicit null")
			}
			if next = page["nextToken"]; next == nil {
				break
			}
		}
		if got := strings.Join(ids, " "); got != "p0true p1<nil> p2<nil> p3<nil> p4<nil>" || pages != 3 {
			t.Fatalf("base sync: %s in %d pages", got, pages)
		}
		// Delta: every write after startedAt, one entry per version, in commit order.
		last := num(startedAt)
		h.clock.advance(time.Second)
		h.must(updatePost, map[string]any{"input": map[string]any{"id": "p2", "title": "a", "_version": 1}}, "updatePost")
		h.must(updatePost, map[string]any{"input": map[string]any{"id": "p1", "title": "b", "_version": 1}}, "updatePost")
		h.must(updatePost, map[string]any{"input": map[string]any{"id": "p2", "title": "c", "_version": 2}}, "updatePost")
		h.must(deletePost, map[string]any{"input": map[string]any{"id": "p3", "_version": 1}}, "deletePost")
		page := syncPage(h, 1000, nil, last)
		var got []string
		for _, it := range page["items"].([]any) {
			m := it.(map[string]any)
			got = append(got, fmt.Sprintf("%v v%v", m["id"], m["_version"]))
		}
		if strings.Join(got, " ") != "p2 v2 p1 v2 p2 v3 p3 v2" || page["nextToken"] != nil {
			t.Fatalf("delta sync: %v, nextToken %v", got, page["nextToken"])
		}
		// A lastSync older than the change-log window gets a base sync.
		h.clock.advance(2 * time.Minute)
		page = syncPage(h, 1000, nil, last)
		if n := len(page["items"].([]any)); n != 5 {
			t.Fatalf("sync past the window returned %d items, want the 5 of a base sync", n)
		}
	})
}

func TestTombstonesAndChangeLogArePurged(t *testing.T) {
	eachStore(t, func(t *testing.T, open storeOpener) {
		store := open(t)
		h := newHarness(t, store, func(c *Config) { c.TombstoneTTL = time.Hour; c.ChangeLogTTL = time.Minute })
		h.must(createPost, map[string]any{"input": post("p1", "t", 1)}, "createPost")
		h.must(deletePost, map[string]any{"input": map[string]any{"id": "p1", "_version": 1}}, "deletePost")
		h.clock.advance(2 * time.Hour)
		now := h.clock.ms.Load()
		if err := store.Purge(t.Context(), now, now-time.Minute.Milliseconds()); err != nil {
			t.Fatal(err)
		}
		if page := syncPage(h, 100, nil, 0); len(page["items"].([]any)) != 0 {
			t.Fatalf("the tombstone survived its TTL: %v", page["items"])
		}
		if ch, err := store.Changes(t.Context(), "Post", 0, 0, 100); err != nil || len(ch) != 0 {
			t.Fatalf("change log after purge: %v %v", ch, err)
		}
	})
}

func TestRelationsResolve(t *testing.T) {
	eachStore(t, func(t *testing.T, open storeOpener) {
		h := newHarness(t, open(t), nil)
		h.must(createPost, map[string]any{"input": post("p1", "t", 1)}, "createPost")
		for i := range 3 {
			c := h.must(createComment, map[string]any{"input": map[string]any{"id": fmt.Sprint("c", i), "postID": "p1", "content": "hi"}}, "createComment")
			if parent, _ := c["post"].(map[string]any); parent["id"] != "p1" || parent["_deleted"] != nil {
				t.Fatalf("belongs-to: %v", c["post"])
			}
		}
		q := `query operation($id: ID!) { getPost(id: $id) { id comments(limit: 2) { items { id post { title } } nextToken } } }`
		p := h.must(q, map[string]any{"id": "p1"}, "getPost")
		conn := p["comments"].(map[string]any)
		if len(conn["items"].([]any)) != 2 || conn["nextToken"] == nil {
			t.Fatalf("has-many first page: %v", conn)
		}
		q2 := `query operation($id: ID!, $t: String) { getPost(id: $id) { comments(limit: 2, nextToken: $t) { items { id } nextToken } } }`
		p = h.must(q2, map[string]any{"id": "p1", "t": conn["nextToken"]}, "getPost")
		if conn := p["comments"].(map[string]any); len(conn["items"].([]any)) != 1 || conn["nextToken"] != nil {
			t.Fatalf("has-many second page: %v", conn)
		}
		h.must(deletePost, map[string]any{"input": map[string]any{"id": "p1", "_version": 1}}, "deletePost")
		c := h.must(deleteComment, map[string]any{"input": map[string]any{"id": "c0", "_version": 1}}, "deleteComment")
		if parent, _ := c["post"].(map[string]any); parent["_deleted"] != true {
			t.Fatalf("a tombstoned parent must resolve with _deleted true: %v", c["post"])
		}
	})
}

func TestIntrospection(t *testing.T) {
	eachStore(t, func(t *testing.T, open storeOpener) {
		h := newHarness(t, open(t), nil)
		q := `{ __schema { queryType { name } subscriptionType { fields { name args { name type { name } } } } }
			__type(name: "Post") { kind fields { name type { kind name ofType { kind name } } } } }`
		r := h.do(q, nil)
		if len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		s := fmt.Sprint(r.Data)
		for _, want := range []string{"onCreatePost", "ModelSubscriptionPostFilterInput", "_lastChangedAt", "AWSTimestamp", "ModelCommentConnection"} {
			if !strings.Contains(s, want) {
				t.Fatalf("introspection lacks %s: %s", want, s)
			}
		}
		if !strings.Contains(h.srv.SDL(), "syncPosts(filter: ModelPostFilterInput, limit: Int, nextToken: String, lastSync: AWSTimestamp): ModelPostConnection") {
			t.Fatal("syncPosts has the wrong signature")
		}
	})
}

func TestBadInputChangesNothing(t *testing.T) {
	eachStore(t, func(t *testing.T, open storeOpener) {
		h := newHarness(t, open(t), func(c *Config) { c.MaxBodyBytes = 4096; c.MaxDepth = 6 })
		if r := h.post([]byte(`{"query":"{ listPosts { items { id } } }"}`), ""); r.Status != 401 || r.Errors[0]["errorType"] != "UnauthorizedException" {
			t.Fatalf("missing key: %+v", r)
		}
		if r := h.post([]byte(`{"query":"{ listPosts { items { id } } }"}`), "wrong"); r.Status != 401 {
			t.Fatalf("wrong key: %+v", r)
		}
		cases := map[string]result{
			"malformed":      h.post([]byte(`{"query": "mutation {`), h.key),
			"bad document":   h.do(`mutation { createPost(input: {title: "x"}) { id `, nil),
			"unknown field":  h.do(`{ listPosts { items { id nope } } }`, nil),
			"unknown type":   h.do(`query ($f: NoSuchInput) { listPosts(filter: $f) { items { id } } }`, nil),
			"wrong var type": h.do(createPost, map[string]any{"input": map[string]any{"title": "x", "rating": "five", "status": "ACTIVE"}}),
			"bad enum":       h.do(createPost, map[string]any{"input": map[string]any{"title": "x", "rating": 1, "status": "GONE"}}),
			"bad AWSJSON":    h.do(createPost, map[string]any{"input": map[string]any{"title": "x", "rating": 1, "status": "ACTIVE", "meta": "{not json"}}),
			"too big":        h.do(createPost, map[string]any{"input": map[string]any{"title": strings.Repeat("x", 5000), "rating": 1, "status": "ACTIVE"}}),
			"too deep":       h.do(`{ listComments { items { post { comments { items { post { comments { items { id } } } } } } } } }`, nil),
		}
		for name, r := range cases {
			if len(r.Errors) == 0 || r.Errors[0]["message"] == nil {
				t.Errorf("%s: no error: %+v", name, r)
			}
		}
		if page := syncPage(h, 100, nil, 0); len(page["items"].([]any)) != 0 {
			t.Fatalf("bad input wrote something: %v", page["items"])
		}
		h.must(createPost, map[string]any{"input": post("p1", "ok", 1)}, "createPost")
	})
}
