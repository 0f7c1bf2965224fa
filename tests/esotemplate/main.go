// Command esotemplate renders one External Secrets Operator template value the way ESO's template engine v2
// does (external-secrets v2.9.0, runtime/template/v2/template.go, `execute`): Go's text/template with
// Option("missingkey=error"), sprig's text functions without env and expandenv (ESO's copy drops them), the
// default delimiters, and the data as map[string]string.
//
// It reads {"template": "...", "data": {"key": "value"}} as JSON on stdin and prints {"rendered": "..."} or
// {"error": "..."}. The tests build it offline in GOPATH mode against Debian's golang-go and
// golang-github-masterminds-sprig-dev (GO111MODULE=off GOPATH=/usr/share/gocode go build).
package main

import (
	"bytes"
	"encoding/json"
	"os"
	"text/template"

	"github.com/Masterminds/sprig"
)

type request struct {
	Template string            `json:"template"`
	Data     map[string]string `json:"data"`
}

func reply(out map[string]string) {
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		os.Exit(2)
	}
}

func main() {
	var in request
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		reply(map[string]string{"error": "bad request: " + err.Error()})
		return
	}
	functions := sprig.TxtFuncMap()
	delete(functions, "env")
	delete(functions, "expandenv")
	parsed, err := template.New(".dockerconfigjson").Option("missingkey=error").Funcs(functions).Parse(in.Template)
	if err != nil {
		reply(map[string]string{"error": "parse: " + err.Error()})
		return
	}
	var buf bytes.Buffer
	if err := parsed.Execute(&buf, in.Data); err != nil {
		reply(map[string]string{"error": "execute: " + err.Error()})
		return
	}
	reply(map[string]string{"rendered": buf.String()})
}
