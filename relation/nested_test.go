package relation

import (
	"fmt"
	"sort"
	"testing"
)

func rel(field string, child *Predicate) *Predicate {
	return &Predicate{Group: relGroup, Field: field, Children: []*Predicate{child}}
}

func cond(field, op string, value any) *Predicate {
	return &Predicate{Field: field, Op: op, Value: value}
}

func titles(t *testing.T, e *Engine, model string, p *Predicate, field string) string {
	t.Helper()
	recs, err := e.Query(ctx, model, QueryOptions{Predicate: p})
	if err != nil {
		t.Fatalf("query %s: %v", model, err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, fmt.Sprint(r[field]))
	}
	sort.Strings(out)
	return fmt.Sprint(out)
}

func TestConditionsOnRelatedModels(t *testing.T) {
	e := newEngine(t, blogSDL)
	a := save(t, e, "Post", build(t, e, "Post", Record{"title": "a", "rating": 1.0, "status": "ACTIVE"})).Record
	b := save(t, e, "Post", build(t, e, "Post", Record{"title": "b", "rating": 2.0, "status": "ACTIVE"})).Record
	save(t, e, "Post", build(t, e, "Post", Record{"title": "lonely", "rating": 3.0, "status": "ACTIVE"}))
	for _, c := range []struct {
		post    Record
		content string
	}{{a, "hello"}, {a, "bye"}, {b, "hello"}} {
		save(t, e, "Comment", build(t, e, "Comment", Record{"content": c.content, "post": c.post}))
	}
	for _, tc := range []struct {
		name, model string
		p           *Predicate
		field, want string
	}{
		{"belongs-to", "Comment", rel("post", cond("title", "eq", "a")), "content", "[bye hello]"},
		{"belongs-to by key", "Comment", rel("post", cond("id", "eq", b["id"])), "content", "[hello]"},
		{"has-many: exists", "Post", rel("comments", cond("content", "eq", "hello")), "title", "[a b]"},
		{"has-many: none match", "Post", rel("comments", cond("content", "eq", "nope")), "title", "[]"},
		{"and: different children may match", "Post", &Predicate{Group: "and", Children: []*Predicate{
			rel("comments", cond("content", "eq", "hello")), rel("comments", cond("content", "eq", "bye"))}}, "title", "[a]"},
		{"or with a field", "Post", &Predicate{Group: "or", Children: []*Predicate{
			rel("comments", cond("content", "eq", "bye")), cond("rating", "eq", 3.0)}}, "title", "[a lonely]"},
		{"not: no comment matches (posts without comments too)", "Post", &Predicate{Group: "not", Children: []*Predicate{
			rel("comments", cond("content", "eq", "bye"))}}, "title", "[b lonely]"},
		{"two levels: comments of posts having a hello", "Comment", rel("post", rel("comments", cond("content", "eq", "bye"))), "content", "[bye hello]"},
	} {
		if got := titles(t, e, tc.model, tc.p, tc.field); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	plan, err := e.Explain("Comment", QueryOptions{Predicate: rel("post", cond("title", "eq", "a"))})
	if err != nil || plan.Access != "keys" || plan.Index != "postCommentsId" || len(plan.Steps) != 1 || plan.Steps[0].Store != "Post" {
		t.Errorf("explain: %+v %v", plan, err)
	}
	_, err = e.Save(ctx, "Post", a, SaveOptions{Condition: rel("comments", cond("content", "eq", "x"))})
	wantMessage(t, err, ErrUsage, "Predication on releated models is not supported in this context.")
}

func TestConditionsThroughAJoinModelAndCompositeKeys(t *testing.T) {
	e := newEngine(t, string(readSchemaFile(t, "post-tag.graphql")))
	p1 := save(t, e, "Post", build(t, e, "Post", Record{"body": "one"})).Record
	p2 := save(t, e, "Post", build(t, e, "Post", Record{"body": "two"})).Record
	red := save(t, e, "Tag", build(t, e, "Tag", Record{"label": "red"})).Record
	blue := save(t, e, "Tag", build(t, e, "Tag", Record{"label": "blue"})).Record
	save(t, e, "PostTag", build(t, e, "PostTag", Record{"post": p1, "tag": red}))
	save(t, e, "PostTag", build(t, e, "PostTag", Record{"post": p2, "tag": blue}))
	save(t, e, "PostTag", build(t, e, "PostTag", Record{"post": p2, "tag": red}))
	if got := titles(t, e, "Post", rel("tags", rel("tag", cond("label", "eq", "blue"))), "body"); got != "[two]" {
		t.Errorf("p.tags.tag.label = blue: %s", got)
	}
	if got := titles(t, e, "Tag", rel("posts", rel("post", cond("body", "eq", "one"))), "label"); got != "[red]" {
		t.Errorf("from the other side: %s", got)
	}

	k := newEngine(t, string(readSchemaFile(t, "keys.graphql")))
	s1 := save(t, k, "Store", build(t, k, "Store", Record{"storeId": "s", "region": "eu", "name": "A"})).Record
	save(t, k, "Store", build(t, k, "Store", Record{"storeId": "s", "region": "us", "name": "B"}))
	save(t, k, "StoreItem", build(t, k, "StoreItem", Record{"name": "x", "store": s1}))
	if got := titles(t, k, "StoreItem", rel("store", cond("name", "eq", "A")), "name"); got != "[x]" {
		t.Errorf("composite belongs-to: %s", got)
	}
	if got := titles(t, k, "Store", rel("items", cond("name", "eq", "x")), "name"); got != "[A]" {
		t.Errorf("composite has-many: %s", got)
	}
}

func TestOperandTypesAreChecked(t *testing.T) {
	e := newEngine(t, blogSDL)
	for _, tc := range []struct {
		p    *Predicate
		want string
	}{
		{cond("rating", "eq", "5"), `Invalid predicate. Post.rating holds a number, and eq() was given a string "5"`},
		{cond("title", "gt", 3.0), "Invalid predicate. Post.title holds a string, and gt() was given a number 3"},
		{cond("rating", "beginsWith", "1"), "Invalid predicate. beginsWith() needs a string field, and Post.rating holds a number"},
		{cond("rating", "in", []any{1.0, "2"}), `Invalid predicate. Post.rating holds a number, and in() was given a string "2"`},
	} {
		_, err := e.Query(ctx, "Post", QueryOptions{Predicate: tc.p})
		wantMessage(t, err, ErrUsage, tc.want)
	}
	if _, err := e.Query(ctx, "Post", QueryOptions{Predicate: cond("rating", "eq", nil)}); err != nil {
		t.Errorf("eq(null) is allowed: %v", err)
	}
}

func TestQueryIncludingLoadsPathsInOneRead(t *testing.T) {
	e := newEngine(t, string(readSchemaFile(t, "post-tag.graphql")))
	p1 := save(t, e, "Post", build(t, e, "Post", Record{"body": "one"})).Record
	red := save(t, e, "Tag", build(t, e, "Tag", Record{"label": "red"})).Record
	blue := save(t, e, "Tag", build(t, e, "Tag", Record{"label": "blue"})).Record
	save(t, e, "PostTag", build(t, e, "PostTag", Record{"post": p1, "tag": red}))
	save(t, e, "PostTag", build(t, e, "PostTag", Record{"post": p1, "tag": blue}))
	recs, err := e.QueryIncluding(ctx, "Post", Record{"id": p1["id"]}, QueryOptions{}, [][]string{{"tags", "tag"}})
	if err != nil || len(recs) != 1 {
		t.Fatalf("%v %v", recs, err)
	}
	joins := recs[0][IncludedField].(map[string]any)["tags"].([]any)
	var labels []string
	for _, j := range joins {
		tag := j.(Record)[IncludedField].(map[string]any)["tag"].(Record)
		labels = append(labels, tag["label"].(string))
	}
	if fmt.Sprint(labels) != "[red blue]" {
		t.Errorf("included tags: %v", labels)
	}
	_, err = e.QueryIncluding(ctx, "Post", nil, QueryOptions{}, [][]string{{"body"}})
	wantMessage(t, err, ErrUsage, "Invalid include: Post.body is not a relation field (include: p => [p.body])")
}

func TestCompositeKeyPrefixesAreRanges(t *testing.T) {
	e := newEngine(t, `
type Inventory @model { productID: ID! @primaryKey(sortKeyFields: ["warehouseID"]) warehouseID: ID! quantity: Int! }
type Event @model { id: ID! room: String! @index(name: "byRoom", sortKeyFields: ["at"]) at: Int! }`)
	for _, r := range []Record{{"productID": "p1", "warehouseID": "w1", "quantity": 1.0}, {"productID": "p1", "warehouseID": "w2", "quantity": 2.0}, {"productID": "p2", "warehouseID": "w1", "quantity": 3.0}} {
		save(t, e, "Inventory", build(t, e, "Inventory", r))
	}
	for i, r := range []string{"a", "a", "a", "b"} {
		save(t, e, "Event", build(t, e, "Event", Record{"room": r, "at": float64(i)}))
	}
	byProduct := cond("productID", "eq", "p1")
	plan, _ := e.Explain("Inventory", QueryOptions{Predicate: byProduct})
	if plan.Access != "range" || plan.Index != "" {
		t.Errorf("eq on the first key field: %+v", plan)
	}
	if got := titles(t, e, "Inventory", byProduct, "warehouseID"); got != "[w1 w2]" {
		t.Errorf("prefix read: %s", got)
	}
	roomRange := &Predicate{Group: "and", Children: []*Predicate{cond("room", "eq", "a"), cond("at", "ge", 1.0)}}
	plan, _ = e.Explain("Event", QueryOptions{Predicate: roomRange})
	if plan.Access != "range" || plan.Index != "room-at" {
		t.Errorf("eq then a range on the sort key: %+v", plan)
	}
	if got := titles(t, e, "Event", roomRange, "at"); got != "[1 2]" {
		t.Errorf("room a from 1: %s", got)
	}
}
