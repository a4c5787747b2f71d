package store

import (
	"errors"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
)

var errOutcomeShape = errors.New("store: a write's outcome, as the executor reported it, has an unexpected shape")

// parseOutcome reads the JSON of a write's outcome into out, a *SaveOutcome, *DeleteOutcome or
// *BatchOutcome, as the executor resolves it: {"op","record"}, {"removed":[{"store","record"}],
// "roots","updated":[...],"blocked"?}, or {"steps":[...]} of either.
func parseOutcome(text string, out any) error {
	m, err := jv.ParseObjectText(text)
	if err != nil {
		return err
	}
	switch o := out.(type) {
	case *SaveOutcome:
		return o.read(m)
	case *DeleteOutcome:
		return o.read(m)
	case *BatchOutcome:
		steps, _ := m["steps"].([]any)
		o.Steps = make([]StepOutcome, len(steps))
		for i, sv := range steps {
			s, ok := sv.(map[string]any)
			if !ok {
				return errOutcomeShape
			}
			if err := o.Steps[i].SaveOutcome.read(s); err != nil {
				return err
			}
			if err := o.Steps[i].DeleteOutcome.read(s); err != nil {
				return err
			}
		}
		return nil
	}
	return errOutcomeShape
}

func (o *SaveOutcome) read(m map[string]any) error {
	o.Op, _ = m["op"].(string)
	o.Record, _ = m["record"].(map[string]any)
	return nil
}

func (o *DeleteOutcome) read(m map[string]any) error {
	var err error
	if o.Removed, err = readRemoved(m["removed"]); err != nil {
		return err
	}
	if o.Updated, err = readRemoved(m["updated"]); err != nil {
		return err
	}
	if o.Blocked, err = readRemoved(m["blocked"]); err != nil {
		return err
	}
	roots, _ := m["roots"].(float64)
	o.Roots = int(roots)
	return nil
}

func readRemoved(v any) ([]Removed, error) {
	list, _ := v.([]any)
	if list == nil {
		return nil, nil
	}
	out := make([]Removed, len(list))
	for i, e := range list {
		r, ok := e.(map[string]any)
		if !ok {
			return nil, errOutcomeShape
		}
		out[i].Store, _ = r["store"].(string)
		out[i].Record, _ = r["record"].(map[string]any)
		out[i].Via, _ = r["via"].(string)
		fields, ok := stringList(r["fields"])
		if !ok {
			return nil, errOutcomeShape
		}
		out[i].Fields = fields
	}
	return out, nil
}
