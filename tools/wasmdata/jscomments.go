package main

import (
	"bytes"
	"errors"
)

// blankComments overwrites, in module, the comment lines of a JavaScript
// source that the module embeds verbatim (go:embed: the IndexedDB
// executor, store/indexeddb_exec.js) with spaces: each line whose first
// non-blank characters are "//". The text keeps its length, so the Go
// string that holds it is unchanged but for what it says, and brotli
// writes a run of spaces in a few bits (the executor's 170 comment lines
// cost 3.6 KB of brotli, measured 2026-12-03). A comment line is not code
// in any JavaScript context but a template literal, which the source must
// not break across lines (checked: a line inside one is refused).
func blankComments(module, src []byte) error {
	at := bytes.Index(module, src)
	if at < 0 {
		return errors.New("the JavaScript source is not in the module verbatim (is it the file go:embed embeds?)")
	}
	if bytes.Contains(module[at+1:], src) {
		return errors.New("the JavaScript source is in the module twice")
	}
	text := module[at : at+len(src)]
	for start := 0; start < len(text); {
		end := bytes.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		line := text[start:end]
		if bytes.Count(line, []byte("`"))%2 == 1 {
			return errors.New("a template literal spans lines of the JavaScript source; keep each on one line")
		}
		if trimmed := bytes.TrimLeft(line, " \t"); bytes.HasPrefix(trimmed, []byte("//")) {
			for i := len(line) - len(trimmed); i < len(line); i++ {
				line[i] = ' '
			}
		}
		start = end + 1
	}
	return nil
}
