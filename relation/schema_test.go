package relation

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/datastore-wasm/datastore-wasm/store"
)

func TestSDLImpliesForeignKeysLikeCodegen(t *testing.T) {
	for _, tc := range []struct {
		file, model, field string
		kind               RelationKind
		local, remote      []string
	}{
		{"blog.graphql", "Post", "comments", HasMany, []string{"id"}, []string{"postCommentsId"}},
		{"blog.graphql", "Comment", "post", BelongsTo, []string{"postCommentsId"}, []string{"id"}},
		{"post-author.graphql", "Post", "author", HasOne, []string{"postAuthorId"}, []string{"id"}},
		{"publication.graphql", "Publication", "articles", HasMany, []string{"id"}, []string{"publicationID"}},
		{"keys.graphql", "Store", "items", HasMany, []string{"storeId", "region"}, []string{"storeItemsStoreId", "storeItemsRegion"}},
		{"keys.graphql", "StoreItem", "store", BelongsTo, []string{"storeItemsStoreId", "storeItemsRegion"}, []string{"storeId", "region"}},
		{"post-tag.graphql", "Post", "tags", HasMany, []string{"id"}, []string{"postID"}},
		{"post-tag.graphql", "PostTag", "tag", BelongsTo, []string{"tagID"}, []string{"id"}},
		{"blog-connection.graphql", "Post", "comments", HasMany, []string{"id"}, []string{"postCommentsId"}},
		{"blog-connection.graphql", "PostEditor", "editor", BelongsTo, []string{"editorID"}, []string{"id"}},
	} {
		s, err := ParseSDL(string(readSchemaFile(t, tc.file)))
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		r := s.Model(tc.model).Relation(tc.field)
		if r == nil {
			t.Fatalf("%s: %s.%s is not a relation", tc.file, tc.model, tc.field)
		}
		if r.Kind != tc.kind || !slices.Equal(r.LocalFields, tc.local) || !slices.Equal(r.RemoteFields, tc.remote) {
			t.Errorf("%s %s.%s = %s %v→%v, want %s %v→%v", tc.file, tc.model, tc.field, r.Kind, r.LocalFields, r.RemoteFields, tc.kind, tc.local, tc.remote)
		}
	}
}

