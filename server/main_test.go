package server

import (
	"testing"

	"github.com/datastore-wasm/datastore-wasm/server/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
