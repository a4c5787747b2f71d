package relation

import "maps"

// Construct makes a new record of m from the values a caller gave (SPEC
// 2.1): each given field is cast and validated (a given null for a required
// field fails), relation fields set their foreign keys, the id is
// generated where the model manages it, and every other field is null.
// Required fields left out pass here and fail at save. init is left as it
// was (ConstructOwned takes it over instead).
func (s *Schema) Construct(m *Model, init Record, ids IDSource) (Record, error) {
	c, err := s.ConstructOwned(m, maps.Clone(init), ids)
	return c.Record, err
}

// Construction is a record a constructor made, and whether it is the
// values given as they were with only Generated added (an id, which JSON
// writes as it is between quotes; "" when none was) and null for every
// field left out: the module then builds the instance from the values it
// gave and the id, without the record (js/models.js, fillAnswer).
type Construction struct {
	Record    Record
	AsGiven   bool
	Generated string
}

// ConstructOwned is Construct of init, which it takes over: the record is
// init itself, changed in place (a constructor's values are parsed for it
// alone, and a map less is a fifth of its Go time in wasm).
func (s *Schema) ConstructOwned(m *Model, init Record, ids IDSource) (Construction, error) {
	if init == nil {
		init = Record{}
	}
	kept, err := s.apply(m, init, init, nil, true)
	if err != nil {
		return Construction{}, err
	}
	c := Construction{Record: init, AsGiven: kept}
	switch m.IDKind {
	case IDManaged:
		if _, given := init["id"]; given {
			c.AsGiven = false
		}
		c.Generated = ids.NewID(m)
		init["id"] = c.Generated
	case IDOptionallyManaged:
		if v, given := init["id"]; !given || v == nil {
			c.AsGiven = c.AsGiven && !given
			c.Generated = ids.NewID(m)
			init["id"] = c.Generated
		}
	}
	s.normalize(m, init)
	c.AsGiven = c.AsGiven && plainText(c.Generated)
	return c, nil
}

// plainText reports whether JSON writes s as it is, between quotes:
// printable ASCII without quotes or backslashes.
func plainText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
