# datastore-wasm: build, demo, tests and benchmarks. See README.md.
GO      ?= go
GOROOT  := $(shell $(GO) env GOROOT)
WASM_EXEC := $(firstword $(wildcard $(GOROOT)/lib/wasm/wasm_exec.js $(GOROOT)/misc/wasm/wasm_exec.js))
BROWSER_EXEC := $(CURDIR)/tools/browserexec/go_js_wasm_exec
ADDR    ?= 127.0.0.1:8080
JS_SOURCES := $(wildcard js/*.js)

.PHONY: build demo test test-go test-wasm test-e2e bench profile clean

## build: write the publishable package to dist/
build: dist/datastore.wasm dist/index.js dist/index.d.ts dist/package.json

dist/datastore.wasm: $(shell find relation store wasm -name '*.go' -o -name '*.js') go.mod go.sum
	@mkdir -p dist
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w' -o $@ ./wasm
	gzip -9 -k -f $@
	if command -v brotli >/dev/null; then brotli -q 11 -f -k $@; fi

# One ES module: wasm_exec.js and js/*.js bundled (tools/bundle/bundle.mjs).
dist/index.js: $(JS_SOURCES) $(WASM_EXEC) tools/bundle/bundle.mjs
	@mkdir -p dist
	rm -f dist/*.js
	node tools/bundle/bundle.mjs js $(WASM_EXEC) $@

dist/index.d.ts dist/package.json: dist/%: js/%
	@mkdir -p dist
	cp $< $@

## demo: build and serve the demo app on http://$(ADDR)/
demo: build
	$(GO) run ./tools/serve -addr $(ADDR) -mount /=web -mount /dist/=dist

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

## test: every layer: native Go, Go wasm in headless Chromium, end to end (Chromium and Node)
test: test-go test-wasm test-e2e

test-go:
	$(GO) vet ./relation/... ./store/... ./internal/... ./tools/...
	GOOS=js GOARCH=wasm $(GO) vet ./store/... ./wasm/...
	$(GO) test -race -count=1 -timeout 300s ./relation/... ./store/... ./internal/... ./tools/...

test-wasm: node_modules/.package-lock.json
	GOOS=js GOARCH=wasm $(GO) test -count=1 -timeout 120s -exec=$(BROWSER_EXEC) ./store/... ./wasm/...

test-e2e: build node_modules/.package-lock.json
	node --test --test-concurrency=1 test/e2e/ bench/smoke.test.mjs

## bench: run the benchmark workloads against plain IndexedDB in Chromium
bench: build node_modules/.package-lock.json
	node bench/run.mjs

## profile: a CPU profile of the save workloads in Chromium, and where a save's time goes
profile: build node_modules/.package-lock.json
	node bench/profile.mjs

clean:
	rm -rf dist
