package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// newTestServer mounts two temporary directories the way the Makefile does:
// the demo at / and the built package at /dist/.
func newTestServer(t *testing.T) *httptest.Server {
	t.Helper()
	web, dist := t.TempDir(), t.TempDir()
	write(t, web, "index.html", "<!doctype html>demo")
	write(t, web, "app.js", "import '/dist/index.js';")
	write(t, dist, "index.js", "export {};")
	write(t, dist, "worker.mjs", "export {};")
	write(t, dist, "main.wasm", "raw")
	write(t, dist, "main.wasm.br", "brotli")
	write(t, dist, "main.wasm.gz", "gzip")
	write(t, dist, "plain.wasm", "plain")

	var mounts mountList
	for _, arg := range []string{"/=" + web, "/dist=" + dist} {
		if err := mounts.Set(arg); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(newHandler(mounts))
	t.Cleanup(srv.Close)
	return srv
}

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestContentTypesAndMounts(t *testing.T) {
	srv := newTestServer(t)
	for _, tc := range []struct {
		path, acceptEncoding         string
		wantType, wantEncoding, body string
	}{
		{"/", "", "text/html; charset=utf-8", "", "<!doctype html>demo"},
		{"/app.js", "", "text/javascript; charset=utf-8", "", "import '/dist/index.js';"},
		{"/dist/index.js", "", "text/javascript; charset=utf-8", "", "export {};"},
		{"/dist/worker.mjs", "", "text/javascript; charset=utf-8", "", "export {};"},
		{"/dist/main.wasm", "identity", "application/wasm", "", "raw"},
		{"/dist/main.wasm", "gzip, deflate, br, zstd", "application/wasm", "br", "brotli"},
		{"/dist/main.wasm", "gzip, br;q=0", "application/wasm", "gzip", "gzip"},
		{"/dist/plain.wasm", "gzip, br", "application/wasm", "", "plain"},
	} {
		req, _ := http.NewRequest("GET", srv.URL+tc.path, nil)
		// Setting the header ourselves stops the transport from adding gzip
		// and transparently decoding the response.
		req.Header.Set("Accept-Encoding", tc.acceptEncoding)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		name := tc.path + " [" + tc.acceptEncoding + "]"
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", name, resp.StatusCode)
		}
		if got := resp.Header.Get("Content-Type"); got != tc.wantType {
			t.Errorf("%s: Content-Type %q, want %q", name, got, tc.wantType)
		}
		if got := resp.Header.Get("Content-Encoding"); got != tc.wantEncoding {
			t.Errorf("%s: Content-Encoding %q, want %q", name, got, tc.wantEncoding)
		}
		if got := resp.Header.Get("Cache-Control"); got != "no-cache" {
			t.Errorf("%s: Cache-Control %q, want no-cache", name, got)
		}
		if string(body) != tc.body {
			t.Errorf("%s: body %q, want %q", name, body, tc.body)
		}
	}
}

func TestNotFoundAndRedirect(t *testing.T) {
	srv := newTestServer(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	for _, path := range []string{"/missing.js", "/dist/missing.wasm", "/dist/../../etc/passwd"} {
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
		}
		if enc := resp.Header.Get("Content-Encoding"); enc != "" {
			t.Errorf("%s: error response has Content-Encoding %q", path, enc)
		}
	}

	resp, err := client.Get(srv.URL + "/dist")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != "/dist/" {
		t.Errorf("/dist: status %d Location %q, want 302 to /dist/", resp.StatusCode, loc)
	}
}

func TestMountFlag(t *testing.T) {
	var l mountList
	for _, bad := range []string{"web", "dist/=dist", "/=", "/x"} {
		if err := l.Set(bad); err == nil {
			t.Errorf("Set(%q) accepted a malformed mount", bad)
		}
	}
	if err := l.Set("/a=x"); err != nil {
		t.Fatal(err)
	}
	if err := l.Set("/a/=y"); err == nil {
		t.Error("Set accepted the same prefix twice")
	}
	if got := l.String(); got != "/a/=x" {
		t.Errorf("String() = %q", got)
	}
}