// The relations read from SDL and from codegen's introspection object agree
// for every shared schema that has both (post-editor's fixture comes from an
// older codegen that named the join keys postId/userId).
func TestSDLAndIntrospectionAgreeOnRelations(t *testing.T) {
	// Every shared schema with an introspection twin. The twins are not
	// always the same schema: post-author's adds a Bio model, keys' has other
	// fields, and post-editor's comes from an older codegen that named the
	// join keys postId/userId; models and relations present in both must
	// agree, join fields included (but for that older naming).
	for _, name := range []string{"blog", "post-tag", "publication", "post-author", "keys", "post-editor"} {
		fromSDL, err := ParseSDL(string(readSchemaFile(t, name+".graphql")))
		if err != nil {
			t.Fatal(err)
		}
		fromJSON, err := ParseIntrospection(readSchemaFile(t, name+".introspection.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range fromJSON.Models {
			other := fromSDL.Model(m.Name)
			if other == nil {
				if !(name == "post-author" && m.Name == "Bio") && !(name == "keys" && m.Name == "Ticket") {
					t.Errorf("%s: SDL lacks model %s", name, m.Name)
				}
				continue // a model only the introspection twin has
			}
			if !slices.Equal(m.PrimaryKey, other.PrimaryKey) {
				t.Errorf("%s.%s: primary key %v vs %v", name, m.Name, m.PrimaryKey, other.PrimaryKey)
			}
			for _, r := range m.Relations {
				o := other.Relation(r.Field)
				if o == nil {
					continue // a relation only one twin has (post-author's Author.bio)
				}
				sameJoin := slices.Equal(o.LocalFields, r.LocalFields) && slices.Equal(o.RemoteFields, r.RemoteFields)
				if name == "post-editor" {
					sameJoin = strings.EqualFold(strings.Join(o.LocalFields, ","), strings.Join(r.LocalFields, ",")) &&
						strings.EqualFold(strings.Join(o.RemoteFields, ","), strings.Join(r.RemoteFields, ","))
				}
				if o.Kind != r.Kind || o.Target.Name != r.Target.Name || !sameJoin {
					t.Errorf("%s: %s.%s differs between SDL (%s %v→%v) and introspection (%s %v→%v)", name, m.Name, r.Field, o.Kind, o.LocalFields, o.RemoteFields, r.Kind, r.LocalFields, r.RemoteFields)
				}
			}
		}
	}
}

func TestIntrospectionLegacyForms(t *testing.T) {
	s, err := ParseIntrospection(readSchemaFile(t, "post-editor.introspection.json"))
	if err != nil {
		t.Fatal(err)
	}
	r := s.Model("Post").Relation("editors")
	if !slices.Equal(r.RemoteFields, []string{"postId"}) {
		t.Errorf("string associatedWith + targetName: remote %v, want [postId]", r.RemoteFields)
	}
	if got := s.Model("PostEditor").Relation("post").LocalFields; !slices.Equal(got, []string{"postId"}) {
		t.Errorf("targetName: local %v", got)
	}
}

func TestCodegenVersionCheck(t *testing.T) {
	for v, ok := range map[string]bool{`"3.4.4"`: true, `"3.2.0"`: true, `"3.1.9"`: false, `"4.0.0"`: false, `null`: false} {
		_, err := ParseIntrospection([]byte(`{"models":{"P":{"name":"P","fields":{"id":{"name":"id","type":"ID","isRequired":true}}}},"enums":{},"nonModels":{},"version":"x","codegenVersion":` + v + `}`))
		if (err == nil) != ok {
			t.Errorf("codegenVersion %s: err = %v", v, err)
		}
	}
	_, err := ParseIntrospection([]byte(`{"models":{},"enums":{},"nonModels":{},"version":"x"}`))
	wantMessage(t, err, ErrSchema, "Models were generated with an unsupported version of codegen. Codegen artifacts are from an unknown version, whereas ^3.2.0 is required. Update to the latest CLI and run 'amplify codegen models'.")
}

func TestLayoutHasAStorePerModelAndAnIndexPerForeignKey(t *testing.T) {
	e := newEngine(t, string(readSchemaFile(t, "keys.graphql")))
	l := Layout(e.Schema)
	item := l.Store("StoreItem")
	if item == nil || !slices.Equal(item.KeyPath, []string{"id"}) {
		t.Fatalf("StoreItem store: %+v", item)
	}
	if ix := item.Index("storeItemsStoreId-storeItemsRegion"); ix == nil || !slices.Equal(ix.KeyPath, []string{"storeItemsStoreId", "storeItemsRegion"}) {
		t.Errorf("StoreItem indexes: %+v", item.Indexes)
	}
	if inv := l.Store("Inventory"); !slices.Equal(inv.KeyPath, []string{"productID", "warehouseID"}) {
		t.Errorf("Inventory key path %v", inv.KeyPath)
	}
	pub := newEngine(t, string(readSchemaFile(t, "publication.graphql")))
	if Layout(pub.Schema).Store("Article").Index("publicationID") == nil {
		t.Error("the @index(name: byPublication) of Article has no index")
	}
}

// At least 25 bad schemas, each refused with the type, the field and
// (from SDL) the line, and what to do.
func TestBadSchemasSayWhatAndWhere(t *testing.T) {
	for _, tc := range []struct{ sdl, want string }{
		{"type Post @model { id: ID! x: Foo }", "line 1, column 28: Post.x: unknown type Foo"},
		{"type Post @model {\n  id: ID!\n  n: Nope!\n}", "line 3, column 3: Post.n: unknown type Nope"},
		{"type Post @model { id: ID! a: Address @hasOne } type Address { s: String }", "Post.a: @hasOne must be on a field whose type is a @model"},
		{"type Post @model { id: ID! c: Comment } type Comment @model { id: ID! }", "Post.c: a field of model type Comment needs a relation directive"},
		{"type Post @model { id: ID! } type Post @model { id: ID! }", "Post: the type is declared twice"},
		{"type Post @model { id: ID! x: Int @primaryKey(sortKeyFields: [\"nope\"]) }", "the primary key names field nope"},
		{"type Post @model { id: ID! cs: [Comment] @hasMany(indexName: \"byX\") } type Comment @model { id: ID! }", "names an index that Comment does not have"},
		{"type Post @model { id: ID! c: Comment @hasMany } type Comment @model { id: ID! }", "@hasMany needs a list type"},
		{"type Post @model { id: ID! t: [Tag] @manyToMany } type Tag @model { id: ID! }", "@manyToMany needs relationName"},
		{"type Post @model { id: ID! p: Post @belongsTo(fields: [\"nope\"]) }", "@belongsTo(fields:) names nope"},
		{"type Post @model { id: ID! x: Weird } scalar Weird", "custom scalar Weird is not supported"},
		{"type Post @model { id: ID! ", "line 1"},
		{"enum E { A B } type Post @model { id: ID! e: F }", "Post.e: unknown type F"},
		{"type Post @model { id: ID! a: [[String]] }", "Post.a: lists of lists are not supported"},
		{"type Post @model { id: ID! c: [Comment] @hasMany } type Comment { id: ID! }", "Post.c: @hasMany must be on a field whose type is a @model, and Comment is not one"},
		{"type Post @model { id: ID! a: Author @belongsTo } type Author @model { id: ID! posts: [Post] @hasMany(indexName: \"byX\", fields: [\"id\"]) }", "@belongsTo needs fields: [...] naming the key fields that Author.posts joins on"},
		{"type Post @model { id: ID! a: Author @belongsTo(fields: [\"x\", \"y\"]) x: ID y: ID } type Author @model { id: ID! }", "@belongsTo(fields:) must give one field for each of the 1 key fields of Author"},
		{"type Post @model { id: ID! a: Author @hasOne(fields: [\"nope\"]) } type Author @model { id: ID! }", "@hasOne(fields:) names nope, which Post does not have"},
		{"type Post @model { id: ID! a: [Author] @hasOne } type Author @model { id: ID! }", "@hasOne cannot be on a list"},
		{"type Post @model { id: ID! a: [Author] @belongsTo } type Author @model { id: ID! }", "@belongsTo cannot be on a list"},
		{"type Post @model { id: ID! t: [Tag] @manyToMany(relationName: \"PT\") } type Tag @model { id: ID! }", "@manyToMany needs a field on Tag of type [Post]"},
		{"type Post @model { id: ID! t: [Tag] @manyToMany(relationName: \"Tag\") } type Tag @model { id: ID! p: [Post] @manyToMany(relationName: \"Tag\") }", "relationName \"Tag\" is already the name of a type"},
		{"type Post @model { id: ID! t: Tag @manyToMany(relationName: \"PT\") } type Tag @model { id: ID! p: [Post] @manyToMany(relationName: \"PT\") }", "@manyToMany needs a list type"},
		{"type Post @model @key(fields: []) { id: ID! }", "@key needs fields"},
		{"type Post @model { id: ID! @primaryKey a: ID! @primaryKey }", "a model has one @primaryKey"},
		{"type Post @model { id: ID! cs: [Comment] @hasMany(onDelete: \"sometimes\") } type Comment @model { id: ID! post: Post @belongsTo }", "onDelete must be cascade, setNull or restrict"},
		{"type Post @model { id: ID! p: Post @belongsTo(onDelete: \"cascade\") }", "onDelete belongs on the parent's @hasMany"},
		{"union U = A | B type A @model { id: ID! } type B @model { id: ID! u: U }", "B.u: type U is a union"},
		{"extend type Nope { x: Int }", "Nope: extends a type that is not declared"},
		{"type Post @model(timestamps: 5) { id: ID! }", "Post"},
	} {
		_, err := ParseSDL(tc.sdl)
		if err == nil || !errors.Is(err, ErrSchema) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseSDL(%q)\n  = %v\n want an ErrSchema containing %q", tc.sdl, err, tc.want)
		}
	}
}

