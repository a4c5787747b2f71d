package server

import (
	"encoding/json"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"regexp"

	"github.com/datastore-wasm/datastore-wasm/relation"
)

// The AWS scalars' formats (AppSync's "AWS AppSync scalar types"); a value
// out of format fails the mutation before anything is written.
var (
	reDate     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2}(:\d{2})?)?$`)
	reTime     = regexp.MustCompile(`^\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}(:\d{2})?)?$`)
	reDateTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}(:\d{2})?)$`)
	rePhone    = regexp.MustCompile(`^\+?[0-9 ().-]{3,25}$`)
)

func validScalar(typ string, v any) bool {
	s, isString := v.(string)
	switch typ {
	case "AWSDate":
		return isString && reDate.MatchString(s)
	case "AWSTime":
		return isString && reTime.MatchString(s)
	case "AWSDateTime":
		return isString && reDateTime.MatchString(s)
	case "AWSTimestamp":
		f, ok := toFloat(v)
		return ok && f == float64(int64(f))
	case "AWSEmail":
		if !isString {
			return false
		}
		a, err := mail.ParseAddress(s)
		return err == nil && a.Address == s
	case "AWSJSON":
		return isString && json.Valid([]byte(s))
	case "AWSURL":
		if !isString {
			return false
		}
		u, err := url.Parse(s)
		return err == nil && u.Scheme != "" && (u.Host != "" || u.Opaque != "")
	case "AWSPhone":
		return isString && rePhone.MatchString(s)
	case "AWSIPAddress":
		if !isString {
			return false
		}
		if ip, _, err := net.ParseCIDR(s); err == nil && ip != nil {
			return true
		}
		return net.ParseIP(s) != nil
	}
	return true
}

// checkInput checks the AWS scalar values of a mutation's input (GraphQL
// validation has checked the rest).
func checkInput(s *relation.Schema, m *relation.Model, in map[string]any) error {
	for _, f := range m.Fields {
		if err := checkValue(s, m.Name, f, in[f.Name]); err != nil {
			return err
		}
	}
	return nil
}

func checkValue(s *relation.Schema, owner string, f *relation.Field, v any) error {
	if v == nil {
		return nil
	}
	if list, ok := v.([]any); ok && f.IsArray {
		for _, el := range list {
			if err := checkValue(s, owner, &relation.Field{Name: f.Name, Kind: f.Kind, Type: f.Type}, el); err != nil {
				return err
			}
		}
		return nil
	}
	switch f.Kind {
	case relation.KindScalar:
		if !validScalar(f.Type, v) {
			return &fieldError{errorType: "BadRequest", message: fmt.Sprintf("Variable 'input' has an invalid value: %s.%s is not a valid %s: %v", owner, f.Name, f.Type, v)}
		}
	case relation.KindNonModel:
		nm := s.NonModel(f.Type)
		obj, ok := v.(map[string]any)
		if nm == nil || !ok {
			return nil
		}
		for _, nf := range nm.Fields {
			if err := checkValue(s, owner+"."+f.Name, nf, obj[nf.Name]); err != nil {
				return err
			}
		}
	}
	return nil
}
