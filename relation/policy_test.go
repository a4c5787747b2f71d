package relation

import (
	"errors"
	"strings"
	"testing"
)

func TestDeletePolicies(t *testing.T) {
	sdl := `
type Post @model { id: ID! title: String! comments: [Comment] @hasMany(onDelete: "restrict") notes: [Note] @hasMany(onDelete: SET_NULL) }
type Comment @model { id: ID! content: String post: Post @belongsTo }
type Note @model { id: ID! text: String post: Post @belongsTo }`
	e := newEngine(t, sdl)
	p := save(t, e, "Post", build(t, e, "Post", Record{"title": "p"})).Record
	c := save(t, e, "Comment", build(t, e, "Comment", Record{"content": "c", "post": p})).Record
	save(t, e, "Note", build(t, e, "Note", Record{"text": "n", "post": p}))
	_, err := e.Delete(ctx, "Post", DeleteTarget{Key: p, Instance: true})
	if !errors.Is(err, ErrRestrict) || !strings.HasPrefix(err.Error(), "Cannot delete the Post: its comments restrict the delete (onDelete: restrict); delete or move them first (Comment \""+c["id"].(string)+"\")") {
		t.Fatalf("restrict: %v", err)
	}
	if count(t, e, "Post") != 1 || count(t, e, "Note") != 1 {
		t.Error("a restricted delete changed something")
	}
	if _, err := e.Delete(ctx, "Comment", DeleteTarget{Key: c}); err != nil {
		t.Fatal(err)
	}
	res, err := e.Delete(ctx, "Post", DeleteTarget{Key: p, Instance: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 2 || res.Changes[0].OpType != Delete || res.Changes[1].OpType != Update || res.Changes[1].Record["postNotesId"] != nil {
		t.Errorf("setNull: %+v", res.Changes)
	}
	if count(t, e, "Note") != 1 {
		t.Error("setNull deleted the note")
	}

	// The option form, and its checks.
	s, _ := ParseSDL(blogSDL)
	if err := s.SetOnDelete("Post", "comments", "restrict"); err != nil || s.Model("Post").Relation("comments").OnDelete != Restrict {
		t.Errorf("SetOnDelete: %v", err)
	}
	for _, tc := range []struct{ model, field, policy, want string }{
		{"Post", "comments", "sometimes", "onDelete must be cascade, setNull or restrict"},
		{"Comment", "post", "cascade", "onDelete belongs on the parent's @hasMany"},
		{"Post", "title", "cascade", "not a relation"},
	} {
		if err := s.SetOnDelete(tc.model, tc.field, tc.policy); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SetOnDelete(%s.%s, %s) = %v", tc.model, tc.field, tc.policy, err)
		}
	}
	_, err = ParseSDL(`type Post @model { id: ID! cs: [C] @hasMany(indexName: "byPost", fields: ["id"], onDelete: "setNull") }
type C @model { id: ID! postID: ID! @index(name: "byPost") }`)
	if err == nil || !strings.Contains(err.Error(), "setNull needs C.postID to be optional") || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("setNull on a required key: %v", err)
	}
}

// Deleting a has-one target clears the source's key (UPDATE) instead of
// leaving it dangling; deleting the source still deletes the target.
func TestDeletingAHasOneTargetClearsTheSourceKey(t *testing.T) {
	e := newEngine(t, string(readSchemaFile(t, "post-author.graphql")))
	author := save(t, e, "Author", build(t, e, "Author", Record{"name": "n"})).Record
	post := save(t, e, "Post", build(t, e, "Post", Record{"title": "t", "author": author})).Record
	res, err := e.Delete(ctx, "Author", DeleteTarget{Key: author, Instance: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 2 || res.Changes[1].OpType != Update || res.Changes[1].Model != "Post" || res.Changes[1].Record["postAuthorId"] != nil {
		t.Fatalf("changes: %+v", res.Changes)
	}
	got, _ := e.Get(ctx, "Post", Record{"id": post["id"]})
	if got["postAuthorId"] != nil || got["title"] != "t" {
		t.Errorf("the post after its author's delete: %v", got)
	}
}

// Two models that each have one of the other: a delete's walk ends.
func TestAHasOneCycleTerminates(t *testing.T) {
	e := newEngine(t, `
type A @model { id: ID! b: B @hasOne(fields: ["bID"]) bID: ID }
type B @model { id: ID! a: A @hasOne(fields: ["aID"]) aID: ID }`)
	a := save(t, e, "A", build(t, e, "A", Record{"id": "a", "bID": "b"})).Record
	save(t, e, "B", build(t, e, "B", Record{"id": "b", "aID": "a"}))
	res, err := e.Delete(ctx, "A", DeleteTarget{Key: a})
	if err != nil || len(res.Changes) != 2 || count(t, e, "A")+count(t, e, "B") != 0 {
		t.Errorf("cycle: %+v %v", res.Changes, err)
	}
}
