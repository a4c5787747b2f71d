//go:build js && wasm

package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall/js"
	"testing"
)

const blogSDL = `enum PostStatus { ACTIVE INACTIVE }
type Post @model { id: ID! title: String! rating: Int! status: PostStatus! comments: [Comment] @hasMany }
type Comment @model { id: ID! content: String post: Post @belongsTo }`

var dbSeq atomic.Int64

// directExports answer with the value itself or an Error (bridge.direct).
var directExports = map[string]bool{"construct": true, "copyOf": true, "save": true, "batch": true}

// call invokes an export the way the JavaScript module does, and answers
// {value} or {error} whichever way the export answers.
func call(t testing.TB, b *bridge, name string, args ...any) js.Value {
	t.Helper()
	fn := b.exports()[name]
	vals := make([]js.Value, len(args))
	for i, a := range args {
		vals[i] = js.ValueOf(a)
	}
	out := js.ValueOf(fn(js.Undefined(), vals))
	if !directExports[name] {
		return out
	}
	o := js.Global().Get("Object").New()
	if out.InstanceOf(js.Global().Get("Error")) {
		o.Set("error", out)
	} else {
		o.Set("value", out)
	}
	return o
}

// await waits for a Promise an export returned; err is the rejection's message.
func await(p js.Value) (js.Value, string) {
	ch := make(chan [2]any, 1)
	ok := js.FuncOf(func(_ js.Value, a []js.Value) any { ch <- [2]any{a[0], ""}; return nil })
	bad := js.FuncOf(func(_ js.Value, a []js.Value) any {
		ch <- [2]any{js.Undefined(), a[0].Get("message").String()}
		return nil
	})
	defer ok.Release()
	defer bad.Release()
	p.Call("then", ok, bad)
	r := <-ch
	return r[0].(js.Value), r[1].(string)
}

// read calls a read export (synchronous, answering {value: Promise}) and
// returns its records as JSON.
func read(t testing.TB, b *bridge, name string, args ...any) string {
	t.Helper()
	out := call(t, b, name, args...)
	if e := out.Get("error"); e.Truthy() {
		t.Fatalf("%s: %s", name, e.Get("message").String())
	}
	return js.Global().Get("JSON").Call("stringify", mustAwait(t, out.Get("value"))).String()
}

func mustAwait(t testing.TB, p js.Value) js.Value {
	t.Helper()
	v, err := await(p)
	if err != "" {
		t.Fatalf("rejected: %s", err)
	}
	return v
}

func openBlog(t testing.TB, b *bridge) (schemaID, engineID int) {
	t.Helper()
	out := call(t, b, "schema", "sdl", blogSDL)
	if e := out.Get("error"); e.Truthy() {
		t.Fatalf("schema: %s", e.Get("message").String())
	}
	schemaID = out.Get("value").Get("id").Int()
	name := fmt.Sprintf("bridge-test-%d", dbSeq.Add(1))
	engineID = mustAwait(t, call(t, b, "open", schemaID, name)).Get("id").Int()
	t.Cleanup(func() {
		await(call(t, b, "close", engineID))
		await(call(t, b, "deleteDatabase", name))
	})
	return
}

func TestSchemaDescriptorAndErrors(t *testing.T) {
	b := newBridge()
	out := call(t, b, "schema", "sdl", blogSDL)
	var desc struct {
		Models []struct {
			Name   string
			Fields []struct {
				Name     string
				Relation *struct{ Kind, Target string }
			}
		}
		Enums map[string][]string
	}
	if err := json.Unmarshal([]byte(out.Get("value").Get("descriptor").String()), &desc); err != nil {
		t.Fatal(err)
	}
	if len(desc.Models) != 2 || desc.Models[1].Name != "Comment" || desc.Enums["PostStatus"][0] != "ACTIVE" {
		t.Errorf("descriptor: %+v", desc)
	}
	var post *struct{ Kind, Target string }
	for _, f := range desc.Models[1].Fields {
		if f.Name == "post" {
			post = f.Relation
		}
	}
	if post == nil || post.Target != "Post" {
		t.Errorf("Comment.post: relation %+v, want one to Post", post)
	}
	bad := call(t, b, "schema", "sdl", "type Post @model { id: ID! x: Foo }")
	if msg := bad.Get("error").Get("message").String(); !strings.Contains(msg, "Post.x") || !strings.Contains(msg, "line 1") {
		t.Errorf("schema error: %q", msg)
	}
	if bad.Get("error").Get("name").String() != "SchemaError" {
		t.Errorf("error name %q", bad.Get("error").Get("name").String())
	}
}

