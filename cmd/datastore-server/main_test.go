package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// The command prints its two endpoints with the port it got, serves HTTPS
// and WSS on it with -dev-tls, keeps the certificate in the data folder and
// the SQLite file there too, and stops when its context ends.
func TestDevTLSServesBothEndpoints(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-schema", "demo.graphql", "-listen", "127.0.0.1:0", "-api-key", "k", "-data", dir, "-dev-tls"}, pw)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	var endpoints []string
	for len(endpoints) < 2 && lines.Scan() {
		endpoints = append(endpoints, lines.Text())
	}
	go io.Copy(io.Discard, pr)
	if len(endpoints) != 2 || !strings.HasPrefix(endpoints[0], "graphql: https://127.0.0.1:") || !strings.HasPrefix(endpoints[1], "realtime: wss://127.0.0.1:") ||
		strings.Contains(endpoints[0], ":0/") {
		t.Fatalf("printed %q", endpoints)
	}
	gql := strings.TrimPrefix(endpoints[0], "graphql: ")
	rt := strings.TrimPrefix(endpoints[1], "realtime: ")
	if rt != strings.Replace(gql, "https://", "wss://", 1)+"/realtime" {
		t.Fatalf("the real-time URL %s is not the one Amplify derives from %s", rt, gql)
	}
	insecure := &tls.Config{InsecureSkipVerify: true}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: insecure}}
	req, _ := http.NewRequest("OPTIONS", gql, nil)
	req.Header.Set("Origin", "http://127.0.0.1:8080")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "x-api-key") {
		t.Fatalf("CORS preflight: %v", resp.Header)
	}
	req, _ = http.NewRequest("POST", gql, strings.NewReader(`{"query":"{ listPosts { items { id } nextToken } }"}`))
	req.Header.Set("X-Api-Key", "k")
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != `{"data":{"listPosts":{"items":[],"nextToken":null}}}`+"\n" {
		t.Fatalf("query over HTTPS: %d %s", resp.StatusCode, body)
	}
	dctx, dcancel := context.WithTimeout(ctx, 5*time.Second)
	defer dcancel()
	ws, _, err := websocket.Dial(dctx, rt, &websocket.DialOptions{HTTPClient: client, Subprotocols: []string{"graphql-ws"}})
	if err != nil {
		t.Fatalf("WSS: %v", err)
	}
	ws.CloseNow()
	for _, f := range []string{"dev-cert.pem", "dev-key.pem", "datastore-server.db"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("the data folder lacks %s", f)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not stop")
	}
}

func TestFlagsAreChecked(t *testing.T) {
	def, per, _ := parseConflict("automerge, Post=optimistic_concurrency")
	if def != "AUTOMERGE" || per["Post"] != "OPTIMISTIC_CONCURRENCY" {
		t.Fatalf("parseConflict: %q %v", def, per)
	}
	dir := t.TempDir()
	for name, args := range map[string][]string{
		"no schema":         {},
		"missing schema":    {"-schema", filepath.Join(dir, "none.graphql")},
		"bad handler":       {"-schema", "demo.graphql", "-data", dir, "-conflict", "LAMBDA"},
		"unknown model":     {"-schema", "demo.graphql", "-data", dir, "-conflict", "Nope=AUTOMERGE"},
		"half a TLS pair":   {"-schema", "demo.graphql", "-data", dir, "-tls-cert", "x.pem"},
		"bad introspection": {"-schema", writeFile(t, dir, "bad.json", `{"models": 1}`)},
	} {
		if err := run(context.Background(), args, io.Discard); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func writeFile(t *testing.T, dir, name, text string) string {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
