package relation

import (
	"strings"
	"testing"
)

func TestIntrospectionErrorsNameThePath(t *testing.T) {
	const head = `{"version":"x","codegenVersion":"3.4.4","enums":{},"nonModels":{},"models":`
	for body, want := range map[string]string{
		`{"Post":{"name":"Post","fields":{"title":{"name":"title","type":7}}}}}`:                                           "models.Post.fields.title.type: a field type must be a scalar name or {enum|nonModel|model: name}, got 7",
		`{"Post":{"name":"Post","fields":{"title":{"name":"title","type":"String","isRequired":"yes"}}}}}`:                 "models.Post.fields.title.isRequired must be true or false",
		`{"Post":{"name":"Post","attributes":{"type":"model"},"fields":{}}}}`:                                              "models.Post.attributes must be a list",
		`{"Post":{"name":"Post","fields":{"p":{"name":"p","type":{"model":"Post"},"association":{"associatedWith":3}}}}}}`: "associatedWith must be a string or a list of strings, got 3",
		`[]}`: "models must be an object, got []",
	} {
		_, err := ParseIntrospection([]byte(head + body))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s\n got %v\nwant %q", body, err, want)
		}
	}
	if _, err := ParseIntrospection([]byte(`{"models":`)); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("truncated JSON: %v", err)
	}
}

func TestIntrospectionKeepsModelAndFieldOrder(t *testing.T) {
	s, err := ParseIntrospection([]byte(`{"version":"x","codegenVersion":"3.4.4","enums":{},"nonModels":{},"models":{
		"Zed":{"name":"Zed","pluralName":"Zeds","fields":{"id":{"name":"id","type":"ID","isRequired":true},"b":{"name":"b","type":"String"},"a":{"name":"a","type":"String"},"born":{"name":"born","type":"AWSDateTime","isReadOnly":true}},
			"attributes":[{"type":"model","properties":{"timestamps":{"createdAt":"born","updatedAt":null}}}]},
		"Alpha":{"name":"Alpha","pluralName":"Alphas","fields":{"id":{"name":"id","type":"ID","isRequired":true}},"attributes":[{"type":"model","properties":{}}]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	var models []string
	for _, m := range s.Models {
		models = append(models, m.Name)
	}
	if strings.Join(models, ",") != "Zed,Alpha" {
		t.Errorf("models in order %v, want Zed,Alpha", models)
	}
	z := s.Model("Zed")
	var fields []string
	for _, f := range z.Fields {
		fields = append(fields, f.Name)
	}
	if !strings.HasPrefix(strings.Join(fields, ","), "id,b,a") {
		t.Errorf("fields in order %v, want id,b,a first", fields)
	}
	if z.CreatedAt != "born" || z.UpdatedAt != "" {
		t.Errorf("timestamps %q %q, want born and none", z.CreatedAt, z.UpdatedAt)
	}
}
