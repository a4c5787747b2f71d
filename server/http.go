package server

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator"
)

// Handler serves /graphql (queries and mutations) and /graphql/realtime
// (subscriptions over AppSync's WebSocket protocol).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/graphql", s.serveGraphQL)
	mux.HandleFunc("/graphql/realtime", s.serveRealtime)
	return s.recoverer(s.cors(mux))
}

func (s *Server) recoverer(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				err := s.recovered(v)
				writeJSON(w, http.StatusInternalServerError, errorResponse(gqlError{ErrorType: "InternalFailure", Message: err.Error()}))
			}
		}()
		h.ServeHTTP(w, r)
	})
}

func (s *Server) cors(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.AllowOrigin != "" {
			hd := w.Header()
			hd.Set("Access-Control-Allow-Origin", s.cfg.AllowOrigin)
			if s.cfg.AllowOrigin != "*" {
				hd.Add("Vary", "Origin")
			}
			if r.Method == http.MethodOptions {
				hd.Set("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
				hd.Set("Access-Control-Allow-Headers", "content-type, x-api-key, x-amz-user-agent, authorization, x-amz-date, x-amz-security-token")
				hd.Set("Access-Control-Max-Age", "86400")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// response is a GraphQL response: data first, then errors if any.
type response struct {
	Data   any        `json:"data"`
	Errors []gqlError `json:"errors,omitempty"`
}

func errorResponse(errs ...gqlError) response {
	for i := range errs {
		if errs[i].Data == nil {
			errs[i].Data = json.RawMessage("null")
		}
	}
	return response{Errors: errs}
}

func unauthorized() gqlError {
	return gqlError{ErrorType: "UnauthorizedException", Message: "You are not authorized to make this call."}
}

// authorized checks an API key against the configured one.
func (s *Server) authorized(key string) bool {
	return s.cfg.APIKey == "" || subtle.ConstantTimeCompare([]byte(key), []byte(s.cfg.APIKey)) == 1
}

type request struct {
	Query         string          `json:"query"`
	OperationName string          `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
}

func (s *Server) serveGraphQL(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST, OPTIONS")
		writeJSON(w, http.StatusMethodNotAllowed, errorResponse(gqlError{ErrorType: "BadRequestException", Message: "Send GraphQL requests as POST with a JSON body {query, variables}."}))
		return
	}
	if !s.authorized(r.Header.Get("X-Api-Key")) {
		writeJSON(w, http.StatusUnauthorized, response{Errors: []gqlError{unauthorized()}})
		return
	}
	var body bytes.Buffer
	if _, err := body.ReadFrom(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSON(w, http.StatusRequestEntityTooLarge, errorResponse(gqlError{ErrorType: "BadRequestException", Message: fmt.Sprintf("The request body is over %d bytes.", s.cfg.MaxBodyBytes)}))
			return
		}
		writeJSON(w, http.StatusBadRequest, errorResponse(gqlError{ErrorType: "BadRequestException", Message: "The request body could not be read."}))
		return
	}
	var req request
	d := json.NewDecoder(&body)
	d.UseNumber()
	if err := d.Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, errorResponse(gqlError{ErrorType: "MalformedHttpRequestException", Message: "The body is not JSON of the form {\"query\": …, \"variables\": {…}}: " + err.Error()}))
		return
	}
	vars, err := decodeVariables(req.Variables)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorResponse(gqlError{ErrorType: "MalformedHttpRequestException", Message: err.Error()}))
		return
	}
	doc, op, vars, errs := s.prepare(req.Query, req.OperationName, vars)
	if errs != nil {
		writeJSON(w, http.StatusOK, errorResponse(errs...))
		return
	}
	if op.Operation == ast.Subscription {
		writeJSON(w, http.StatusOK, errorResponse(gqlError{ErrorType: "BadRequestException", Message: "Subscriptions are served over WebSocket on /graphql/realtime."}))
		return
	}
	e := &execution{ctx: r.Context(), srv: s, doc: doc, vars: vars}
	data := e.run(op)
	writeJSON(w, http.StatusOK, response{Data: data, Errors: e.errors})
}

func decodeVariables(raw json.RawMessage) (map[string]any, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return map[string]any{}, nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v map[string]any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("variables must be a JSON object: %v", err)
	}
	return v, nil
}

// prepare parses and validates a document, picks the operation, checks the
// size limits and coerces the variables.
func (s *Server) prepare(query, opName string, vars map[string]any) (*ast.QueryDocument, *ast.OperationDefinition, map[string]any, []gqlError) {
	doc, list := gqlparser.LoadQuery(s.api.gql, query)
	if len(list) > 0 {
		return nil, nil, nil, fromGQL(list)
	}
	op := doc.Operations.ForName(opName)
	if op == nil {
		if opName == "" {
			return nil, nil, nil, []gqlError{{ErrorType: "ValidationError", Message: "The document has several operations: name one in operationName."}}
		}
		return nil, nil, nil, []gqlError{{ErrorType: "ValidationError", Message: "No operation named " + opName + " in the document."}}
	}
	if depth, fields := measure(doc, op.SelectionSet, 1, map[string]bool{}); depth > s.cfg.MaxDepth || fields > s.cfg.MaxFields {
		return nil, nil, nil, []gqlError{{ErrorType: "ValidationError", Message: fmt.Sprintf("The query is too large: depth %d (at most %d), %d fields (at most %d).", depth, s.cfg.MaxDepth, fields, s.cfg.MaxFields)}}
	}
	coerced, err := validator.VariableValues(s.api.gql, op, vars)
	if err != nil {
		var ge *gqlerror.Error
		if errors.As(err, &ge) {
			return nil, nil, nil, fromGQL(gqlerror.List{ge})
		}
		return nil, nil, nil, []gqlError{{ErrorType: "ValidationError", Message: err.Error()}}
	}
	return doc, op, coerced, nil
}

// measure returns the depth and the number of fields of a selection set,
// fragments expanded.
func measure(doc *ast.QueryDocument, set ast.SelectionSet, depth int, visiting map[string]bool) (int, int) {
	maxDepth, fields := depth, 0
	for _, sel := range set {
		var d, n int
		switch x := sel.(type) {
		case *ast.Field:
			d, n = depth, 1
			if len(x.SelectionSet) > 0 {
				var sub int
				d, sub = measure(doc, x.SelectionSet, depth+1, visiting)
				n += sub
			}
		case *ast.InlineFragment:
			d, n = measure(doc, x.SelectionSet, depth, visiting)
		case *ast.FragmentSpread:
			fr := doc.Fragments.ForName(x.Name)
			if fr == nil || visiting[x.Name] {
				continue
			}
			visiting[x.Name] = true
			d, n = measure(doc, fr.SelectionSet, depth, visiting)
			delete(visiting, x.Name)
		}
		maxDepth, fields = max(maxDepth, d), fields+n
	}
	return maxDepth, fields
}

func fromGQL(list gqlerror.List) []gqlError {
	out := make([]gqlError, 0, len(list))
	for _, e := range list {
		ge := gqlError{ErrorType: "ValidationError", Message: "Validation error: " + e.Message, Data: json.RawMessage("null")}
		for _, l := range e.Locations {
			ge.Locations = append(ge.Locations, location{l.Line, l.Column})
		}
		out = append(out, ge)
	}
	return out
}
