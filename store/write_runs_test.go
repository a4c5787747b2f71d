package store

import (
	"strings"
	"testing"
)

// Adds alike but for their input and a counter are written as one run;
// an add that differs otherwise starts a new one, and a lone add or a
// request of another kind is written as it is.
func TestAddRuns(t *testing.T) {
	add := func(store string, input int, seq float64, at string) Request {
		return Request{Op: "add", Store: store, Report: true, Value: &Value{Input: input, Read: -1, Set: Fields{{"_seq", seq}, {"createdAt", at}}}}
	}
	reqs := []Request{
		{Op: "count", Store: "Post", Query: &Query{Store: "Post", Range: Only("p1")}, Expect: true},
		add("Comment", 0, 10, "t"), add("Comment", 1, 11, "t"), add("Comment", 2, 12, "t"),
		add("Comment", 3, 13, "u"), // another time: a run of its own
		add("Comment", 4, 14, "u"),
		add("Note", 5, 15, "u"), // another store, alone
	}
	got := string(appendRequests(nil, reqs))
	want := `[{"op":"count","store":"Post","query":{"store":"Post","range":{"eq":"p1"},"keys":null},"expect":true},` +
		`{"op":"add","store":"Comment","value":{"input":0,"set":{"_seq":10,"createdAt":"t"},"step":["_seq"]},"report":true,"run":3},` +
		`{"op":"add","store":"Comment","value":{"input":3,"set":{"_seq":13,"createdAt":"u"},"step":["_seq"]},"report":true,"run":2},` +
		`{"op":"add","store":"Note","value":{"input":5,"set":{"_seq":15,"createdAt":"u"}},"report":true}]`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if reqs[1].Run != 0 || reqs[1].Value.Step != nil {
		t.Error("writing a run changed the requests")
	}
	// A counter that does not go up by one a request is no run.
	if got := string(appendRequests(nil, []Request{add("C", 0, 1, "t"), add("C", 1, 3, "t")})); strings.Contains(got, "run") {
		t.Errorf("a counter going up by two: %s", got)
	}
}

// A batch of fresh saves is one step whose adds and outcomes are runs.
func TestFreshBatchStepRuns(t *testing.T) {
	steps := make([]BatchStep, 3)
	fresh := make([]bool, len(steps))
	for i := range steps {
		steps[i] = BatchStep{Save: &SavePlan{Store: "Comment", Record: Record{"id": "c" + string(rune('0'+i)), "postID": "p1"}, Set: Fields{{"_seq", float64(i)}},
			Omit: []string{"_seq"}, Require: []Requirement{{Query: Query{Store: "Post", Range: Only("p1")}, Message: "no post"}}}}
		fresh[i] = true
	}
	p := BatchPlan{Steps: steps, Scope: []string{"Comment", "Post"}, Eager: true}
	w, _ := newBatchWriter(testLayout, &p, true, fresh)
	s, _ := w.next(nil)
	got := string(s.AppendJSON(nil))
	for _, part := range []string{`"run":3`, `"step":["_seq"]`, `"outcome":{"steps":[{"op":"INSERT","record":{"$w":1,"omit":["_seq"]},"run":3}]}`} {
		if !strings.Contains(got, part) {
			t.Errorf("step %s lacks %s", got, part)
		}
	}
}
