package relation

import (
	"context"
	"fmt"
	"testing"
	"time"
)

var ctx = context.Background()

func TestSaveInsertsThenUpdates(t *testing.T) {
	e := newEngine(t, blogSDL)
	post := build(t, e, "Post", Record{"title": "a", "rating": 1.0, "status": "ACTIVE"})
	first := save(t, e, "Post", post)
	if len(first.Changes) != 1 || first.Changes[0].OpType != Insert {
		t.Fatalf("first save: %+v", first.Changes)
	}
	if first.Record["createdAt"] == nil || first.Record["updatedAt"] == nil {
		t.Error("timestamps are managed")
	}
	again := save(t, e, "Post", first.Record)
	if len(again.Changes) != 0 {
		t.Errorf("saving an unchanged record reports nothing: %+v", again.Changes)
	}
	changed, _ := e.Schema.CopyOf(e.Schema.Model("Post"), first.Record, Record{"title": "b"})
	upd := save(t, e, "Post", changed)
	if len(upd.Changes) != 1 || upd.Changes[0].OpType != Update || upd.Record["createdAt"] != first.Record["createdAt"] {
		t.Errorf("update: %+v", upd)
	}
	if n := count(t, e, "Post"); n != 1 {
		t.Errorf("%d posts stored", n)
	}
}

func TestSaveRevalidatesAndChecksParents(t *testing.T) {
	e := newEngine(t, blogSDL)
	_, err := e.Save(ctx, "Post", build(t, e, "Post", Record{"title": "a"}), SaveOptions{})
	wantMessage(t, err, ErrValidation, "Field rating is required")

	orphan := build(t, e, "Comment", Record{"content": "x", "postCommentsId": "nope"})
	_, err = e.Save(ctx, "Comment", orphan, SaveOptions{Text: `{"id":"c1"}`})
	wantMessage(t, err, ErrIntegrity, `Data integrity error. You tried to save a Comment ({"id":"c1"}) but the instance assigned to the "post" property does not exist in the local database. If you're trying to create the related "Post", you must save it independently first.`)
	if n := count(t, e, "Comment"); n != 0 {
		t.Errorf("a refused save wrote %d records", n)
	}
}

func TestConditionalSave(t *testing.T) {
	e := newEngine(t, blogSDL)
	p := save(t, e, "Post", build(t, e, "Post", Record{"title": "a", "rating": 1.0, "status": "ACTIVE"})).Record
	upd, _ := e.Schema.CopyOf(e.Schema.Model("Post"), p, Record{"title": "b"})
	_, err := e.Save(ctx, "Post", upd, SaveOptions{Condition: &Predicate{Field: "rating", Op: "gt", Value: 3.0}})
	wantMessage(t, err, ErrCondition, "Conditional update failed")
	if _, err := e.Save(ctx, "Post", upd, SaveOptions{Condition: &Predicate{Field: "rating", Op: "eq", Value: 1.0}}); err != nil {
		t.Fatal(err)
	}
}

func seedBlog(t *testing.T, e *Engine, posts, commentsEach int) []Record {
	var out []Record
	for i := 0; i < posts; i++ {
		p := save(t, e, "Post", build(t, e, "Post", Record{"title": fmt.Sprintf("post %d", i), "rating": float64(i % 5), "status": "ACTIVE"})).Record
		out = append(out, p)
		for j := 0; j < commentsEach; j++ {
			save(t, e, "Comment", build(t, e, "Comment", Record{"content": fmt.Sprintf("c%d-%d", i, j), "post": p}))
		}
	}
	return out
}

