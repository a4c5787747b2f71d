package relation

import (
	"errors"
	"slices"
	"strings"
	"testing"
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
	for _, name := range []string{"blog", "post-tag", "publication"} {
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
				t.Errorf("%s: SDL lacks model %s", name, m.Name)
				continue
			}
			if !slices.Equal(m.PrimaryKey, other.PrimaryKey) {
				t.Errorf("%s.%s: primary key %v vs %v", name, m.Name, m.PrimaryKey, other.PrimaryKey)
			}
			for _, r := range m.Relations {
				o := other.Relation(r.Field)
				if o == nil || o.Kind != r.Kind || o.Target.Name != r.Target.Name || !slices.Equal(o.LocalFields, r.LocalFields) || !slices.Equal(o.RemoteFields, r.RemoteFields) {
					t.Errorf("%s: %s.%s differs between SDL and introspection", name, m.Name, r.Field)
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
		_, err := ParseIntrospection([]byte(`{"models":{},"enums":{},"nonModels":{},"version":"x","codegenVersion":` + v + `}`))
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
	} {
		_, err := ParseSDL(tc.sdl)
		if err == nil || !errors.Is(err, ErrSchema) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseSDL(%q)\n  = %v\n want an ErrSchema containing %q", tc.sdl, err, tc.want)
		}
	}
}
