package store

// Plans are whole operations that a store carries out in one transaction.
// The caller (package relation) plans what the operation reads and what
// must hold; the write deciders of this package (write*.go) take each
// decision that needs the stored records, the same for both stores; the
// stores only read, write and hand results back. In a browser a plan costs
// one crossing into the executor, and a call back into Go only where a
// decision needs what was read (see write.go).

// SavePlan inserts or replaces one record.
type SavePlan struct {
	Store string `json:"store"`
	// Record is the record to write, with the fields of Set set on it.
	// Fields in Keep are replaced by the stored record's values when a
	// record with the same key exists.
	Record Record `json:"record,omitempty"`
	// Text, when set, is Record's JSON as the caller has it (for failure
	// messages that quote the record).
	Text string   `json:"-"`
	Set  Fields   `json:"set,omitempty"`
	Keep []string `json:"keep,omitempty"`
	// Ignore lists fields left out when deciding whether the record is
	// unchanged; an unchanged record is not written.
	Ignore []string `json:"ignore,omitempty"`
	// Require lists reads that must find a record, or the save fails with
	// ErrRequirement and the requirement's message.
	Require []Requirement `json:"require,omitempty"`
	// Condition must hold on the stored record, when there is one, or the
	// save fails with ErrConditionFailed and ConditionMessage.
	Condition        *Filter `json:"condition,omitempty"`
	ConditionMessage string  `json:"conditionMessage,omitempty"`
	// Omit lists fields removed from the record handed back.
	Omit []string `json:"omit,omitempty"`
	// Outbox, when set, is the store the save's mutation is appended to,
	// in the same transaction.
	Outbox string `json:"outbox,omitempty"`
}

// Requirement is a read that must find at least one record.
type Requirement struct {
	Query   Query  `json:"query"`
	Message string `json:"message"`
	// Explain, when set and Message is empty, writes the message from the
	// saved record (the plan's Text, which may be "", and its Record): it
	// is built only when the requirement fails (a save's integrity message
	// quotes the record: several µs a save in wasm that almost never
	// fail).
	Explain func(text string, rec Record) string `json:"-"`
}

// message is the failure message of the requirement of save p.
func (r *Requirement) message(p *SavePlan) string {
	if r.Message == "" && r.Explain != nil {
		return r.Explain(p.Text, p.Record)
	}
	return r.Message
}

// BatchPlan is several saves and deletes, carried out in order, all or
// nothing, in one transaction over Scope. With Eager (every step a save,
// no two of the same key) the steps' requests all go out at once; else
// each step starts when the one before it is done.
type BatchPlan struct {
	Steps []BatchStep `json:"steps"`
	Scope []string    `json:"scope"`
	Eager bool        `json:"eager,omitempty"`
}

// BatchStep is one save or one delete.
type BatchStep struct {
	Save   *SavePlan   `json:"save,omitempty"`
	Delete *DeletePlan `json:"delete,omitempty"`
}

// BatchOutcome has one outcome per step.
type BatchOutcome struct {
	Steps []StepOutcome `json:"steps"`
}

// StepOutcome is a save's or a delete's outcome.
type StepOutcome struct {
	SaveOutcome
	DeleteOutcome
}

// OutboxEntry is one mutation in a plan's outbox store: the model's store,
// the operation, the record (as written, or as it was when deleted), the
// time in ms since the epoch, and its place in the queue. An UPDATE also
// lists the fields it changed (Changed); a save's UPDATE and the DELETE of
// a delete's root carry the user's condition, if any.
type OutboxEntry struct {
	Order     float64  `json:"order,omitempty"`
	Model     string   `json:"model"`
	OpType    string   `json:"opType"`
	Element   Record   `json:"element"`
	Time      float64  `json:"time"`
	Changed   []string `json:"changed,omitempty"`
	Condition *Filter  `json:"condition,omitempty"`
}

// SaveOutcome is what a save did: Op is "INSERT", "UPDATE", or "" when the
// stored record was equal and nothing was written; Record is the record as
// stored.
type SaveOutcome struct {
	Op     string `json:"op"`
	Record Record `json:"record"`
}

