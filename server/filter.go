package server

import (
	"encoding/json"
	"fmt"
	"strings"
)

// matches evaluates a filter or condition input (Model<X>FilterInput,
// Model<X>ConditionInput, ModelSubscription<X>FilterInput) on an item.
// A missing _deleted counts as false.
func matches(filter map[string]any, data map[string]any) bool {
	for k, v := range filter {
		switch k {
		case "and":
			for _, sub := range asList(v) {
				if m, ok := sub.(map[string]any); ok && !matches(m, data) {
					return false
				}
			}
		case "or":
			list := asList(v)
			if len(list) == 0 {
				continue
			}
			found := false
			for _, sub := range list {
				if m, ok := sub.(map[string]any); ok && matches(m, data) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		case "not":
			if m, ok := v.(map[string]any); ok && matches(m, data) {
				return false
			}
		default:
			ops, ok := v.(map[string]any)
			if !ok {
				continue
			}
			val, present := data[k]
			if k == "_deleted" && val == nil {
				val, present = false, true
			}
			if !matchOps(ops, val, present && val != nil) {
				return false
			}
		}
	}
	return true
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

func matchOps(ops map[string]any, val any, exists bool) bool {
	for op, arg := range ops {
		if arg == nil {
			continue
		}
		if !matchOp(op, arg, val, exists) {
			return false
		}
	}
	return true
}

func matchOp(op string, arg, val any, exists bool) bool {
	switch op {
	case "attributeExists":
		want, _ := arg.(bool)
		return exists == want
	case "attributeType":
		return exists && attributeType(val) == fmt.Sprint(arg)
	case "size":
		ops, _ := arg.(map[string]any)
		return exists && matchOps(ops, sizeOf(val), true)
	}
	if !exists {
		return op == "ne" || op == "notContains" || op == "notIn"
	}
	switch op {
	case "eq":
		return compare(val, arg) == 0
	case "ne":
		return compare(val, arg) != 0
	case "lt":
		c := compare(val, arg)
		return c != cmpNone && c < 0
	case "le":
		c := compare(val, arg)
		return c != cmpNone && c <= 0
	case "gt":
		c := compare(val, arg)
		return c != cmpNone && c > 0
	case "ge":
		c := compare(val, arg)
		return c != cmpNone && c >= 0
	case "between":
		l := asList(arg)
		if len(l) != 2 {
			return false
		}
		lo, hi := compare(val, l[0]), compare(val, l[1])
		return lo != cmpNone && hi != cmpNone && lo >= 0 && hi <= 0
	case "beginsWith":
		s, ok := val.(string)
		return ok && strings.HasPrefix(s, fmt.Sprint(arg))
	case "contains":
		return contains(val, arg)
	case "notContains":
		return !contains(val, arg)
	case "in":
		for _, a := range asList(arg) {
			if compare(val, a) == 0 {
				return true
			}
		}
		return false
	case "notIn":
		for _, a := range asList(arg) {
			if compare(val, a) == 0 {
				return false
			}
		}
		return true
	}
	return false
}

func contains(val, arg any) bool {
	switch v := val.(type) {
	case string:
		return strings.Contains(v, fmt.Sprint(arg))
	case []any:
		for _, el := range v {
			if compare(el, arg) == 0 {
				return true
			}
		}
	}
	return false
}

func sizeOf(v any) any {
	switch x := v.(type) {
	case string:
		return int64(len([]rune(x)))
	case []any:
		return int64(len(x))
	case map[string]any:
		return int64(len(x))
	}
	return int64(0)
}

func attributeType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case bool:
		return "bool"
	case []any:
		return "list"
	case map[string]any:
		return "map"
	case nil:
		return "_null"
	}
	if _, ok := toFloat(v); ok {
		return "number"
	}
	return ""
}

const cmpNone = 2

// compare orders two values of one kind (numbers, strings, booleans);
// cmpNone when they cannot be compared.
func compare(a, b any) int {
	if fa, ok := toFloat(a); ok {
		if fb, ok := toFloat(b); ok {
			switch {
			case fa < fb:
				return -1
			case fa > fb:
				return 1
			}
			return 0
		}
		return cmpNone
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		if !ok {
			return cmpNone
		}
		return strings.Compare(x, y)
	case bool:
		y, ok := b.(bool)
		if !ok {
			return cmpNone
		}
		if x == y {
			return 0
		}
		return cmpNone
	}
	return cmpNone
}

// toFloat reads any numeric value (JSON numbers, GraphQL literals).
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case int32:
		return float64(x), true
	}
	return 0, false
}
