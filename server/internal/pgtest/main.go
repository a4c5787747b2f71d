package pgtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
)

// Main runs a package's tests; when DATASTORE_TEST_POSTGRES is unset and
// Debian's PostgreSQL binaries are installed, it first starts a throwaway
// server (initdb into a temp folder, a free loopback port, run as the
// postgres user when the tests run as root) and stops it afterwards. So the
// PostgreSQL tests skip only where no PostgreSQL is installed.
func Main(m *testing.M) {
	if os.Getenv(EnvVar) != "" {
		os.Exit(m.Run())
	}
	url, stop, err := Start()
	if err == nil {
		os.Setenv(EnvVar, url)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: no PostgreSQL for the tests (%v); they will skip\n", err)
		os.Exit(m.Run())
	}
	code := m.Run()
	stop()
	os.Exit(code)
}

// Start runs a throwaway PostgreSQL server and returns its URL and the
// function that stops it and removes its files.
func Start() (string, func(), error) {
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		return "", nil, fmt.Errorf("no /usr/lib/postgresql/*/bin/initdb")
	}
	sort.Strings(bins)
	bin := filepath.Dir(bins[len(bins)-1])
	dir, err := os.MkdirTemp("", "pgtest")
	if err != nil {
		return "", nil, err
	}
	var prefix []string
	if os.Getuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return "", nil, fmt.Errorf("running as root and there is no postgres user to run the server as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		if err := os.Chown(dir, uid, -1); err != nil {
			os.RemoveAll(dir)
			return "", nil, err
		}
		prefix = []string{"runuser", "-u", "postgres", "--"}
	}
	run := func(args ...string) error {
		all := append(append([]string{}, prefix...), args...)
		out, err := exec.Command(all[0], all[1:]...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %v: %s", filepath.Base(args[0]), err, out)
		}
		return nil
	}
	data := filepath.Join(dir, "data")
	if err := run(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	var url string
	for attempt := 0; ; attempt++ {
		port, err := freePort()
		if err != nil {
			os.RemoveAll(dir)
			return "", nil, err
		}
		opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", port, dir)
		err = run(filepath.Join(bin, "pg_ctl"), "-D", data, "-l", filepath.Join(dir, "server.log"), "-w", "-o", opts, "start")
		if err == nil {
			url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
			break
		}
		if attempt == 5 {
			os.RemoveAll(dir)
			return "", nil, err
		}
	}
	return url, func() {
		run(filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop")
		os.RemoveAll(dir)
	}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
