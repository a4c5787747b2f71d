// Command prog exercises what the runtime reads from its symbol table (stack maps, stack
// growth, GC, goroutines, defers, panics and recover, tracebacks) so that a test can run it as
// linked and after wasmdata -strip-lines and compare what it prints.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
)

type node struct {
	next *node
	val  []byte
}

// deep recurses far enough to grow the stack several times, keeping pointers live across calls.
func deep(n int, keep *node) int {
	if n == 0 {
		runtime.GC()
		return len(keep.val)
	}
	local := &node{next: keep, val: make([]byte, n%7+1)}
	return deep(n-1, local) + len(local.val)
}

func recovered() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("recovered: %v", r)
		}
	}()
	var m map[string]int
	m["x"] = 1
	return nil
}

func indexPanic(s []int, i int) (v int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New(fmt.Sprint(r))
		}
	}()
	return s[i], nil
}

// crash dereferences p; its arguments make the traceback read their layout.
//
//go:noinline
func crash(p *node, n int, s string) int { return len(p.val) + n + len(s) }

//go:noinline
func stackOf() string { return string(debug.Stack()) }

func main() {
	fmt.Println("deep:", deep(20000, &node{val: []byte("root")}))
	var wg sync.WaitGroup
	results := make([]int, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var chain *node
			for j := 0; j < 20000; j++ {
				chain = &node{next: chain, val: make([]byte, 16)}
				if j%5000 == 0 {
					runtime.Gosched()
				}
			}
			for ; chain != nil; chain = chain.next {
				results[i]++
			}
		}()
	}
	wg.Wait()
	sort.Ints(results)
	fmt.Println("goroutines:", results[0], results[7])
	fmt.Println(recovered())
	fmt.Println(indexPanic([]int{1, 2}, 5))
	st := stackOf()
	fmt.Println("stack names main.stackOf:", strings.Contains(st, "main.stackOf"), "main.main:", strings.Contains(st, "main.main"))
	_, file, line, ok := runtime.Caller(0)
	fmt.Println("has position:", ok && file != "?" && line > 0)
	if len(os.Args) > 1 && os.Args[1] == "panic" {
		fmt.Println(crash(nil, 7, "x"))
	}
}
