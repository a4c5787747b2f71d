package relation

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// relationDirectives are the directives that make a field a relation.
var relationDirectives = []string{"hasMany", "hasOne", "belongsTo", "manyToMany", "connection"}

//go:noinline
func relationDirective(f *ast.FieldDefinition) *ast.Directive {
	for _, name := range relationDirectives {
		if d := f.Directives.ForName(name); d != nil {
			return d
		}
	}
	return nil
}

// relations turns the relation directives of one model into associations,
// adding foreign-key fields, indexes and join models as codegen does.
func (r *sdlReader) relations(def *ast.Definition, rm *rawModel) error {
	for _, f := range def.Fields {
		rf := rm.Fields.Values[f.Name]
		d := relationDirective(f)
		if d == nil {
			if rf.Type.Kind == KindModel {
				return sdlError(def, f, "a field of model type "+rf.Type.Name+" needs a relation directive: @hasMany, @hasOne, @belongsTo or @manyToMany")
			}
			continue
		}
		if rf.Type.Kind != KindModel {
			return sdlError(def, f, "@"+d.Name+" must be on a field whose type is a @model, and "+rf.Type.Name+" is not one")
		}
		var err error
		switch d.Name {
		case "hasMany":
			err = r.hasMany(def, f, d, rm, rf)
		case "hasOne":
			err = r.hasOne(def, f, d, rm, rf)
		case "belongsTo":
			err = r.belongsTo(def, f, d, rm, rf)
		case "manyToMany":
			err = r.manyToMany(def, f, d, rf)
		case "connection":
			err = r.connection(def, f, d, rm, rf)
		}
		if err != nil {
			return err
		}
		if policy, ok := argString(d, "onDelete"); ok && rf.Association != nil {
			rf.Association.OnDelete = policy
			rf.Association.pos = pos(f.Position)
		}
	}
	return nil
}

//go:noinline
func (r *sdlReader) primaryKey(model string) []string {
	for _, a := range r.raw.Models.Values[model].Attributes {
		if a.Type == "key" && a.Properties.Name == "" {
			return a.Properties.Fields
		}
	}
	return []string{"id"}
}

// index returns the fields of the named index (@index or @key) of model.
//
//go:noinline
func (r *sdlReader) index(model, name string) []string {
	for _, a := range r.raw.Models.Values[model].Attributes {
		if a.Type == "key" && a.Properties.Name == name {
			return a.Properties.Fields
		}
	}
	return nil
}

//go:noinline
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// foreignKeyNames names the implied foreign-key fields codegen adds for a
// relation field: owner + Field + each key field of the parent, in camel
// case (Post.comments → postCommentsId; StoreItem of Store(storeId, region)
// → storeItemsStoreId, storeItemsRegion).
func (r *sdlReader) foreignKeyNames(owner, field, parent string) []string {
	var out []string
	for _, k := range r.primaryKey(parent) {
		out = append(out, lowerFirst(owner)+upperFirst(field)+upperFirst(k))
	}
	return out
}

// addForeignKeys adds to model the foreign-key fields names, typed like the
// key fields of parent, unless the model declares them.
func (r *sdlReader) addForeignKeys(model string, names []string, parent string, required bool) {
	rm := r.raw.Models.Values[model]
	pk := r.primaryKey(parent)
	for i, name := range names {
		if rm.Fields.Values[name] != nil {
			continue
		}
		typ := rawType{KindScalar, "ID"}
		if i < len(pk) {
			if pf := r.raw.Models.Values[parent].Fields.Values[pk[i]]; pf != nil {
				typ = pf.Type
			}
		}
		rm.Fields.add(name, &rawField{Name: name, Type: typ, IsRequired: required})
	}
}

// backField finds the field of model target that points back at owner with
// one of the given directives.
func (r *sdlReader) backField(target, owner string, directives ...string) (*ast.FieldDefinition, *ast.Directive) {
	for _, f := range r.types[target].Fields {
		if f.Type.Name() != owner {
			continue
		}
		for _, name := range directives {
			if d := f.Directives.ForName(name); d != nil {
				return f, d
			}
		}
	}
	return nil, nil
}

// hasManyForeignKeys names the foreign key a has-many without fields puts
// on its children.
//
//go:noinline
func (r *sdlReader) hasManyForeignKeys(parent, field, child string) []string {
	return r.foreignKeyNames(parent, field, parent)
}

