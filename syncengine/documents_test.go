package syncengine

import (
	"strings"
	"testing"
	"time"

	"github.com/datastore-wasm/datastore-wasm/relation"
)

func TestSelectionSetIsAmplifys(t *testing.T) {
	s := blogSchema(t)
	got := strings.Fields(SelectionSet(s, s.Model("Post")))
	want := strings.Fields("id title rating status tags meta createdAt updatedAt _version _lastChangedAt _deleted")
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Post selection %v, want %v", got, want)
	}
	got = strings.Fields(SelectionSet(s, s.Model("Comment")))
	want = strings.Fields("id postID content createdAt updatedAt _version _lastChangedAt _deleted post { id _deleted }")
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Comment selection %v, want %v", got, want)
	}
}

func TestDocuments(t *testing.T) {
	s := blogSchema(t)
	d := BuildDocuments(s, s.Model("Post"))
	for doc, want := range map[string]string{
		d.Sync:   "query operation($limit: Int, $nextToken: String, $lastSync: AWSTimestamp, $filter: ModelPostFilterInput){ syncPosts(limit: $limit, nextToken: $nextToken, lastSync: $lastSync, filter: $filter){ items {",
		d.Create: "mutation operation($input: CreatePostInput!){ createPost(input: $input){ id",
		d.Update: "mutation operation($input: UpdatePostInput!, $condition: ModelPostConditionInput){ updatePost(input: $input, condition: $condition){",
		d.Delete: "mutation operation($input: DeletePostInput!, $condition: ModelPostConditionInput){ deletePost(input: $input, condition: $condition){",
		d.Get:    "query operation($id: ID!){ getPost(id: $id){",
	} {
		if flat := strings.Join(strings.Fields(doc), " "); !strings.HasPrefix(flat, want) {
			t.Errorf("document\n%s\ndoes not start with\n%s", flat, want)
		}
	}
	if !strings.Contains(strings.Join(strings.Fields(d.Sync), " "), "} nextToken startedAt } }") {
		t.Errorf("sync document lacks nextToken startedAt: %s", d.Sync)
	}
	subs := d.Subscriptions(false)
	if len(subs) != 3 || subs[0].Field != "onCreatePost" || subs[2].Field != "onDeletePost" {
		t.Fatalf("subscriptions %+v", subs)
	}
	if flat := strings.Join(strings.Fields(subs[1].Query), " "); !strings.HasPrefix(flat, "subscription operation{ onUpdatePost{ id") {
		t.Errorf("unfiltered subscription: %s", flat)
	}
	if flat := strings.Join(strings.Fields(d.Subscriptions(true)[0].Query), " "); !strings.HasPrefix(flat, "subscription operation($filter: ModelSubscriptionPostFilterInput){ onCreatePost(filter: $filter){") {
		t.Errorf("filtered subscription: %s", flat)
	}
}

func TestSyncOrderPutsParentsFirst(t *testing.T) {
	s, err := relation.ParseSDL(`
type Comment @model { id: ID! postID: ID! @index(name: "byPost") post: Post @belongsTo(fields: ["postID"]) }
type Post @model { id: ID! blogID: ID! @index(name: "byBlog") blog: Blog @belongsTo(fields: ["blogID"]) comments: [Comment] @hasMany(indexName: "byPost", fields: ["id"]) }
type Blog @model { id: ID! posts: [Post] @hasMany(indexName: "byBlog", fields: ["id"]) }`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range SyncOrder(s) {
		names = append(names, m.Name)
	}
	if strings.Join(names, ",") != "Blog,Post,Comment" {
		t.Errorf("sync order %v, want Blog,Post,Comment", names)
	}
}

func TestGraphQLFilter(t *testing.T) {
	p := &relation.Predicate{Group: "and", Children: []*relation.Predicate{{Field: "rating", Op: "gt", Value: 4.0}}}
	if got := jsonText(GraphQLFilter(p)); got != `{"and":[{"rating":{"gt":4}}]}` {
		t.Errorf("filter %s", got)
	}
	p = &relation.Predicate{Group: "and", Children: []*relation.Predicate{{Group: "or", Children: []*relation.Predicate{
		{Field: "rating", Op: "gt", Value: 4.0}, {Field: "title", Op: "beginsWith", Value: "a"}}}}}
	if got := jsonText(GraphQLFilter(p)); got != `{"or":[{"rating":{"gt":4}},{"title":{"beginsWith":"a"}}]}` {
		t.Errorf("flattened filter %s", got)
	}
	p = &relation.Predicate{Group: "and", Children: []*relation.Predicate{{Field: "rating", Op: "gt", Value: 4.0},
		{Group: "not", Children: []*relation.Predicate{{Field: "status", Op: "eq", Value: "INACTIVE"}}}}}
	if got := jsonText(GraphQLFilter(p)); got != `{"and":[{"rating":{"gt":4}},{"not":{"status":{"eq":"INACTIVE"}}}]}` {
		t.Errorf("not filter %s", got)
	}
	if GraphQLFilter(nil) != nil {
		t.Error("a nil predicate must give no filter")
	}
}

func TestRealtimeHandshake(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:4000/graphql": "ws://127.0.0.1:4000/graphql/realtime",
		"https://example.com/graphql":   "wss://example.com/graphql/realtime",
		"https://abcdefghijklmnopqrstuvwxyz.appsync-api.us-east-1.amazonaws.com/graphql": "wss://abcdefghijklmnopqrstuvwxyz.appsync-realtime-api.us-east-1.amazonaws.com/graphql",
	} {
		if got := RealtimeURL(in); got != want {
			t.Errorf("RealtimeURL(%s) = %s, want %s", in, got, want)
		}
	}
	url, protos := RealtimeHandshake("http://127.0.0.1:4000/graphql", map[string]any{"host": "127.0.0.1:4000", "x-api-key": "k"})
	// {"host":"127.0.0.1:4000","x-api-key":"k"}
	if url != "ws://127.0.0.1:4000/graphql/realtime?header=eyJob3N0IjoiMTI3LjAuMC4xOjQwMDAiLCJ4LWFwaS1rZXkiOiJrIn0=&payload=e30=" {
		t.Errorf("url %s", url)
	}
	if len(protos) != 2 || protos[0] != "graphql-ws" || protos[1] != "header-eyJob3N0IjoiMTI3LjAuMC4xOjQwMDAiLCJ4LWFwaS1rZXkiOiJrIn0" {
		t.Errorf("subprotocols %v", protos)
	}
}

func TestAmzDate(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.FixedZone("x", 3600))
	if got := amzDate(at); got != at.UTC().Format("20060102T150405Z") {
		t.Errorf("amzDate %s", got)
	}
}
