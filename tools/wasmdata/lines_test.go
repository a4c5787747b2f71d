package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/datastore-wasm/datastore-wasm/tools/wasmbin"
)

// buildProg links testdata/prog for js/wasm as the product's build does (-s -w) and returns the
// module's bytes. It skips the test when go or node is missing.
func buildProg(t *testing.T) []byte {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
	out := filepath.Join(t.TempDir(), "prog.wasm")
	cmd := exec.Command(goTool(), "build", "-trimpath", "-ldflags=-s -w", "-o", out, "./testdata/prog")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func goTool() string {
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// runWasm runs a module under Node with Go's wasm_exec_node.js and returns its output and exit code.
func runWasm(t *testing.T, module []byte, args ...string) (string, int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.wasm")
	if err := os.WriteFile(path, module, 0o644); err != nil {
		t.Fatal(err)
	}
	runner := filepath.Join(runtime.GOROOT(), "lib", "wasm", "wasm_exec_node.js")
	if !fileExists(runner) {
		runner = filepath.Join(runtime.GOROOT(), "misc", "wasm", "wasm_exec_node.js")
	}
	cmd := exec.Command("node", append([]string{runner, path}, args...)...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

func TestStripLinesKeepsTheProgramRunning(t *testing.T) {
	module := buildProg(t)
	// Its pc lookup buckets dropped too, and not written back (Go's wasm_exec_node.js does not
	// read the custom section): the runtime still finds every function, linearly.
	stripped, _, _, err := rewrite(module, 64, true, true)
	if err != nil {
		t.Fatal(err)
	}
	want, code := runWasm(t, module)
	if code != 0 || !strings.Contains(want, "has position: true") {
		t.Fatalf("the linked program failed (exit %d):\n%s", code, want)
	}
	got, code := runWasm(t, stripped)
	if code != 0 {
		t.Fatalf("the stripped program failed (exit %d):\n%s", code, got)
	}
	// Everything but the source position prints the same: GC, stack growth, goroutines,
	// recover, and function names in debug.Stack.
	if w := strings.Replace(want, "has position: true", "has position: false", 1); got != w {
		t.Errorf("stripped program printed\n%s\nwant\n%s", got, w)
	}

	// An unrecovered panic still ends the program with a traceback that names the functions.
	out, code := runWasm(t, stripped, "panic")
	if code == 0 || !strings.Contains(out, "nil pointer dereference") || !strings.Contains(out, "main.crash(") ||
		!strings.Contains(out, "main.main()") ||
		!strings.Contains(out, "?:0") {
		t.Errorf("stripped program's panic (exit %d):\n%s", code, out)
	}
}

func TestStripLinesZeroesWhatItUnlinksOnce(t *testing.T) {
	module := buildProg(t)
	mem := memoryImage(t, module)
	first, err := stripLines(mem)
	if err != nil {
		t.Fatal(err)
	}
	if first.Funcs < 1000 || first.Zeroed < 10000 {
		t.Fatalf("stripped %+v: want thousands of functions and tens of KB zeroed", first)
	}
	again := bytes.Clone(mem)
	second, err := stripLines(again)
	if err != nil {
		t.Fatal(err)
	}
	if second.Zeroed != 0 || !bytes.Equal(again, mem) {
		t.Errorf("a second strip zeroed %d more bytes, want none", second.Zeroed)
	}
}

func TestStripLinesRefusesAnUnknownLayout(t *testing.T) {
	if _, err := stripLines(make([]byte, 4096)); err == nil {
		t.Error("want an error for memory without a pclntab")
	}
	segments := []wasmbin.Segment{active(0, "abc"), active(2, "XY")}
	if _, err := editSegments(segments, 64, func(mem []byte) error { _, err := stripLines(mem); return err }); err == nil {
		t.Error("want an error for overlapping segments")
	}
}

func TestAppendNonZeroDropsLongZeroRuns(t *testing.T) {
	mem := []byte("\x00\x00ab\x00c" + strings.Repeat("\x00", 10) + "d\x00\x00")
	got := appendNonZero(nil, mem, 0, uint64(len(mem)), 4)
	if len(got) != 2 || got[0].Offset != 2 || string(got[0].Data) != "ab\x00c" ||
		got[1].Offset != 16 || string(got[1].Data) != "d" {
		t.Errorf("got %+v", got)
	}
	if !bytes.Equal(wasmbin.Image(got), mem[:17]) {
		t.Error("memory image changed")
	}
}

func memoryImage(t *testing.T, module []byte) []byte {
	t.Helper()
	sections, err := wasmbin.Parse(module)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sections {
		if s.ID == wasmbin.SectionData {
			segments, err := wasmbin.ParseData(s.Content)
			if err != nil {
				t.Fatal(err)
			}
			return wasmbin.Image(segments)
		}
	}
	t.Fatal("no data section")
	return nil
}
