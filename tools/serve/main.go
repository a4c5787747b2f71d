// Command serve is the static file server used for development and browser tests.
//
// It maps URL prefixes to directories, so the demo and the built package can be
// served side by side:
//
//	go run ./tools/serve -mount /=web -mount /dist/=dist
//
// Every response carries Cache-Control: no-cache: the browser may keep a copy
// (and the compiled wasm code cached with it) but must revalidate it, so a
// rebuild is picked up on the next reload. A request for x.wasm is answered
// with x.wasm.br or x.wasm.gz when that file exists and the client accepts the
// encoding, which is how the package is meant to be deployed.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
)

func main() {
	var mounts mountList
	addr := flag.String("addr", "127.0.0.1:8080", "listen address; keep it on loopback unless you mean to share the files")
	flag.Var(&mounts, "mount", "serve a directory under a URL prefix, given as `/prefix=dir` (repeatable)")
	flag.Parse()
	if len(mounts) == 0 {
		fmt.Fprintln(os.Stderr, "serve: no -mount given; for example: -mount /=web -mount /dist/=dist")
		flag.Usage()
		os.Exit(2)
	}
	for _, m := range mounts {
		if fi, err := os.Stat(m.dir); err != nil || !fi.IsDir() {
			log.Fatalf("serve: -mount %s=%s: %s is not a directory", m.prefix, m.dir, m.dir)
		}
	}

	// Listen first so that -addr 127.0.0.1:0 prints the port actually chosen.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("serve: %v", err)
	}
	fmt.Printf("serving http://%s/\n", ln.Addr())
	log.Fatal(http.Serve(ln, newHandler(mounts)))
}

// A mount serves the files of dir under the URL prefix, which always ends in "/".
type mount struct {
	prefix string
	dir    string
}

// mountList is the value of the repeatable -mount flag.
type mountList []mount

func (l *mountList) String() string {
	parts := make([]string, len(*l))
	for i, m := range *l {
		parts[i] = m.prefix + "=" + m.dir
	}
	return strings.Join(parts, " ")
}

func (l *mountList) Set(s string) error {
	prefix, dir, ok := strings.Cut(s, "=")
	if !ok || !strings.HasPrefix(prefix, "/") || dir == "" {
		return fmt.Errorf("want /url-prefix=dir, got %q", s)
	}
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	for _, m := range *l {
		if m.prefix == prefix {
			return fmt.Errorf("prefix %s is mounted twice (%s and %s)", prefix, m.dir, dir)
		}
	}
	*l = append(*l, mount{prefix: prefix, dir: dir})
	return nil
}

// newHandler routes each request to the mount with the longest matching prefix.
func newHandler(mounts []mount) http.Handler {
	sorted := append([]mount(nil), mounts...)
	sort.Slice(sorted, func(i, j int) bool { return len(sorted[i].prefix) > len(sorted[j].prefix) })
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		for _, m := range sorted {
			if r.URL.Path+"/" == m.prefix {
				http.Redirect(w, r, m.prefix, http.StatusFound) // not 301: mounts change between runs
				return
			}
			if rest, ok := strings.CutPrefix(r.URL.Path, m.prefix); ok {
				serveFile(w, r, http.Dir(m.dir), "/"+rest)
				return
			}
		}
		http.NotFound(w, r)
	})
}

// contentTypes overrides the system MIME table, which on some hosts maps .js
// to application/javascript or lacks .wasm (WebAssembly.instantiateStreaming
// refuses anything but application/wasm).
var contentTypes = map[string]string{
	".wasm": "application/wasm",
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
}

// encodings lists the precompressed variants of a .wasm file, best first.
var encodings = []struct{ name, ext string }{{"br", ".br"}, {"gzip", ".gz"}}

// serveFile serves name from root, substituting a precompressed .wasm variant
// when the client accepts it. http.FileServer does the rest: path cleaning,
// index.html, conditional and range requests.
func serveFile(w http.ResponseWriter, r *http.Request, root http.Dir, name string) {
	ext := path.Ext(name)
	if ct, ok := contentTypes[ext]; ok {
		w.Header().Set("Content-Type", ct)
	}
	if ext == ".wasm" {
		w.Header().Add("Vary", "Accept-Encoding")
		for _, enc := range encodings {
			if accepts(r.Header.Get("Accept-Encoding"), enc.name) && isFile(root, name+enc.ext) {
				w.Header().Set("Content-Encoding", enc.name)
				name += enc.ext
				break
			}
		}
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path, r2.URL.RawPath = name, ""
	http.FileServer(root).ServeHTTP(w, r2)
}

// accepts reports whether an Accept-Encoding header allows coding, that is,
// names it without q=0. "*" is ignored: browsers list what they support.
func accepts(header, coding string) bool {
	for _, item := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(item, ";")
		if !strings.EqualFold(strings.TrimSpace(name), coding) {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(k, "q") {
				q, _ = strconv.ParseFloat(strings.TrimSpace(v), 64)
			}
		}
		return q > 0
	}
	return false
}

// isFile reports whether name exists in root and is not a directory.
func isFile(root http.Dir, name string) bool {
	f, err := root.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	fi, err := f.Stat()
	return err == nil && fi.Mode().IsRegular()
}
