// Command datastore-server serves a schema's AppSync DataStore API (queries,
// mutations, sync and real-time subscriptions) on SQLite or PostgreSQL, so
// that Amplify DataStore clients sync with it unchanged. See README.md,
// "Sync server".
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/datastore-wasm/datastore-wasm/relation"
	"github.com/datastore-wasm/datastore-wasm/server"
	"github.com/datastore-wasm/datastore-wasm/server/storage"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "datastore-server:", err)
		os.Exit(1)
	}
}

func run() error {
	schemaPath := flag.String("schema", "", "the schema: GraphQL SDL (as initSchema takes) or Amplify codegen's introspection JSON (required)")
	listen := flag.String("listen", "127.0.0.1:4000", "address to listen on (port 0 picks a free one)")
	apiKey := flag.String("api-key", "", "the API key clients send as x-api-key (empty accepts any)")
	dataDir := flag.String("data", ".", "data folder: the default SQLite file and the -dev-tls certificate")
	db := flag.String("db", "", "database: a SQLite file path, or postgres://… (default DATA/datastore-server.db)")
	devTLS := flag.Bool("dev-tls", false, "serve HTTPS/WSS with a self-signed certificate for 127.0.0.1 and localhost, made once and kept in the data folder")
	tlsCert := flag.String("tls-cert", "", "TLS certificate file (PEM); with -tls-key")
	tlsKey := flag.String("tls-key", "", "TLS private key file (PEM)")
	conflict := flag.String("conflict", server.Automerge, "conflict handler: AUTOMERGE or OPTIMISTIC_CONCURRENCY, optionally per model: AUTOMERGE,Post=OPTIMISTIC_CONCURRENCY")
	allowOrigin := flag.String("allow-origin", "", "CORS Access-Control-Allow-Origin (default * with -dev-tls, none otherwise)")
	tombstoneTTL := flag.Duration("tombstone-ttl", 30*24*time.Hour, "how long deleted records are kept as tombstones")
	changelogTTL := flag.Duration("changelog-ttl", 30*time.Minute, "how far back delta sync reaches; older clients get a base sync")
	maxBody := flag.Int64("max-body", 1<<20, "largest request body in bytes")
	flag.Parse()

	if *schemaPath == "" {
		return errors.New("-schema FILE is required (SDL or codegen introspection JSON)")
	}
	schema, err := readSchema(*schemaPath)
	if err != nil {
		return err
	}
	cfg := server.Config{Schema: schema, APIKey: *apiKey, TombstoneTTL: *tombstoneTTL, ChangeLogTTL: *changelogTTL,
		MaxBodyBytes: *maxBody, AllowOrigin: *allowOrigin}
	if cfg.Conflict, cfg.ModelConflict, err = parseConflict(*conflict); err != nil {
		return err
	}
	if cfg.AllowOrigin == "" && *devTLS {
		cfg.AllowOrigin = "*"
	}
	if err := os.MkdirAll(*dataDir, 0o755); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var store storage.Store
	if strings.HasPrefix(*db, "postgres://") || strings.HasPrefix(*db, "postgresql://") {
		store, err = storage.OpenPostgres(ctx, *db)
	} else {
		path := *db
		if path == "" {
			path = filepath.Join(*dataDir, "datastore-server.db")
		}
		store, err = storage.OpenSQLite(ctx, path)
	}
	if err != nil {
		return fmt.Errorf("opening the database: %w", err)
	}
	defer store.Close()
	cfg.Store = store
	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	defer srv.Close()

	var tlsConfig *tls.Config
	switch {
	case *tlsCert != "" || *tlsKey != "":
		cert, err := tls.LoadX509KeyPair(*tlsCert, *tlsKey)
		if err != nil {
			return fmt.Errorf("-tls-cert/-tls-key: %w", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	case *devTLS:
		cert, err := server.DevCertificate(*dataDir)
		if err != nil {
			return fmt.Errorf("-dev-tls: %w", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	httpScheme, wsScheme := "http", "ws"
	if tlsConfig != nil {
		ln = tls.NewListener(ln, tlsConfig)
		httpScheme, wsScheme = "https", "wss"
	}
	host := printableAddr(ln.Addr().(*net.TCPAddr))
	fmt.Printf("graphql: %s://%s/graphql\n", httpScheme, host)
	fmt.Printf("realtime: %s://%s/graphql/realtime\n", wsScheme, host)

	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: log.New(os.Stderr, "datastore-server: http: ", 0)}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Close()
	return hs.Shutdown(shutdown)
}

func readSchema(path string) (*relation.Schema, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("-schema: %w", err)
	}
	var s *relation.Schema
	if t := strings.TrimSpace(string(b)); strings.HasPrefix(t, "{") {
		s, err = relation.ParseIntrospection(b)
	} else {
		s, err = relation.ParseSDL(string(b))
	}
	if err != nil {
		return nil, fmt.Errorf("-schema %s: %w", path, err)
	}
	return s, nil
}

func parseConflict(v string) (string, map[string]string, error) {
	def, per := "", map[string]string{}
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if m, h, ok := strings.Cut(part, "="); ok {
			per[strings.TrimSpace(m)] = strings.ToUpper(strings.TrimSpace(h))
		} else {
			def = strings.ToUpper(part)
		}
	}
	return def, per, nil
}

func printableAddr(a *net.TCPAddr) string {
	ip := a.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(a.Port))
}