func TestQueryUsesIndexesAndFilters(t *testing.T) {
	e := newEngine(t, blogSDL)
	posts := seedBlog(t, e, 3, 2)
	pred := &Predicate{Field: "postCommentsId", Op: "eq", Value: posts[1]["id"]}
	plan, err := e.Explain("Comment", QueryOptions{Predicate: pred})
	if err != nil || plan.Index != "postCommentsId" || plan.Access != "key" {
		t.Errorf("plan %+v, %v", plan, err)
	}
	got, err := e.Query(ctx, "Comment", QueryOptions{Predicate: pred})
	if err != nil || len(got) != 2 {
		t.Fatalf("comments of one post: %d, %v", len(got), err)
	}
	byID, _ := e.Explain("Post", QueryOptions{Predicate: &Predicate{Field: "id", Op: "eq", Value: "x"}})
	if byID.Access != "key" || byID.Index != "" {
		t.Errorf("eq on the primary key reads by key: %+v", byID)
	}
	scan, _ := e.Explain("Post", QueryOptions{Predicate: &Predicate{Field: "title", Op: "eq", Value: "x"}})
	if scan.Access != "scan" {
		t.Errorf("no index on title: %+v", scan)
	}
	or := &Predicate{Group: "or", Children: []*Predicate{{Field: "rating", Op: "eq", Value: 0.0}, {Field: "title", Op: "beginsWith", Value: "post 2"}}}
	got, _ = e.Query(ctx, "Post", QueryOptions{Predicate: or, Sort: []SortKey{{Field: "title", Direction: "DESCENDING"}}})
	if len(got) != 2 || got[0]["title"] != "post 2" || got[1]["title"] != "post 0" {
		t.Errorf("or + sort: %v", got)
	}
}

func TestPagination(t *testing.T) {
	e := newEngine(t, blogSDL)
	seedBlog(t, e, 5, 0)
	sorted := QueryOptions{Sort: []SortKey{{Field: "title", Direction: "ASCENDING"}}}
	for _, tc := range []struct {
		limit, page any
		want        []string
		err         string
	}{
		{2.0, 1.0, []string{"post 2", "post 3"}, ""},
		{2.0, 9.0, []string{}, ""},
		{0.0, nil, []string{"post 0", "post 1", "post 2", "post 3", "post 4"}, ""},
		{nil, 1.0, nil, "Limit is required when requesting a page"},
		{2.0, -1.0, nil, "Page can't be negative"},
		{"x", nil, nil, "Limit should be a number"},
		{-1.0, nil, nil, "Limit can't be negative"},
		{2.0, "1", nil, "Page should be a number"},
	} {
		opts := sorted
		opts.Limit, opts.Page = tc.limit, tc.page
		got, err := e.Query(ctx, "Post", opts)
		if tc.err != "" {
			wantMessage(t, err, ErrUsage, tc.err)
			continue
		}
		var titles []string
		for _, r := range got {
			titles = append(titles, r["title"].(string))
		}
		if fmt.Sprint(titles) != fmt.Sprint(tc.want) {
			t.Errorf("limit %v page %v: %v, want %v", tc.limit, tc.page, titles, tc.want)
		}
	}
}

func TestRelatedReadsFresh(t *testing.T) {
	e := newEngine(t, blogSDL)
	posts := seedBlog(t, e, 2, 3)
	kids, err := e.Related(ctx, "Post", "comments", posts[0], 0)
	if err != nil || len(kids) != 3 {
		t.Fatalf("has-many: %d %v", len(kids), err)
	}
	capped, _ := e.Related(ctx, "Post", "comments", posts[0], 2)
	if len(capped) != 2 {
		t.Errorf("max 2: %d", len(capped))
	}
	parent, err := e.Related(ctx, "Comment", "post", kids[0], 0)
	if err != nil || len(parent) != 1 || parent[0]["id"] != posts[0]["id"] {
		t.Errorf("belongs-to: %v %v", parent, err)
	}
	none, _ := e.Related(ctx, "Comment", "post", Record{"postCommentsId": nil}, 0)
	if len(none) != 0 {
		t.Error("a null key relates nothing")
	}
}

