package syncengine

import (
	"testing"

	"github.com/datastore-wasm/datastore-wasm/relation"
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

func blogSchema(t testing.TB) *relation.Schema {
	t.Helper()
	s, err := relation.ParseSDL(blogSDL)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
