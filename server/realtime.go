package server

import (
	"context"
	"net/http"

	"github.com/datastore-wasm/datastore-wasm/server/storage"
)

type wsConn struct{ cancel context.CancelFunc }

type subscription struct{ conn *wsConn }

func (s *Server) dispatch(c storage.Change) {}

func (s *Server) serveRealtime(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "not yet", http.StatusNotImplemented)
}