func TestConstructSaveQueryDeleteThroughTheBridge(t *testing.T) {
	b := newBridge()
	sid, eid := openBlog(t, b)
	post := wholeRecord(t, call(t, b, "construct", sid, "Post", `{"title":"Hello","rating":5,"status":"ACTIVE"}`).Get("value").String())
	saved := read(t, b, "save", eid, "Post", 0, post, `{}`)
	var res struct {
		Op     string
		Record map[string]any
	}
	if err := json.Unmarshal([]byte(saved), &res); err != nil {
		t.Fatal(err)
	}
	if res.Record["title"] != "Hello" || res.Op != "INSERT" {
		t.Errorf("save result: %s", saved)
	}
	if _, has := res.Record["_seq"]; has {
		t.Errorf("storage-only fields reach JavaScript: %s", saved)
	}
	id := res.Record["id"].(string)
	if len(id) != 36 {
		t.Errorf("id %q is not crypto.randomUUID's", id)
	}
	comment := wholeRecord(t, call(t, b, "construct", sid, "Comment", `{"content":"Nice","postCommentsId":"`+id+`"}`).Get("value").String())
	read(t, b, "save", eid, "Comment", 0, comment, `{}`)
	rel := read(t, b, "related", eid, "Post", "comments", `{"id":"`+id+`"}`, 0)
	if !strings.Contains(rel, "Nice") {
		t.Errorf("related: %s", rel)
	}
	del := read(t, b, "delete", eid, "Post", `{"key":{"id":"`+id+`"},"instance":true}`)
	if !strings.HasPrefix(del, `{"removed":[{"store":"Comment"`) || !strings.Contains(del, `"roots":1`) {
		t.Errorf("cascade: %s", del)
	}
	left := read(t, b, "query", eid, "Comment", `{}`)
	if left != "[]" {
		t.Errorf("comments left: %s", left)
	}
}

func TestErrorsRejectWithMessages(t *testing.T) {
	b := newBridge()
	sid, eid := openBlog(t, b)
	out := call(t, b, "construct", sid, "Post", `{"title":5}`)
	if msg := out.Get("error").Get("message").String(); msg != "Field title should be of type string, number received. 5" {
		t.Errorf("construct: %q", msg)
	}
	if msg := call(t, b, "save", eid, "Post", 0, `{"id":"x","title":"t","status":"ACTIVE"}`, `{}`).Get("error").Get("message").String(); msg != "Field rating is required" {
		t.Errorf("save: %q", msg)
	}
	_, err := await(call(t, b, "save", eid, "Comment", 0, `{"id":"c","postCommentsId":"missing"}`, `{}`).Get("value"))
	if !strings.HasPrefix(err, "Data integrity error. You tried to save a Comment") {
		t.Errorf("integrity: %q", err)
	}
	// Saved by its ticket, the record is quoted as the constructor wrote it.
	made := call(t, b, "construct", sid, "Comment", `{"content":"c","postCommentsId":"missing"}`).Get("value").String()
	ticket, _ := ticketOf(t, made)
	n, _ := strconv.ParseFloat(ticket, 64)
	_, err = await(call(t, b, "save", eid, "Comment", n, nil, nil).Get("value"))
	if want := "You tried to save a Comment (" + wholeRecord(t, made) + ")"; !strings.Contains(err, want) {
		t.Errorf("integrity by ticket: %q, want it to quote %s", err, want)
	}
	out = call(t, b, "query", 999, "Post", `{}`)
	if msg := out.Get("error").Get("message").String(); !strings.Contains(msg, "stopped or cleared") || out.Get("error").Get("name").String() != "DatabaseClosedError" {
		t.Errorf("unknown engine: %q", msg)
	}
}

// A panic in Go would end the wasm instance; the bridge recovers it, rejects
// the call, and serves the next one.
func TestPanicIsRecoveredAndTheInstanceKeepsServing(t *testing.T) {
	b := newBridge()
	sid, eid := openBlog(t, b)
	_, err := await(call(t, b, "debugPanic"))
	if !strings.Contains(err, "internal error") || !strings.Contains(err, "deliberate panic") {
		t.Errorf("debugPanic rejection: %q", err)
	}
	post := wholeRecord(t, call(t, b, "construct", sid, "Post", `{"title":"after","rating":1,"status":"ACTIVE"}`).Get("value").String())
	read(t, b, "save", eid, "Post", 0, post, `{}`)
	if got := read(t, b, "query", eid, "Post", `{}`); !strings.Contains(got, "after") {
		t.Errorf("after the panic: %s", got)
	}
	// A synchronous export answers a bad handle with an error object.
	if out := call(t, b, "construct", 12345, "Post", `{}`); !out.Get("error").Truthy() {
		t.Error("bad schema handle: no error")
	}
}

// wholeRecord is a constructor's answer without its ticket: the record's
// JSON.
func wholeRecord(t testing.TB, answer string) string {
	_, rest := ticketOf(t, answer)
	if rest[0] != '{' {
		t.Fatalf("a constructor answered %q, want the whole record", answer)
	}
	return rest
}
