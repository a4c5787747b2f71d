package syncengine

import (
	"strings"
	"testing"
)

func TestDecide(t *testing.T) {
	s := blogSchema(t)
	m := s.Model("Comment")
	remote := Record{"id": "c", "postID": "p", "content": "hi", "createdAt": "2020-01-01T00:00:00.000Z", "updatedAt": "2020-01-01T00:00:00.000Z",
		"_version": 2.0, "_lastChangedAt": 10.0, "_deleted": nil, "post": map[string]any{"id": "p", "_deleted": nil}}
	local := Record{"id": "c", "postID": "p", "content": "old", "_version": 1.0, "_lastChangedAt": 5.0}

	d := Decide(s, m, remote, nil, false)
	if d.Action != Put || d.Count != "new" || d.Record["post"] != nil || d.Record["_version"] != 2.0 {
		t.Errorf("a new record: %+v", d)
	}
	if d := Decide(s, m, remote, local, false); d.Action != Put || d.Count != "updated" {
		t.Errorf("an update: %+v", d)
	}
	if d := Decide(s, m, remote, local, true); d.Action != Skip || d.Err != nil {
		t.Errorf("a record with pending mutations must be left alone: %+v", d)
	}
	if d := Decide(s, m, remote, d.Record, false); d.Action != Skip {
		t.Errorf("the same version again changes nothing: %+v", d)
	}
	tomb := copyRecord(remote)
	tomb["_deleted"] = true
	tomb["content"] = nil
	if d := Decide(s, m, tomb, local, false); d.Action != Delete || d.Count != "deleted" {
		t.Errorf("a tombstone deletes: %+v", d)
	}
	if d := Decide(s, m, tomb, nil, false); d.Action != Skip || d.Err != nil {
		t.Errorf("a tombstone of an unknown record: %+v", d)
	}
	pm := s.Model("Post")
	withJSON := Record{"id": "p", "title": "t", "rating": 1.0, "status": "ACTIVE", "meta": `{"k":[1,2]}`, "_version": 1.0, "_lastChangedAt": 1.0}
	if d := Decide(s, pm, withJSON, nil, false); d.Err != nil || jsonText(d.Record["meta"]) != `{"k":[1,2]}` {
		t.Errorf("AWSJSON from the server is stored as the value it encodes: %+v", d)
	}
	withJSON["meta"] = "{nope"
	if d := Decide(s, pm, withJSON, nil, false); d.Err == nil || !strings.Contains(d.Err.Error(), "meta") {
		t.Errorf("AWSJSON that is not JSON: %+v", d)
	}
	for name, bad := range map[string]func(Record){
		"content is required":           func(r Record) { delete(r, "content") },
		"should be of type string":      func(r Record) { r["content"] = 5.0 },
		"_version":                      func(r Record) { delete(r, "_version") },
		"no key field id":               func(r Record) { r["id"] = "" },
		"field nope the schema does":    func(r Record) { r["nope"] = 1.0 },
		"_deleted = yes":                func(r Record) { r["_deleted"] = "yes" },
		"should be of type AWSDateTime": func(r Record) { r["createdAt"] = "yesterday" },
	} {
		r := copyRecord(remote)
		bad(r)
		d := Decide(s, m, r, local, false)
		if d.Action != Skip || d.Err == nil || !strings.Contains(d.Err.Error(), name) || !strings.Contains(d.Err.Error(), "Comment") {
			t.Errorf("%s: %+v", name, d)
		}
	}
}
