// Command bench measures the sync server (make bench-server): a base sync of
// 10,000 records in pages of 1,000, mutations per second from 10 concurrent
// clients, and subscription delivery latency to 100 subscribers, on SQLite
// and PostgreSQL (DATASTORE_TEST_POSTGRES, or a throwaway server when
// Debian's postgresql is installed). The server runs in process over
// loopback HTTP, without TLS.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/datastore-wasm/datastore-wasm/relation"
	"github.com/datastore-wasm/datastore-wasm/server"
	"github.com/datastore-wasm/datastore-wasm/server/internal/pgtest"
	"github.com/datastore-wasm/datastore-wasm/server/storage"
	_ "github.com/jackc/pgx/v5/stdlib"
)

const (
	records     = 10000
	pageSize    = 1000
	clients     = 10
	subscribers = 100
	events      = 100
	key         = "bench-key"
)

const schemaSDL = `
enum PostStatus { ACTIVE INACTIVE }
type Post @model { id: ID! title: String! rating: Int! status: PostStatus! }`

const postSel = `id title rating status createdAt updatedAt _version _lastChangedAt _deleted`

type figures struct {
	syncMs        float64
	mutationsPerS float64
	p50, p99      float64
}

func main() {
	log.SetFlags(0)
	cols := []string{"sqlite"}
	results := map[string]figures{}
	dir, err := os.MkdirTemp("", "bench-server")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sq, err := storage.OpenSQLite(context.Background(), filepath.Join(dir, "bench.db"))
	if err != nil {
		log.Fatal(err)
	}
	results["sqlite"] = measure(sq)
	sq.Close()

	url := os.Getenv(pgtest.EnvVar)
	if url == "" {
		u, stop, err := pgtest.Start()
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench-server: no PostgreSQL (%v); measuring SQLite only\n", err)
		} else {
			url = u
			defer stop()
		}
	}
	if url != "" {
		schemaURL, drop, err := freshSchema(url)
		if err != nil {
			log.Fatal(err)
		}
		defer drop()
		pg, err := storage.OpenPostgres(context.Background(), schemaURL)
		if err != nil {
			log.Fatal(err)
		}
		results["postgres"] = measure(pg)
		pg.Close()
		cols = append(cols, "postgres")
	}

	fmt.Println("datastore-server benchmark (in process, loopback HTTP; figures on a shared machine are noisy)")
	fmt.Printf("%-48s", "workload")
	for _, c := range cols {
		fmt.Printf("%14s", c)
	}
	fmt.Println()
	row := func(name string, f func(figures) string) {
		fmt.Printf("%-48s", name)
		for _, c := range cols {
			fmt.Printf("%14s", f(results[c]))
		}
		fmt.Println()
	}
	row(fmt.Sprintf("base sync, %d records in pages of %d", records, pageSize), func(f figures) string { return fmt.Sprintf("%.0f ms", f.syncMs) })
	row(fmt.Sprintf("creates per second, %d concurrent clients", clients), func(f figures) string { return fmt.Sprintf("%.0f /s", f.mutationsPerS) })
	row(fmt.Sprintf("subscription latency p50, %d subscribers", subscribers), func(f figures) string { return fmt.Sprintf("%.2f ms", f.p50) })
	row(fmt.Sprintf("subscription latency p99, %d subscribers", subscribers), func(f figures) string { return fmt.Sprintf("%.2f ms", f.p99) })
}