func (r *sdlReader) hasMany(def *ast.Definition, f *ast.FieldDefinition, d *ast.Directive, rm *rawModel, rf *rawField) error {
	if !rf.IsArray {
		return sdlError(def, f, "@hasMany needs a list type: ["+rf.Type.Name+"]")
	}
	child := rf.Type.Name
	fields := argStrings(d, "fields")
	assoc := &rawAssociation{ConnectionType: "HAS_MANY"}
	if indexName, ok := argString(d, "indexName"); ok {
		ix := r.index(child, indexName)
		if ix == nil {
			return sdlError(def, f, "@hasMany(indexName: \""+indexName+"\") names an index that "+child+" does not have; add @index(name: \""+indexName+"\") to the field of "+child+" that holds the "+def.Name+" key")
		}
		n := len(r.primaryKey(def.Name))
		if len(fields) > 0 {
			n = len(fields)
		}
		if n > len(ix) {
			n = len(ix)
		}
		assoc.AssociatedWith = ix[:n]
	} else if len(fields) > 0 {
		pk := r.primaryKey(child)
		if len(fields) > len(pk) {
			return sdlError(def, f, "@hasMany(fields:) gives more fields than "+child+" has key fields; name an index with indexName")
		}
		assoc.AssociatedWith = pk[:len(fields)]
	} else if back, bd := r.backField(child, def.Name, "belongsTo"); back != nil {
		assoc.AssociatedWith = []string{back.Name}
		if len(argStrings(bd, "fields")) == 0 {
			fks := r.hasManyForeignKeys(def.Name, f.Name, child)
			r.addForeignKeys(child, fks, def.Name, false)
		}
	} else {
		fks := r.hasManyForeignKeys(def.Name, f.Name, child)
		r.addForeignKeys(child, fks, def.Name, false)
		r.raw.Models.Values[child].Attributes = append(r.raw.Models.Values[child].Attributes, keyAttribute("gsi-"+def.Name+"."+f.Name, fks))
		assoc.AssociatedWith = fks
	}
	rf.Association = assoc
	return nil
}

func (r *sdlReader) hasOne(def *ast.Definition, f *ast.FieldDefinition, d *ast.Directive, rm *rawModel, rf *rawField) error {
	if rf.IsArray {
		return sdlError(def, f, "@hasOne cannot be on a list; use @hasMany for ["+rf.Type.Name+"]")
	}
	target := rf.Type.Name
	fields := argStrings(d, "fields")
	if len(fields) == 0 {
		fields = r.foreignKeyNames(def.Name, f.Name, target)
		r.addForeignKeys(def.Name, fields, target, false)
	}
	for _, name := range fields {
		if rm.Fields.Values[name] == nil {
			return sdlError(def, f, "@hasOne(fields:) names "+name+", which "+def.Name+" does not have")
		}
	}
	rf.Association = &rawAssociation{ConnectionType: "HAS_ONE", AssociatedWith: r.primaryKey(target), TargetNames: fields}
	return nil
}

func (r *sdlReader) belongsTo(def *ast.Definition, f *ast.FieldDefinition, d *ast.Directive, rm *rawModel, rf *rawField) error {
	if rf.IsArray {
		return sdlError(def, f, "@belongsTo cannot be on a list")
	}
	parent := rf.Type.Name
	fields := argStrings(d, "fields")
	if len(fields) == 0 {
		back, bd := r.backField(parent, def.Name, "hasMany", "hasOne")
		switch {
		case back != nil && bd.Name == "hasMany" && len(argStrings(bd, "fields")) == 0 && bd.Arguments.ForName("indexName") == nil:
			fields = r.hasManyForeignKeys(parent, back.Name, def.Name)
		case back != nil && bd.Name == "hasMany":
			return sdlError(def, f, "@belongsTo needs fields: [...] naming the key fields that "+parent+"."+back.Name+" joins on")
		default:
			fields = r.foreignKeyNames(def.Name, f.Name, parent)
		}
		r.addForeignKeys(def.Name, fields, parent, rf.IsRequired)
	}
	if n := len(r.primaryKey(parent)); len(fields) != n {
		return sdlError(def, f, "@belongsTo(fields:) must give one field for each of the "+itoa(n)+" key fields of "+parent)
	}
	for _, name := range fields {
		if rm.Fields.Values[name] == nil {
			return sdlError(def, f, "@belongsTo(fields:) names "+name+", which "+def.Name+" does not have")
		}
	}
	rf.Association = &rawAssociation{ConnectionType: "BELONGS_TO", TargetNames: fields}
	return nil
}

