package syncengine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
)

// GraphQLError is one entry of a response's errors, with AppSync's fields.
type GraphQLError struct {
	Message   string
	ErrorType string
	// Data is AppSync's error data: for ConflictUnhandled the server's
	// current record.
	Data      Record
	ErrorInfo any
	Path      []any
}

func (e *GraphQLError) Error() string {
	if e.ErrorType != "" {
		return e.ErrorType + ": " + e.Message
	}
	return e.Message
}

// ResponseError is a GraphQL answer with errors.
type ResponseError struct {
	Errors []*GraphQLError
	// Data is the response's data (partial data may come with errors).
	Data Record
}

func (e *ResponseError) Error() string {
	msgs := make([]string, len(e.Errors))
	for i, x := range e.Errors {
		msgs[i] = x.Error()
	}
	return strings.Join(msgs, "; ")
}

// Has reports whether one of the errors has errorType t.
func (e *ResponseError) Has(t string) *GraphQLError {
	for _, x := range e.Errors {
		if x.ErrorType == t {
			return x
		}
	}
	return nil
}

// NetworkError is a request that got no answer.
type NetworkError struct{ Err error }

func (e *NetworkError) Error() string { return "network error: " + e.Err.Error() }
func (e *NetworkError) Unwrap() error { return e.Err }

// HTTPError is an answer with a status other than 200 and no GraphQL
// errors the engine could read.
type HTTPError struct {
	Status int
	Body   string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("the server answered HTTP %d: %s", e.Status, clip(e.Body))
}

// Retryable reports whether err is worth retrying unchanged: no answer, or
// HTTP 5xx or 429.
func Retryable(err error) bool {
	var ne *NetworkError
	if errors.As(err, &ne) {
		return true
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status >= 500 || he.Status == 429
	}
	return false
}

//go:noinline
func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// client sends GraphQL requests through a Transport.
type client struct {
	endpoint string
	headers  func(ctx context.Context) (map[string]string, error)
	t        Transport
}

// do sends query with variables and returns the response's data. Errors
// are *NetworkError, *HTTPError or *ResponseError.
func (c *client) do(ctx context.Context, query string, variables map[string]any) (Record, error) {
	body := []byte(`{"query":`)
	body = jv.AppendString(body, query)
	body = append(body, `,"variables":`...)
	body = jv.Append(body, variables)
	body = append(body, '}')
	header := map[string]string{"Content-Type": "application/json; charset=UTF-8", "x-amz-user-agent": UserAgent}
	if c.headers != nil {
		extra, err := c.headers(ctx)
		if err != nil {
			return nil, &ResponseError{Errors: []*GraphQLError{{Message: "the auth callback failed: " + err.Error(), ErrorType: "Unauthorized"}}}
		}
		for k, v := range extra {
			header[k] = v
		}
	}
	resp, err := c.t.Do(ctx, Request{URL: c.endpoint, Header: header, Body: body})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &NetworkError{err}
	}
	parsed, perr := jv.ParseObjectText(resp.Body)
	if resp.Status >= 500 || resp.Status == 429 || (perr != nil && resp.Status != 200) {
		return nil, &HTTPError{Status: resp.Status, Body: resp.Body}
	}
	if perr != nil {
		return nil, &HTTPError{Status: resp.Status, Body: "not JSON: " + resp.Body}
	}
	data, _ := parsed["data"].(map[string]any)
	if list, ok := parsed["errors"].([]any); ok && len(list) > 0 {
		re := &ResponseError{Data: data}
		for _, e := range list {
			re.Errors = append(re.Errors, graphQLError(e))
		}
		if resp.Status == 401 || resp.Status == 403 {
			for _, e := range re.Errors {
				if e.ErrorType == "" {
					e.ErrorType = "Unauthorized"
				}
			}
		}
		return data, re
	}
	if resp.Status != 200 {
		return nil, &HTTPError{Status: resp.Status, Body: resp.Body}
	}
	return data, nil
}

func graphQLError(v any) *GraphQLError {
	o, _ := v.(map[string]any)
	e := &GraphQLError{}
	e.Message, _ = o["message"].(string)
	e.ErrorType, _ = o["errorType"].(string)
	e.Data, _ = o["data"].(map[string]any)
	e.ErrorInfo = o["errorInfo"]
	e.Path, _ = o["path"].([]any)
	return e
}

// UserAgent is sent as x-amz-user-agent.
const UserAgent = "datastore-wasm/1 datastore/2"