// DeletePlan deletes the records Roots selects and, level by level, the
// records that Edges reach from them.
type DeletePlan struct {
	Roots Query `json:"roots"`
	// Condition must hold on the first root, or nothing is deleted and the
	// delete fails with ErrConditionFailed and ConditionMessage.
	Condition        *Filter `json:"condition,omitempty"`
	ConditionMessage string  `json:"conditionMessage,omitempty"`
	// Edges, by store: from a record of that store, the records of
	// Edge.Store whose To fields equal its From fields are deleted too.
	Edges map[string][]Edge `json:"edges,omitempty"`
	// Scope lists every store the walk can reach (the transaction's scope).
	Scope []string `json:"scope"`
	// Omit lists fields removed from the records handed back.
	Omit []string `json:"omit,omitempty"`
	// Outbox, when set, is the store each deleted or updated record's
	// mutation is appended to, in order, in the same transaction.
	Outbox string `json:"outbox,omitempty"`
	// DryRun walks the same steps and writes nothing: the outcome lists
	// what the delete would remove and set to null, and, in Blocked, the
	// records restrict edges found (the delete would fail) instead of
	// failing (write_dryrun.go).
	DryRun bool `json:"dryRun,omitempty"`
}

// Edge follows equal fields from one store's records to another's, and
// says what happens to the records it reaches when the record it starts
// from is deleted: Action "" deletes them (and walks on from them),
// "setNull" sets their To fields to null, "restrict" fails the delete with
// ErrRestricted and Message when there are any.
type Edge struct {
	Action  string   `json:"action,omitempty"`
	Message string   `json:"message,omitempty"`
	From    []string `json:"from"`
	Store   string   `json:"store"`
	// Key is set when To is Store's primary key; else Index names the index
	// of Store over To, or is "" to scan Store.
	Key   bool     `json:"key,omitempty"`
	Index string   `json:"index,omitempty"`
	To    []string `json:"to"`
	// Order sorts the records reached, each step on its own.
	Order []Order `json:"order,omitempty"`
	// Via names the edge for a dry run's outcome ("Post.comments").
	Via string `json:"via,omitempty"`
}

// Removed is one deleted record.
type Removed struct {
	Store  string `json:"store"`
	Record Record `json:"record"`
	// Via and Fields, in a dry run's outcome: the edge that reached the
	// record ("" for a root), and the fields set to null (updated only).
	Via    string   `json:"via,omitempty"`
	Fields []string `json:"fields,omitempty"`
}

// DeleteOutcome lists the deleted records, descendants before ancestors
// (the deepest level first, the roots last), how many are roots, and the
// records whose keys were set to null, as they are now stored.
type DeleteOutcome struct {
	Removed []Removed `json:"removed"`
	Roots   int       `json:"roots"`
	Updated []Removed `json:"updated"`
	// Blocked, in a dry run's outcome, are the records that restrict the
	// delete: with any, the delete would fail and change nothing.
	Blocked []Removed `json:"blocked,omitempty"`
}

// edgeQuery is the read that follows e from rec; ok is false when a From
// field of rec is null, so nothing is reached.
func edgeQuery(e Edge, rec Record) (Query, bool) {
	values := make([]any, len(e.From))
	for i, f := range e.From {
		v := rec[f]
		if !ValidKey(v) {
			return Query{}, false
		}
		values[i] = v
	}
	q := Query{Store: e.Store, Index: e.Index, Order: e.Order}
	if e.Key || e.Index != "" {
		if len(values) == 1 {
			q.Range = Only(values[0])
		} else {
			q.Range = Only(values)
		}
		return q, true
	}
	eq := &Filter{Group: "and"}
	for i, f := range e.To {
		eq.Children = append(eq.Children, &Filter{Field: f, Op: "eq", Value: values[i]})
	}
	q.Filter = eq
	return q, true
}

// TreePlan reads records and, level by level, what they include, in one
// read-only transaction over Scope (the IndexedDB store's ReadTree).
type TreePlan struct {
	Roots Query `json:"roots"`
	// RootKey, when the roots are read by key, holds the key fields'
	// values: lookups that join on them need not wait for the root.
	RootKey map[string]any `json:"rootKey,omitempty"`
	Include []IncludeSpec  `json:"include,omitempty"`
	Scope   []string       `json:"scope"`
}

// IncludeSpec follows an edge from each record and keeps what it reaches
// under the record's "@included"[Field]: a list when Many, else the first
// record or null; then Include from those records.
type IncludeSpec struct {
	Edge
	Field   string        `json:"field"`
	Many    bool          `json:"many,omitempty"`
	Omit    []string      `json:"omit,omitempty"`
	Include []IncludeSpec `json:"include,omitempty"`
}
