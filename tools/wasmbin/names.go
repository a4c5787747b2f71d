package wasmbin

import "fmt"

const (
	sectionImport byte = 2
	importFunc    byte = 0
	importTable   byte = 1
	importMemory  byte = 2
	importGlobal  byte = 3
	importTag     byte = 4
	nameFunctions byte = 1
)

// Function is a function defined in a module (not imported): its name from the name section
// ("" where the module has none) and the size of its body in the code section.
type Function struct {
	Name string
	Size int
}

// Functions lists the module's defined functions with their names and body sizes.
func Functions(sections []Section) ([]Function, error) {
	imported := 0
	var names map[uint32]string
	var funcs []Function
	for _, s := range sections {
		var err error
		switch {
		case s.ID == sectionImport:
			imported, err = countFuncImports(s.Content)
		case s.ID == SectionCode:
			funcs, err = bodySizes(s.Content)
		case s.Name() == "name":
			names, err = functionNames(s.Content)
		}
		if err != nil {
			return nil, err
		}
	}
	for i := range funcs {
		funcs[i].Name = names[uint32(imported+i)]
	}
	return funcs, nil
}

func countFuncImports(content []byte) (int, error) {
	r := NewReader(content)
	n, err := r.U32()
	if err != nil {
		return 0, err
	}
	funcs := 0
	for i := uint32(0); i < n; i++ {
		if _, err := r.Name(); err != nil {
			return 0, err
		}
		if _, err := r.Name(); err != nil {
			return 0, err
		}
		kind, err := r.Byte()
		if err != nil {
			return 0, err
		}
		switch kind {
		case importFunc:
			funcs++
			_, err = r.U32()
		case importTable:
			if _, err = r.Byte(); err == nil {
				err = skipLimits(r)
			}
		case importMemory:
			err = skipLimits(r)
		case importGlobal:
			_, err = r.Byte()
			if err == nil {
				_, err = r.Byte()
			}
		case importTag:
			if _, err = r.Byte(); err == nil {
				_, err = r.U32()
			}
		default:
			err = fmt.Errorf("wasmbin: import %d has unknown kind %d", i, kind)
		}
		if err != nil {
			return 0, err
		}
	}
	return funcs, nil
}

func skipLimits(r *Reader) error {
	flags, err := r.Byte()
	if err != nil {
		return err
	}
	if _, err := r.U32(); err != nil {
		return err
	}
	if flags&1 != 0 {
		_, err = r.U32()
	}
	return err
}

func bodySizes(content []byte) ([]Function, error) {
	r := NewReader(content)
	n, err := r.U32()
	if err != nil {
		return nil, err
	}
	funcs := make([]Function, n)
	for i := range funcs {
		body, err := r.Bytes()
		if err != nil {
			return nil, fmt.Errorf("wasmbin: code body %d: %w", i, err)
		}
		funcs[i].Size = len(body)
	}
	return funcs, nil
}

// functionNames reads the function-names subsection of a name section's content (after the
// section's own name).
func functionNames(content []byte) (map[uint32]string, error) {
	r := NewReader(content)
	if _, err := r.Name(); err != nil {
		return nil, err
	}
	for !r.Done() {
		id, err := r.Byte()
		if err != nil {
			return nil, err
		}
		sub, err := r.Bytes()
		if err != nil {
			return nil, err
		}
		if id != nameFunctions {
			continue
		}
		sr := NewReader(sub)
		n, err := sr.U32()
		if err != nil {
			return nil, err
		}
		names := make(map[uint32]string, n)
		for i := uint32(0); i < n; i++ {
			idx, err := sr.U32()
			if err != nil {
				return nil, err
			}
			name, err := sr.Name()
			if err != nil {
				return nil, err
			}
			names[idx] = name
		}
		return names, nil
	}
	return nil, nil
}
