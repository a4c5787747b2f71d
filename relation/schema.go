// Package relation is the engine of the DataStore: the schema (read from
// GraphQL SDL or from Amplify codegen's introspection object), validation of
// records, the relation graph, predicates, query planning and the cascade
// planner. It stores records through store.DB and never touches JavaScript.
package relation

// Schema is a resolved schema: every model with its keys, indexes and
// relations, ready to plan operations on.
type Schema struct {
	Models    []*Model
	Enums     []*Enum
	NonModels []*NonModel
	// Version identifies the schema (the introspection "version", or a hash
	// of the SDL text).
	Version string

	models    map[string]*Model
	enums     map[string]*Enum
	nonModels map[string]*NonModel
}

// Model returns the model named name, or nil.
func (s *Schema) Model(name string) *Model { return s.models[name] }

// Enum returns the enum named name, or nil.
func (s *Schema) Enum(name string) *Enum { return s.enums[name] }

// NonModel returns the non-model type named name, or nil.
func (s *Schema) NonModel(name string) *NonModel { return s.nonModels[name] }

// IDKind says who supplies a model's primary key.
type IDKind int

const (
	// IDManaged: the key is `id`, always generated (any given id is ignored).
	IDManaged IDKind = iota
	// IDOptionallyManaged: the key starts with `id`; generated when absent.
	IDOptionallyManaged
	// IDCustom: the caller supplies every key field.
	IDCustom
)

// Model is one @model type.
type Model struct {
	Name       string
	PluralName string
	// Syncable models get UUID v4 ids; local-only ones (syncable: false)
	// get ULIDs.
	Syncable   bool
	Fields     []*Field
	PrimaryKey []string
	IDKind     IDKind
	// Indexes are the secondary indexes of the model's store: named keys
	// (@index), foreign keys of belongs-to relations, and the lookup fields
	// of has-many and has-one relations that point here.
	Indexes []Index
	// Relations lists the model's relation fields in field order.
	Relations []*Relation
	// CreatedAt and UpdatedAt name the managed timestamp fields; "" when
	// timestamps are off.
	CreatedAt, UpdatedAt string

	fields map[string]*Field
	// saveKeeps and saveIgnores are the fields every save of the model
	// keeps from the stored record and leaves out of its no-op check
	// (saveFields); made once as the schema resolves, shared by every
	// plan, never changed.
	saveKeeps, saveIgnores []string
}

// saveFields are the fields a save keeps from the stored record (the
// insertion sequence, createdAt) and those its no-op check ignores
// (updatedAt).
func (m *Model) saveFields() (keep, ignore []string) {
	keep = []string{seqField}
	if m.CreatedAt != "" {
		keep = append(keep, m.CreatedAt)
	}
	if m.UpdatedAt != "" {
		ignore = []string{m.UpdatedAt}
	}
	return keep, ignore
}

// Field returns the field named name, or nil.
func (m *Model) Field(name string) *Field { return m.fields[name] }

// Relation returns the relation held by field name, or nil.
func (m *Model) Relation(name string) *Relation {
	if f := m.fields[name]; f != nil {
		return f.Relation
	}
	return nil
}

// TypeKind says what a field holds.
type TypeKind int

const (
	KindScalar TypeKind = iota
	KindEnum
	KindNonModel
	KindModel
)

// Field is one field of a model or non-model type.
type Field struct {
	Name string
	Kind TypeKind
	// Type is the scalar name (ID, String, AWSDateTime, ...) or the name of
	// the enum, non-model or model type.
	Type string
	// IsArray: a list. IsRequired: the value (or, for a list, each element)
	// is non-null. IsArrayNullable: the list itself may be null.
	IsArray, IsRequired, IsArrayNullable bool
	// ReadOnly fields are managed by the DataStore (timestamps).
	ReadOnly bool
	// Relation is set for fields whose type is a model.
	Relation *Relation
}

// Index is a secondary index over Fields, in order.
type Index struct {
	Name   string
	Fields []string
	// Declared is the name given in the schema (@index name), if any.
	Declared string
}

// RelationKind is the kind of a relation field.
type RelationKind int

const (
	HasMany RelationKind = iota
	HasOne
	BelongsTo
)

func (k RelationKind) String() string {
	return [...]string{"HAS_MANY", "HAS_ONE", "BELONGS_TO"}[k]
}

// Relation links records of Model to records of Target: the related records
// are those whose RemoteFields equal this record's LocalFields, pairwise.
type Relation struct {
	Field        string
	Kind         RelationKind
	Model        *Model
	Target       *Model
	LocalFields  []string
	RemoteFields []string
	// OnDelete is the delete policy (Cascade, SetNull, Restrict); "" is
	// Cascade.
	OnDelete string

	// missingParent is missingParentMessage bound to the relation once,
	// where the schema resolves it (a method value made per save would be
	// an allocation a save).
	missingParent func(text string, rec Record) string
}

// Cascades reports whether deleting a record deletes what this relation
// reaches (has-many and has-one do; belongs-to never does).
func (r *Relation) Cascades() bool { return r.Kind != BelongsTo }

// Enum is an enum type.
type Enum struct {
	Name   string
	Values []string
}

// NonModel is a type without @model, stored embedded in its owner.
type NonModel struct {
	Name   string
	Fields []*Field

	fields map[string]*Field
}

// Field returns the field named name, or nil.
func (n *NonModel) Field(name string) *Field { return n.fields[name] }