func TestCascadeDeleteIsRecursiveAndOrdered(t *testing.T) {
	e := newEngine(t, `
type Blog @model { id: ID! name: String! posts: [Post] @hasMany }
type Post @model { id: ID! title: String! blog: Blog @belongsTo comments: [Comment] @hasMany }
type Comment @model { id: ID! content: String! post: Post @belongsTo }`)
	blog := save(t, e, "Blog", build(t, e, "Blog", Record{"name": "b"})).Record
	other := save(t, e, "Blog", build(t, e, "Blog", Record{"name": "keep"})).Record
	for i := 0; i < 2; i++ {
		p := save(t, e, "Post", build(t, e, "Post", Record{"title": "p", "blog": blog})).Record
		for j := 0; j < 3; j++ {
			save(t, e, "Comment", build(t, e, "Comment", Record{"content": "c", "post": p}))
		}
	}
	kept := save(t, e, "Post", build(t, e, "Post", Record{"title": "kept", "blog": other})).Record
	res, err := e.Delete(ctx, "Blog", DeleteTarget{Key: blog, Instance: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 1+2+6 {
		t.Fatalf("%d DELETE messages, want 9", len(res.Changes))
	}
	for i, c := range res.Changes {
		want := "Comment"
		if i >= 6 {
			want = "Post"
		}
		if i == 8 {
			want = "Blog"
		}
		if c.OpType != Delete || c.Model != want {
			t.Errorf("message %d: %s %s, want DELETE %s (descendants first)", i, c.OpType, c.Model, want)
		}
	}
	if root := res.Changes[8]; root.Condition == nil || root.Condition.Children[0].Value != blog["id"] {
		t.Errorf("the root message carries the key condition: %+v", root.Condition)
	}
	if count(t, e, "Comment") != 0 || count(t, e, "Blog") != 1 || count(t, e, "Post") != 1 {
		t.Error("the cascade left records behind or took too many")
	}
	// Deleting a child never touches its parent.
	if _, err := e.Delete(ctx, "Post", DeleteTarget{Key: kept, Instance: true}); err != nil || count(t, e, "Blog") != 1 {
		t.Errorf("deleting a belongs-to side removed its parent (%v)", err)
	}
}

func TestDeleteByPredicateAndAll(t *testing.T) {
	e := newEngine(t, blogSDL)
	seedBlog(t, e, 4, 1)
	res, err := e.Delete(ctx, "Post", DeleteTarget{Predicate: &Predicate{Field: "rating", Op: "lt", Value: 2.0}})
	if err != nil || len(res.Roots) != 2 || len(res.Changes) != 4 {
		t.Fatalf("delete by predicate: %d roots, %d changes, %v", len(res.Roots), len(res.Changes), err)
	}
	if count(t, e, "Comment") != 2 {
		t.Error("the deleted posts' comments are gone, the others kept")
	}
	if _, err := e.Delete(ctx, "Post", DeleteTarget{All: true}); err != nil || count(t, e, "Post")+count(t, e, "Comment") != 0 {
		t.Errorf("delete all: %v", err)
	}
}

func TestConditionalDeleteAndMissingRecord(t *testing.T) {
	e := newEngine(t, blogSDL)
	p := seedBlog(t, e, 1, 1)[0]
	_, err := e.Delete(ctx, "Post", DeleteTarget{Key: p, Instance: true, Condition: &Predicate{Field: "rating", Op: "eq", Value: 4.0}})
	wantMessage(t, err, ErrCondition, "Conditional update failed")
	if count(t, e, "Comment") != 1 {
		t.Error("a failed condition deleted something")
	}
	res, err := e.Delete(ctx, "Post", DeleteTarget{Key: Record{"id": "absent"}, Instance: true})
	if err != nil || len(res.Changes) != 0 {
		t.Errorf("deleting an absent record: %v %v", res, err)
	}
}

func TestHasOneAndManyToManyCascade(t *testing.T) {
	e := newEngine(t, string(readSchemaFile(t, "post-tag.graphql")))
	post := save(t, e, "Post", build(t, e, "Post", Record{"body": "b"})).Record
	tag := save(t, e, "Tag", build(t, e, "Tag", Record{"label": "l"})).Record
	save(t, e, "PostTag", build(t, e, "PostTag", Record{"post": post, "tag": tag}))
	if _, err := e.Delete(ctx, "Post", DeleteTarget{Key: post}); err != nil {
		t.Fatal(err)
	}
	if count(t, e, "PostTag") != 0 || count(t, e, "Tag") != 1 {
		t.Error("many-to-many: the join record goes, the other side stays")
	}

	a := newEngine(t, string(readSchemaFile(t, "post-author.graphql")))
	author := save(t, a, "Author", build(t, a, "Author", Record{"name": "n"})).Record
	p := save(t, a, "Post", build(t, a, "Post", Record{"title": "t", "author": author})).Record
	got, _ := a.Related(ctx, "Post", "author", p, 0)
	if len(got) != 1 {
		t.Fatalf("has-one read: %v", got)
	}
	if _, err := a.Delete(ctx, "Post", DeleteTarget{Key: p}); err != nil || count(t, a, "Author") != 0 {
		t.Errorf("deleting a has-one source deletes its target (%v)", err)
	}
}

func TestPredicateValidation(t *testing.T) {
	e := newEngine(t, blogSDL)
	for _, tc := range []struct {
		p    *Predicate
		want string
	}{
		{&Predicate{Field: "nope", Op: "eq", Value: 1.0}, "Invalid field for model. field: nope, model: Post"},
		{&Predicate{Field: "rating", Op: "between", Value: []any{5.0, 1.0}}, "Incorrect usage of `between()`: The first argument must be less than or equal to the second argument."},
		{&Predicate{Field: "rating", Op: "in", Value: 1.0}, "Incorrect usage of `in()`: The argument must be an array."},
	} {
		_, err := e.Query(ctx, "Post", QueryOptions{Predicate: tc.p})
		wantMessage(t, err, ErrUsage, tc.want)
	}
}

func TestPredicateSemanticsAreJavaScripts(t *testing.T) {
	rec := Record{"n": 5.0, "s": "abc", "null": nil, "list": []any{"x", "y"}}
	for _, tc := range []struct {
		p    Predicate
		want bool
	}{
		{Predicate{Field: "n", Op: "gt", Value: nil}, true},    // 5 > null
		{Predicate{Field: "s", Op: "gt", Value: nil}, false},   // 'abc' > null
		{Predicate{Field: "null", Op: "eq", Value: nil}, true}, // unset fields are null
		{Predicate{Field: "n", Op: "between", Value: []any{5.0, 5.0}}, true},
		{Predicate{Field: "s", Op: "contains", Value: "b"}, true},
		{Predicate{Field: "list", Op: "contains", Value: "y"}, true},
		{Predicate{Field: "null", Op: "notContains", Value: "y"}, true},
		{Predicate{Field: "s", Op: "beginsWith", Value: "ab"}, true},
		{Predicate{Field: "s", Op: "in", Value: []any{"abc"}}, true},
		{Predicate{Field: "s", Op: "eq", Value: "a%"}, false},
		{Predicate{Group: "not", Children: []*Predicate{{Field: "n", Op: "eq", Value: 5.0}}}, false},
		{Predicate{Group: "or"}, true},
	} {
		if got := tc.p.Matches(rec); got != tc.want {
			t.Errorf("%+v: %v, want %v", tc.p, got, tc.want)
		}
	}
}

func TestISOTimeIsJavaScriptsToISOString(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 11, 21, 9, 5, 3, 7e6, time.UTC), "2026-11-21T09:05:03.007Z"},
		{time.Date(999, 1, 2, 23, 59, 59, 999999999, time.FixedZone("x", 3600)), "0999-01-02T22:59:59.999Z"},
	} {
		if got := isoTime(tc.t); got != tc.want {
			t.Errorf("isoTime(%v) = %s, want %s", tc.t, got, tc.want)
		}
	}
}