// manyToMany creates (once) the join model named by relationName, with a
// required belongs-to and an indexed key field for each side, and makes the
// field a has-many of the join model (SPEC 1.9).
func (r *sdlReader) manyToMany(def *ast.Definition, f *ast.FieldDefinition, d *ast.Directive, rf *rawField) error {
	name, ok := argString(d, "relationName")
	if !ok || name == "" {
		return sdlError(def, f, "@manyToMany needs relationName: \"...\", the name of the join model")
	}
	if !rf.IsArray {
		return sdlError(def, f, "@manyToMany needs a list type: ["+rf.Type.Name+"]")
	}
	other := rf.Type.Name
	if _, exists := r.types[name]; exists {
		return sdlError(def, f, "relationName \""+name+"\" is already the name of a type; choose another")
	}
	join := r.raw.Models.Values[name]
	if join == nil {
		back, _ := r.backField(other, def.Name, "manyToMany")
		if back == nil {
			return sdlError(def, f, "@manyToMany needs a field on "+other+" of type ["+def.Name+"] with @manyToMany(relationName: \""+name+"\")")
		}
		join = &rawModel{Name: name, PluralName: name + "s"}
		join.Attributes = []rawAttribute{{Type: "model"}, keyAttribute("", []string{"id"})}
		join.Fields.add("id", &rawField{Name: "id", Type: rawType{KindScalar, "ID"}, IsRequired: true})
		sides := []string{def.Name, other}
		for _, side := range sides {
			join.Fields.add(lowerFirst(side)+"ID", &rawField{Name: lowerFirst(side) + "ID", Type: rawType{KindScalar, "ID"}, IsRequired: true})
		}
		for _, side := range sides {
			key := lowerFirst(side) + "ID"
			join.Fields.add(lowerFirst(side), &rawField{Name: lowerFirst(side), Type: rawType{KindModel, side}, IsRequired: true,
				Association: &rawAssociation{ConnectionType: "BELONGS_TO", TargetNames: []string{key}}})
			join.Attributes = append(join.Attributes, keyAttribute("by"+side, []string{key}))
		}
		r.raw.Models.add(name, join)
	}
	rf.Type = rawType{KindModel, name}
	rf.Association = &rawAssociation{ConnectionType: "HAS_MANY", AssociatedWith: []string{lowerFirst(def.Name)}}
	return nil
}

// connection reads the older @connection directive: with name, both sides
// of one relation; with fields, a belongs-to (or, on a list, a has-many
// through keyName).
func (r *sdlReader) connection(def *ast.Definition, f *ast.FieldDefinition, d *ast.Directive, rm *rawModel, rf *rawField) error {
	target := rf.Type.Name
	fields := argStrings(d, "fields")
	name, named := argString(d, "name")
	switch {
	case rf.IsArray && len(fields) > 0:
		keyName, _ := argString(d, "keyName")
		ix := r.primaryKey(target)
		if keyName != "" {
			if ix = r.index(target, keyName); ix == nil {
				return sdlError(def, f, "@connection(keyName: \""+keyName+"\") names a key that "+target+" does not have")
			}
		}
		if len(fields) > len(ix) {
			return sdlError(def, f, "@connection(fields:) gives more fields than the key of "+target+" has")
		}
		rf.Association = &rawAssociation{ConnectionType: "HAS_MANY", AssociatedWith: ix[:len(fields)]}
	case len(fields) > 0:
		for _, fk := range fields {
			if rm.Fields.Values[fk] == nil {
				return sdlError(def, f, "@connection(fields:) names "+fk+", which "+def.Name+" does not have")
			}
		}
		rf.Association = &rawAssociation{ConnectionType: "BELONGS_TO", TargetNames: fields}
	case rf.IsArray:
		back := r.namedConnection(target, def.Name, name, named)
		if back == nil {
			fks := r.foreignKeyNames(def.Name, f.Name, def.Name)
			r.addForeignKeys(target, fks, def.Name, false)
			rf.Association = &rawAssociation{ConnectionType: "HAS_MANY", AssociatedWith: fks}
			return nil
		}
		rf.Association = &rawAssociation{ConnectionType: "HAS_MANY", AssociatedWith: []string{back.Name}}
	default:
		back := r.namedConnection(target, def.Name, name, named)
		if back != nil && back.Type.Elem != nil {
			fks := r.foreignKeyNames(lowerFirst(target), back.Name, target)
			r.addForeignKeys(def.Name, fks, target, rf.IsRequired)
			rf.Association = &rawAssociation{ConnectionType: "BELONGS_TO", TargetNames: fks}
			return nil
		}
		fks := r.foreignKeyNames(def.Name, f.Name, target)
		r.addForeignKeys(def.Name, fks, target, false)
		rf.Association = &rawAssociation{ConnectionType: "HAS_ONE", AssociatedWith: r.primaryKey(target), TargetNames: fks}
	}
	return nil
}

// namedConnection finds the field of target with @connection(name) pointing
// at owner.
func (r *sdlReader) namedConnection(target, owner, name string, named bool) *ast.FieldDefinition {
	if !named {
		return nil
	}
	for _, f := range r.types[target].Fields {
		if d := f.Directives.ForName("connection"); d != nil && f.Type.Name() == owner {
			if n, _ := argString(d, "name"); n == name {
				return f
			}
		}
	}
	return nil
}

// timestampNames reads @model(timestamps:) as introspection would hold it.
func timestampNames(t rawTimestamps) (created, updated string) {
	m := &Model{CreatedAt: "createdAt", UpdatedAt: "updatedAt"}
	_ = m.timestamps(t)
	return m.CreatedAt, m.UpdatedAt
}