// freshSchema makes an empty schema for this run and returns its URL and
// the function that drops it.
func freshSchema(base string) (string, func(), error) {
	db, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("bench_%d", time.Now().UnixNano())
	if _, err := db.Exec("CREATE SCHEMA " + name); err != nil {
		db.Close()
		return "", nil, err
	}
	u, err := neturl.Parse(base)
	if err != nil {
		db.Close()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String(), func() { db.Exec("DROP SCHEMA " + name + " CASCADE"); db.Close() }, nil
}

func measure(store storage.Store) figures {
	schema, err := relation.ParseSDL(schemaSDL)
	if err != nil {
		log.Fatal(err)
	}
	srv, err := server.New(server.Config{Schema: schema, Store: store, APIKey: key, Log: log.New(io.Discard, "", 0)})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients * 2}}
	prefix := fmt.Sprintf("%d-", time.Now().UnixNano())

	var f figures
	// Creates from 10 clients.
	start := time.Now()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; i < records; i += clients {
				call(client, hs.URL, `mutation operation($input: CreatePostInput!) { createPost(input: $input) { `+postSel+` } }`,
					map[string]any{"input": map[string]any{"id": fmt.Sprintf("%s%05d", prefix, i), "title": "post", "rating": i % 10, "status": "ACTIVE"}})
			}
		}()
	}
	wg.Wait()
	f.mutationsPerS = records / time.Since(start).Seconds()

	// Base sync in pages.
	start = time.Now()
	var next any
	got := 0
	for {
		data := call(client, hs.URL, `query operation($limit: Int, $nextToken: String, $lastSync: AWSTimestamp, $filter: ModelPostFilterInput) { syncPosts(limit: $limit, nextToken: $nextToken, lastSync: $lastSync, filter: $filter) { items { `+postSel+` } nextToken startedAt } }`,
			map[string]any{"limit": pageSize, "nextToken": next, "lastSync": 0, "filter": nil})
		page := data["syncPosts"].(map[string]any)
		got += len(page["items"].([]any))
		if next = page["nextToken"]; next == nil {
			break
		}
	}
	f.syncMs = float64(time.Since(start).Microseconds()) / 1000
	if got < records {
		log.Fatalf("base sync returned %d records, want %d", got, records)
	}

	f.p50, f.p99 = latency(client, hs.URL, prefix)
	return f
}

func call(client *http.Client, base, query string, vars map[string]any) map[string]any {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Api-Key", key)
	resp, err := client.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Data   map[string]any `json:"data"`
		Errors []any          `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || len(r.Errors) > 0 {
		log.Fatalf("%s: %v %v", strings.Fields(query)[1], err, r.Errors)
	}
	return r.Data
}

// latency opens 100 subscribers and times each event from the mutation's
// send to its arrival at every subscriber.
func latency(client *http.Client, base, prefix string) (p50, p99 float64) {
	hdr, _ := json.Marshal(map[string]string{"host": "127.0.0.1", "x-api-key": key})
	url := "ws" + strings.TrimPrefix(base, "http") + "/graphql/realtime"
	type arrival struct {
		id string
		at time.Time
	}
	arrivals := make(chan arrival, subscribers*events)
	var ready sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range subscribers {
		ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-ws", "header-" + base64.RawURLEncoding.EncodeToString(hdr)}})
		if err != nil {
			log.Fatal(err)
		}
		ws.SetReadLimit(1 << 20)
		defer ws.CloseNow()
		write := func(m any) {
			b, _ := json.Marshal(m)
			ws.Write(ctx, websocket.MessageText, b)
		}
		write(map[string]any{"type": "connection_init"})
		data, _ := json.Marshal(map[string]any{"query": `subscription operation { onUpdatePost { ` + postSel + ` } }`, "variables": map[string]any{}})
		write(map[string]any{"id": "s", "type": "start", "payload": map[string]any{"data": string(data), "extensions": map[string]any{"authorization": map[string]any{"x-api-key": key}}}})
		ready.Add(1)
		go func() {
			acked := false
			for {
				_, b, err := ws.Read(ctx)
				if err != nil {
					return
				}
				var m struct {
					Type    string `json:"type"`
					Payload struct {
						Data map[string]struct {
							Title string `json:"title"`
						} `json:"data"`
					} `json:"payload"`
				}
				json.Unmarshal(b, &m)
				switch m.Type {
				case "start_ack":
					if !acked {
						acked = true
						ready.Done()
					}
				case "data":
					arrivals <- arrival{m.Payload.Data["onUpdatePost"].Title, time.Now()}
				}
			}
		}()
	}
	ready.Wait()
	sent := map[string]time.Time{}
	var lat []float64
	for i := range events {
		title := fmt.Sprintf("event %d", i)
		sent[title] = time.Now()
		call(client, base, `mutation operation($input: UpdatePostInput!, $condition: ModelPostConditionInput) { updatePost(input: $input, condition: $condition) { `+postSel+` } }`,
			map[string]any{"input": map[string]any{"id": fmt.Sprintf("%s%05d", prefix, 0), "title": title, "_version": i + 1}, "condition": nil})
		for range subscribers {
			a := <-arrivals
			lat = append(lat, float64(a.at.Sub(sent[a.id]).Microseconds())/1000)
		}
	}
	sort.Float64s(lat)
	return lat[len(lat)/2], lat[len(lat)*99/100]
}
