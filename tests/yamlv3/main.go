// Command yamlv3 decodes a Pulumi stack file with gopkg.in/yaml.v3, the Pulumi CLI's YAML parser, and
// prints its `config:` mapping as the JSON text Go writes ({"config": "<json>"}), or {"error": ...} where
// the CLI would refuse it.
//
// The tests build it offline in GOPATH mode against Debian's golang-gopkg-yaml.v3-dev
// (GO111MODULE=off GOPATH=/usr/share/gocode go build) and compare offline/stack_file.py with it.
// Like the CLI (sdk/go/common/workspace/loaders.go, SimplifyMarshalledValue) it accepts string keys only;
// a timestamp becomes its time.Time String(), as Pulumi's config turns it into a string.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"time"

	yaml "gopkg.in/yaml.v3"
)

func plain(value interface{}) (interface{}, error) {
	switch v := value.(type) {
	case map[string]interface{}:
		out := make(map[string]interface{}, len(v))
		for key, item := range v {
			converted, err := plain(item)
			if err != nil {
				return nil, err
			}
			out[key] = converted
		}
		return out, nil
	case map[interface{}]interface{}:
		return nil, fmt.Errorf("a mapping key is not a string")
	case []interface{}:
		out := make([]interface{}, len(v))
		for i, item := range v {
			converted, err := plain(item)
			if err != nil {
				return nil, err
			}
			out[i] = converted
		}
		return out, nil
	case time.Time:
		return v.String(), nil
	default:
		return v, nil
	}
}

func read(path string) (interface{}, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var document interface{}
	if err := yaml.Unmarshal(data, &document); err != nil {
		return nil, err
	}
	// The CLI decodes the file into workspace.ProjectStack (sdk/go/common/workspace/project.go), whose
	// secretsprovider, encryptedkey and encryptionsalt are strings: a mapping or a list there is refused.
	var stack struct {
		SecretsProvider string `yaml:"secretsprovider"`
		EncryptedKey    string `yaml:"encryptedkey"`
		EncryptionSalt  string `yaml:"encryptionsalt"`
	}
	if _, isMap := document.(map[string]interface{}); isMap {
		if err := yaml.Unmarshal(data, &stack); err != nil {
			return nil, err
		}
	}
	if document == nil {
		return nil, nil
	}
	top, ok := document.(map[string]interface{})
	if !ok {
		if _, general := document.(map[interface{}]interface{}); general {
			return nil, fmt.Errorf("a mapping key is not a string")
		}
		return nil, fmt.Errorf("the top level is not a mapping")
	}
	config, err := plain(top["config"])
	if err != nil {
		return nil, err
	}
	if _, isMap := config.(map[string]interface{}); config != nil && !isMap {
		return nil, fmt.Errorf("config is not a mapping")
	}
	return config, nil
}

// write is Go's encoding/json without HTML escaping: the text the CLI hands a program for an object.
func write(value interface{}) ([]byte, error) {
	var buffer bytes.Buffer
	encoder := json.NewEncoder(&buffer)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(value); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buffer.Bytes(), "\n"), nil
}

// decode is the one line printed for the stack file at path.
func decode(path string) string {
	var result map[string]interface{}
	config, err := read(path)
	if err == nil {
		var text []byte
		// NaN and infinities: Go's encoding/json cannot write them, so the CLI cannot hand them over.
		if text, err = write(config); err == nil {
			result = map[string]interface{}{"config": string(text)}
		}
	}
	if err != nil {
		result = map[string]interface{}{"error": err.Error()}
	}
	text, _ := json.Marshal(result)
	return string(text)
}

// main prints one line per stack file named, in order: one process reads a whole class of files.
func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: yamlv3 Pulumi.<stack>.yaml...")
		os.Exit(2)
	}
	for _, path := range os.Args[1:] {
		fmt.Println(decode(path))
	}
}
