package relation

import (
	"testing"
)

// A dry run reports what the real delete then does, and writes nothing;
// a restricted one lists its blocking records instead of failing.
func TestDryRunDeleteReportsWhatDeleteDoes(t *testing.T) {
	sdl := `
type Blog @model { id: ID! name: String posts: [Post] @hasMany }
type Post @model { id: ID! title: String! blog: Blog @belongsTo comments: [Comment] @hasMany notes: [Note] @hasMany(onDelete: SET_NULL) pins: [Pin] @hasMany(onDelete: RESTRICT) }
type Comment @model { id: ID! content: String post: Post @belongsTo }
type Note @model { id: ID! text: String post: Post @belongsTo }
type Pin @model { id: ID! post: Post @belongsTo }`
	e := newEngine(t, sdl)
	b := save(t, e, "Blog", build(t, e, "Blog", Record{"name": "b"})).Record
	p := save(t, e, "Post", build(t, e, "Post", Record{"title": "p", "blog": b})).Record
	c := save(t, e, "Comment", build(t, e, "Comment", Record{"content": "c", "post": p})).Record
	n := save(t, e, "Note", build(t, e, "Note", Record{"text": "n", "post": p})).Record
	pin := save(t, e, "Pin", build(t, e, "Pin", Record{"post": p})).Record

	out, err := e.DryRunDelete(ctx, "Blog", DeleteTarget{Key: b, Instance: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Blocked) != 1 || out.Blocked[0].Store != "Pin" || out.Blocked[0].Record["id"] != pin["id"] || out.Blocked[0].Via != "Post.pins" {
		t.Errorf("blocked: %+v", out.Blocked)
	}
	if len(out.Removed) != 3 || out.Roots != 1 || out.Removed[0].Store != "Comment" || out.Removed[0].Record["id"] != c["id"] ||
		out.Removed[0].Via != "Post.comments" || out.Removed[1].Via != "Blog.posts" || out.Removed[2].Record["id"] != b["id"] || out.Removed[2].Via != "" {
		t.Errorf("removed: %+v", out.Removed)
	}
	if len(out.Updated) != 1 || out.Updated[0].Record["id"] != n["id"] || out.Updated[0].Via != "Post.notes" ||
		len(out.Updated[0].Fields) != 1 || out.Updated[0].Fields[0] != "postNotesId" || out.Updated[0].Record["postNotesId"] != p["id"] {
		t.Errorf("updated (as stored now, with the fields to clear): %+v", out.Updated)
	}
	for _, m := range []string{"Blog", "Post", "Comment", "Note", "Pin"} {
		if count(t, e, m) != 1 {
			t.Errorf("the dry run changed %s", m)
		}
	}

	// Without the pin the real delete does what the dry run said.
	if _, err := e.Delete(ctx, "Pin", DeleteTarget{Key: pin}); err != nil {
		t.Fatal(err)
	}
	plan, err := e.DryRunDelete(ctx, "Blog", DeleteTarget{Key: b, Instance: true})
	if err != nil || len(plan.Blocked) != 0 {
		t.Fatalf("dry run: %v %+v", err, plan.Blocked)
	}
	res, err := e.Delete(ctx, "Blog", DeleteTarget{Key: b, Instance: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != len(plan.Removed)+len(plan.Updated) {
		t.Fatalf("delete: %d changes, dry run: %d removed and %d updated", len(res.Changes), len(plan.Removed), len(plan.Updated))
	}
	for i, r := range plan.Removed {
		if c := res.Changes[i]; c.Model != r.Store || c.OpType != Delete || c.Record["id"] != r.Record["id"] {
			t.Errorf("change %d: %+v, dry run said %+v", i, c, r)
		}
	}
	if u := res.Changes[len(plan.Removed)]; u.OpType != Update || u.Record["id"] != plan.Updated[0].Record["id"] {
		t.Errorf("update: %+v", u)
	}
}