// FuzzParseSDL feeds the SDL reader arbitrary text: it must answer with a
// schema or an error, never panic. The seed corpus is testdata/fuzz and the
// shared schemas.
func FuzzParseSDL(f *testing.F) {
	files, _ := filepath.Glob("testdata/schemas/*.graphql")
	for _, name := range files {
		b, _ := os.ReadFile(name)
		f.Add(string(b))
	}
	f.Add("type Post @model { id: ID! title: String! comments: [Comment] @hasMany } type Comment @model { id: ID! post: Post @belongsTo }")
	f.Fuzz(func(t *testing.T, sdl string) {
		s, err := ParseSDL(sdl)
		if err == nil && s == nil {
			t.Fatal("no schema and no error")
		}
		if err != nil && !errors.Is(err, ErrSchema) {
			t.Fatalf("an error that is not a schema error: %v", err)
		}
		if err == nil {
			_ = Layout(s)
		}
	})
}

// Cloud-only directives (@auth, @searchable, @function, ...) are accepted
// and change nothing locally.
func TestCloudDirectivesAreIgnored(t *testing.T) {
	s, err := ParseSDL(`type Post @model @auth(rules: [{allow: owner}]) @searchable {
  id: ID!
  title: String! @auth(rules: [{allow: groups, groups: ["Admin"]}])
  score: Int @function(name: "score")
}`)
	if err != nil || s.Model("Post").Field("title") == nil || s.Model("Post").Field("score") == nil {
		t.Errorf("%v", err)
	}
}

