package server

import (
	"sort"

	"github.com/vektah/gqlparser/v2/ast"
)

// introspection answers __schema and __type from the gqlparser schema.
type introspection struct{ s *ast.Schema }

func (in *introspection) schema() object {
	return &mapObject{name: "__Schema", fields: map[string]any{
		"description": nil,
		"types": func() any {
			var names []string
			for n := range in.s.Types {
				names = append(names, n)
			}
			sort.Strings(names)
			out := make([]object, len(names))
			for i, n := range names {
				out[i] = in.named(in.s.Types[n])
			}
			return out
		},
		"queryType":        func() any { return in.defObject(in.s.Query) },
		"mutationType":     func() any { return in.defObject(in.s.Mutation) },
		"subscriptionType": func() any { return in.defObject(in.s.Subscription) },
		"directives": func() any {
			var names []string
			for n := range in.s.Directives {
				names = append(names, n)
			}
			sort.Strings(names)
			var out []object
			for _, n := range names {
				out = append(out, in.directive(in.s.Directives[n]))
			}
			return out
		},
	}}
}

func (in *introspection) defObject(d *ast.Definition) any {
	if d == nil {
		return nil
	}
	return in.named(d)
}

func (in *introspection) typeByName(name string) object {
	if d := in.s.Types[name]; d != nil {
		return in.named(d)
	}
	return nil
}

func (in *introspection) directive(d *ast.DirectiveDefinition) object {
	return &mapObject{name: "__Directive", fields: map[string]any{
		"name":         d.Name,
		"description":  nilIfEmpty(d.Description),
		"isRepeatable": d.IsRepeatable,
		"locations": func() any {
			out := make([]any, len(d.Locations))
			for i, l := range d.Locations {
				out[i] = string(l)
			}
			return out
		},
		"args": func() any { return in.args(d.Arguments) },
	}}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (in *introspection) args(list ast.ArgumentDefinitionList) []object {
	out := []object{}
	for _, a := range list {
		out = append(out, in.inputValue(a.Name, a.Description, a.Type, a.DefaultValue))
	}
	return out
}

func (in *introspection) inputValue(name, desc string, t *ast.Type, def *ast.Value) object {
	var dv any
	if def != nil {
		dv = def.String()
	}
	return &mapObject{name: "__InputValue", fields: map[string]any{
		"name": name, "description": nilIfEmpty(desc), "defaultValue": dv,
		"type":         func() any { return in.ref(t) },
		"isDeprecated": false, "deprecationReason": nil,
	}}
}

// ref is the __Type of a type reference (NON_NULL and LIST wrap the named).
func (in *introspection) ref(t *ast.Type) object {
	if t.NonNull {
		inner := *t
		inner.NonNull = false
		return &mapObject{name: "__Type", fields: wrapper("NON_NULL", func() any { return in.ref(&inner) })}
	}
	if t.Elem != nil {
		return &mapObject{name: "__Type", fields: wrapper("LIST", func() any { return in.ref(t.Elem) })}
	}
	if d := in.s.Types[t.NamedType]; d != nil {
		return in.named(d)
	}
	return nil
}

func wrapper(kind string, of func() any) map[string]any {
	return map[string]any{
		"kind": kind, "name": nil, "description": nil, "ofType": of,
		"fields": nil, "inputFields": nil, "interfaces": nil, "enumValues": nil, "possibleTypes": nil, "specifiedByURL": nil,
	}
}

func (in *introspection) named(d *ast.Definition) object {
	fields := map[string]any{
		"kind": string(d.Kind), "name": d.Name, "description": nilIfEmpty(d.Description),
		"ofType": nil, "specifiedByURL": nil,
		"fields": nil, "inputFields": nil, "interfaces": nil, "enumValues": nil, "possibleTypes": nil,
	}
	switch d.Kind {
	case ast.Object, ast.Interface:
		fields["fields"] = func(args map[string]any) any {
			out := []object{}
			for _, f := range d.Fields {
				if len(f.Name) > 1 && f.Name[:2] == "__" {
					continue
				}
				f := f
				out = append(out, &mapObject{name: "__Field", fields: map[string]any{
					"name": f.Name, "description": nilIfEmpty(f.Description),
					"args":         func() any { return in.args(f.Arguments) },
					"type":         func() any { return in.ref(f.Type) },
					"isDeprecated": false, "deprecationReason": nil,
				}})
			}
			return out
		}
		fields["interfaces"] = func() any {
			out := []object{}
			for _, n := range d.Interfaces {
				out = append(out, in.typeByName(n))
			}
			return out
		}
	case ast.InputObject:
		fields["inputFields"] = func() any {
			out := []object{}
			for _, f := range d.Fields {
				out = append(out, in.inputValue(f.Name, f.Description, f.Type, f.DefaultValue))
			}
			return out
		}
	case ast.Enum:
		fields["enumValues"] = func(args map[string]any) any {
			out := []object{}
			for _, v := range d.EnumValues {
				out = append(out, &mapObject{name: "__EnumValue", fields: map[string]any{
					"name": v.Name, "description": nilIfEmpty(v.Description), "isDeprecated": false, "deprecationReason": nil,
				}})
			}
			return out
		}
	case ast.Union:
		fields["possibleTypes"] = func() any {
			out := []object{}
			for _, n := range d.Types {
				out = append(out, in.typeByName(n))
			}
			return out
		}
	}
	return &mapObject{name: "__Type", fields: fields}
}
