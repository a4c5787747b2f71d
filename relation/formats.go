package relation

import (
	"github.com/datastore-wasm/datastore-wasm/store"
	"strconv"
	"strings"
)

// Format checks of the AWS scalars, with the grammar of Amplify's util.ts
// regular expressions. They are written by hand: regexp, net/url and
// net/netip would add about 100 KB (brotli) to the wasm for six patterns.

// jsTypeOfScalar is the JavaScript type a scalar holds.
func jsTypeOfScalar(scalar string) string {
	switch scalar {
	case "Int", "Float", "AWSTimestamp":
		return "number"
	case "Boolean":
		return "boolean"
	}
	return "string"
}

// validFormat checks v (already of the right JavaScript type) against the
// format of scalar.
func validFormat(scalar string, v any) bool {
	s, _ := v.(string)
	switch scalar {
	case "AWSDate":
		p := scanner{s: s}
		return p.date() && p.zone() && p.end()
	case "AWSTime":
		p := scanner{s: s}
		return p.time() && p.zone() && p.end()
	case "AWSDateTime":
		p := scanner{s: s}
		return p.date() && p.lit('T') && p.time() && p.zone() && p.end()
	case "AWSEmail":
		return isEmail(s)
	case "AWSPhone":
		return isPhone(s)
	case "AWSTimestamp":
		return isDigits(store.JSString(v))
	case "AWSURL":
		return isURL(s)
	case "AWSIPAddress":
		return isIPAddress(s)
	}
	return true
}

// scanner walks a string for the date and time grammars.
type scanner struct {
	s string
	i int
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *scanner) digits(n int) bool {
	for k := 0; k < n; k++ {
		if p.i >= len(p.s) || !isDigit(p.s[p.i]) {
			return false
		}
		p.i++
	}
	return true
}

func (p *scanner) lit(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *scanner) end() bool { return p.i == len(p.s) }

// date: \d{4}-\d{2}-\d{2}
func (p *scanner) date() bool {
	return p.digits(4) && p.lit('-') && p.digits(2) && p.lit('-') && p.digits(2)
}

// time: \d{2}:\d{2}(:\d{2}(.\d+)?)?
func (p *scanner) time() bool {
	if !(p.digits(2) && p.lit(':') && p.digits(2)) {
		return false
	}
	if !p.lit(':') {
		return true
	}
	if !p.digits(2) {
		return false
	}
	if p.i < len(p.s) && p.s[p.i] != 'Z' && p.s[p.i] != '+' && p.s[p.i] != '-' {
		p.i++ // Amplify's pattern has an unescaped '.': any one character
		if !p.digits(1) {
			return false
		}
		for p.i < len(p.s) && isDigit(p.s[p.i]) {
			p.i++
		}
	}
	return true
}

// zone: (Z|[+-]\d{2}:\d{2}(:\d{2})?)?
func (p *scanner) zone() bool {
	if p.end() || p.lit('Z') {
		return true
	}
	if !(p.lit('+') || p.lit('-')) {
		return false
	}
	if !(p.digits(2) && p.lit(':') && p.digits(2)) {
		return false
	}
	if p.lit(':') {
		return p.digits(2)
	}
	return true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// isEmail: [a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*
func isEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 {
		return false
	}
	for i := 0; i < at; i++ {
		if !isAlnum(s[i]) && !strings.ContainsRune(".!#$%&'*+/=?^_`{|}~-", rune(s[i])) {
			return false
		}
	}
	for _, label := range strings.Split(s[at+1:], ".") {
		if label == "" {
			return false
		}
		for i := 0; i < len(label); i++ {
			if !isAlnum(label[i]) && label[i] != '-' {
				return false
			}
		}
	}
	return true
}

// isPhone: \+?\d[\d\s-]+
func isPhone(s string) bool {
	s = strings.TrimPrefix(s, "+")
	if len(s) < 2 || !isDigit(s[0]) {
		return false
	}
	for _, r := range s[1:] {
		if !(r >= '0' && r <= '9') && r != '-' && !strings.ContainsRune(" \t\n\r\f\v\u00a0\u2028\u2029\ufeff", r) {
			return false
		}
	}
	return true
}

// isURL approximates JavaScript's `new URL(s)` succeeding: a scheme, and
// for the schemes with hosts (http, https, ws, wss, ftp) a non-empty host.
func isURL(s string) bool {
	colon := strings.IndexByte(s, ':')
	if colon <= 0 || strings.ContainsAny(s, " \t\n") {
		return false
	}
	scheme := strings.ToLower(s[:colon])
	for i := 0; i < len(scheme); i++ {
		c := scheme[i]
		if !(isAlnum(c) || c == '+' || c == '-' || c == '.') || (i == 0 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
			return false
		}
	}
	rest := s[colon+1:]
	switch scheme {
	case "http", "https", "ws", "wss", "ftp":
		host := strings.TrimLeft(rest, "/\\")
		if end := strings.IndexAny(host, "/?#"); end >= 0 {
			host = host[:end]
		}
		if at := strings.LastIndexByte(host, '@'); at >= 0 {
			host = host[at+1:]
		}
		return host != "" && !strings.HasPrefix(host, ":")
	}
	return true
}

// isIPAddress accepts a dotted IPv4 address or an IPv6 address, either
// with an optional /prefix length.
func isIPAddress(s string) bool {
	if slash := strings.IndexByte(s, '/'); slash >= 0 {
		n, err := strconv.Atoi(s[slash+1:])
		if err != nil || n < 0 || n > 128 {
			return false
		}
		s = s[:slash]
	}
	return isIPv4(s) || isIPv6(s)
}

func isIPv4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if !isDigits(p) || len(p) > 3 || (len(p) > 1 && p[0] == '0') {
			return false
		}
		if n, _ := strconv.Atoi(p); n > 255 {
			return false
		}
	}
	return true
}

func isIPv6(s string) bool {
	if s == "" {
		return false
	}
	halves := strings.Split(s, "::")
	if len(halves) > 2 {
		return false
	}
	groups := 0
	for h, half := range halves {
		if half == "" {
			continue
		}
		parts := strings.Split(half, ":")
		for i, g := range parts {
			last := h == len(halves)-1 && i == len(parts)-1
			if last && strings.Contains(g, ".") {
				if !isIPv4(g) {
					return false
				}
				groups += 2
				continue
			}
			if len(g) == 0 || len(g) > 4 {
				return false
			}
			for k := 0; k < len(g); k++ {
				c := g[k]
				if !isDigit(c) && !((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
					return false
				}
			}
			groups++
		}
	}
	if len(halves) == 2 {
		return groups < 8
	}
	return groups == 8
}