func TestModelTimestampsArgument(t *testing.T) {
	s, err := ParseSDL(`type A @model(timestamps: {createdAt: "born", updatedAt: "touched"}) { id: ID! }
type B @model(timestamps: null) { id: ID! }`)
	if err != nil {
		t.Fatal(err)
	}
	a, b := s.Model("A"), s.Model("B")
	if a.CreatedAt != "born" || a.UpdatedAt != "touched" || a.Field("born") == nil || !a.Field("born").ReadOnly {
		t.Errorf("custom names: %q %q", a.CreatedAt, a.UpdatedAt)
	}
	if b.CreatedAt != "" || b.Field("createdAt") != nil {
		t.Errorf("timestamps: null: %q", b.CreatedAt)
	}
	e := NewEngine(s, store.NewMemory(Layout(s)))
	rec := save(t, e, "A", build(t, e, "A", Record{})).Record
	if rec["born"] == nil || rec["touched"] == nil {
		t.Errorf("managed under their own names: %v", rec)
	}
}

func TestConnectionWithKeyName(t *testing.T) {
	s, err := ParseSDL(`type Blog @model { id: ID! posts: [Post] @connection(keyName: "byBlog", fields: ["id"]) }
type Post @model @key(name: "byBlog", fields: ["blogID", "title"]) { id: ID! blogID: ID! title: String! }`)
	if err != nil {
		t.Fatal(err)
	}
	r := s.Model("Blog").Relation("posts")
	if r.Kind != HasMany || !slices.Equal(r.RemoteFields, []string{"blogID"}) {
		t.Errorf("@connection(keyName, fields): %s %v", r.Kind, r.RemoteFields)
	}
}

func TestSchemasThatWouldBreakEveryCallAreRefused(t *testing.T) {
	for _, c := range []struct{ sdl, want string }{
		{"", "declares no model"},
		{"# only a comment", "declares no model"},
		{"enum E { A }", "declares no model"},
		{"type P @modle { id: ID! }", "line 1, column 9: P: unknown directive @modle (did you mean @model?)"},
		{"type P @model @key(fields: [\"x-y\"]) { id: ID! }", "P: the primary key names field x-y, which the model does not have"},
		{"type P @model @key(name: \"byA\", fields: [\"id\", \"zz\"]) { id: ID! }", "line 1, column 16: P: @key names the field zz"},
		{"type P @model { id: ID! a: String @index(name: \"b\", sortKeyFields: [\"zz\"]) }", "line 1, column 36: P.a: @index names the field zz"},
		{"type P @model { id: ID! cs: [C] @hasMany(fields: [\"nope\"]) } type C @model { id: ID! }", "P.cs: @hasMany names the field nope"},
		{"type P @model { id: ID! a: " + strings.Repeat("[", 5000) + "Int" + strings.Repeat("]", 5000) + " }", "line 1, column 127: brackets nest more than 100 levels deep"},
		{"type P @model @key(fields: " + strings.Repeat("[", 3000) + "\"id\"" + strings.Repeat("]", 3000) + ") { id: ID! }", "brackets nest more than 100 levels deep"},
	} {
		_, err := ParseSDL(c.sdl)
		if err == nil || !errors.Is(err, ErrSchema) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%.60q: got %v, want an ErrSchema containing %q", c.sdl, err, c.want)
		}
	}
	// Brackets in strings and comments do not count.
	deepText := strings.Repeat("[", 200)
	if _, err := ParseSDL("# " + deepText + "\n\"\"\"" + deepText + "\"\"\"\ntype P @model { id: ID! }"); err != nil {
		t.Errorf("brackets in comments and descriptions: %v", err)
	}
	intro := func(models, enums string) string {
		return `{"models":` + models + `,"enums":` + enums + `,"nonModels":{},"version":"x","codegenVersion":"3.4.4"}`
	}
	model := `{"P":{"name":"P","fields":{"id":{"name":"id","type":"ID","isRequired":true},"xy":{"name":"x-y","type":"ID"}},"attributes":[{"type":"key","properties":{"name":"k","fields":["x-y"]}}]}}`
	for _, c := range []struct{ text, want string }{
		{intro(`{}`, `{}`), "declares no model"},
		{intro(model, `{}`), `P.x-y: a key or index names the field "x-y", which is not a field name`},
		{intro(`{"P":{"name":"P","fields":{}}}`, `{"E":{"name":"E","values":null}}`), "E: an enum needs its values"},
		{intro(`{"P":{"name":"P","fields":{}}}`, `{"E":{"name":"E","values":"A"}}`), `enums.E.values must be a list, got "A"`},
		{intro(`{"P":{"name":"P","fields":{}}}`, strings.Repeat("[", 5000)), "brackets nest more than 100 levels deep"},
	} {
		_, err := ParseIntrospection([]byte(c.text))
		if err == nil || !errors.Is(err, ErrSchema) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%.80s: got %v, want an ErrSchema containing %q", c.text, err, c.want)
		}
	}
}
