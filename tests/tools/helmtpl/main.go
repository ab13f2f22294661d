// helmtpl renders the templates of a chart folder the way `helm template`
// does, for the tests: Go's text/template with the sprig functions and
// Helm's own additions (toYaml, fromYaml, fromYamlArray, toJson, fromJson,
// include, tpl, required, fail), values.yaml coalesced with the -f files
// (later files win, maps merge key by key, null deletes a key), the
// Release and Chart objects, and missing keys rendered as nothing.
//
//	helmtpl [-f values.yaml]... [--set-json KEY=JSON]... [-n NS] [--name NAME] CHARTDIR
//
// Output: each non-empty template as "---\n# Source: PATH\n" and its text,
// in file-name order, as Helm sorts them. Exit 1 on a template error.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	sprig "github.com/Masterminds/sprig"
	"sigs.k8s.io/yaml"
)

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func readValues(path string) (map[string]interface{}, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	v := map[string]interface{}{}
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if v == nil {
		v = map[string]interface{}{}
	}
	return v, nil
}

// coalesce merges src into dst as Helm merges a values file over the
// chart's values: maps key by key, anything else replaced, null deletes.
func coalesce(dst, src map[string]interface{}) {
	for k, sv := range src {
		if sv == nil {
			delete(dst, k)
			continue
		}
		sm, sok := sv.(map[string]interface{})
		dm, dok := dst[k].(map[string]interface{})
		if sok && dok {
			coalesce(dm, sm)
			continue
		}
		dst[k] = sv
	}
}

func toYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func fromYAML(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromYAMLArray(s string) []interface{} {
	a := []interface{}{}
	if err := yaml.Unmarshal([]byte(s), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func main() {
	var files, setJSON multi
	ns := flag.String("n", "default", "release namespace")
	name := flag.String("name", "release-name", "release name")
	flag.Var(&files, "f", "values file (repeatable)")
	flag.Var(&setJSON, "set-json", "KEY=JSON (dotted key, repeatable)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: helmtpl [-f values.yaml]... [-n NS] [--name NAME] CHARTDIR")
		os.Exit(2)
	}
	dir := flag.Arg(0)
	values := map[string]interface{}{}
	if _, err := os.Stat(filepath.Join(dir, "values.yaml")); err == nil {
		v, err := readValues(filepath.Join(dir, "values.yaml"))
		if err != nil {
			fail(err)
		}
		values = v
	}
	for _, f := range files {
		v, err := readValues(f)
		if err != nil {
			fail(err)
		}
		coalesce(values, v)
	}
	for _, kv := range setJSON {
		eq := strings.IndexByte(kv, '=')
		if eq < 0 {
			fail(fmt.Errorf("--set-json %s: expected KEY=JSON", kv))
		}
		var v interface{}
		if err := json.Unmarshal([]byte(kv[eq+1:]), &v); err != nil {
			fail(fmt.Errorf("--set-json %s: %v", kv, err))
		}
		m := values
		parts := strings.Split(kv[:eq], ".")
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(map[string]interface{})
			if !ok {
				next = map[string]interface{}{}
				m[p] = next
			}
			m = next
		}
		m[parts[len(parts)-1]] = v
	}

	paths, _ := filepath.Glob(filepath.Join(dir, "templates", "*"))
	sort.Strings(paths)
	root := template.New("chart")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	funcs["fromYamlArray"] = fromYAMLArray
	funcs["toJson"] = toJSON
	funcs["fromJson"] = fromJSON
	funcs["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return v, fmt.Errorf("%s", msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return v, fmt.Errorf("%s", msg)
		}
		return v, nil
	}
	funcs["fail"] = func(msg string) (string, error) { return "", fmt.Errorf("%s", msg) }
	funcs["include"] = func(string, interface{}) (string, error) { return "", nil }
	funcs["tpl"] = func(string, interface{}) (string, error) { return "", nil }
	root.Funcs(funcs)
	root.Option("missingkey=zero")
	// include and tpl need the template set itself
	funcs["include"] = func(n string, data interface{}) (string, error) {
		var b bytes.Buffer
		if err := root.ExecuteTemplate(&b, n, data); err != nil {
			return "", err
		}
		return b.String(), nil
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err = t.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var b bytes.Buffer
		if err := t.Execute(&b, data); err != nil {
			return "", err
		}
		return b.String(), nil
	}
	root.Funcs(funcs)
	var names []string
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			fail(err)
		}
		rel := filepath.Join("templates", filepath.Base(p))
		if _, err := root.New(rel).Parse(string(data)); err != nil {
			fail(err)
		}
		if !strings.HasPrefix(filepath.Base(p), "_") {
			names = append(names, rel)
		}
	}
	top := map[string]interface{}{
		"Values":  values,
		"Release": map[string]interface{}{"Name": *name, "Namespace": *ns, "Service": "Helm", "IsInstall": true, "IsUpgrade": false, "Revision": 1},
		"Chart":   map[string]interface{}{"Name": filepath.Base(dir), "Version": "0.0.0"},
		"Capabilities": map[string]interface{}{},
	}
	var out bytes.Buffer
	for _, n := range names {
		var b bytes.Buffer
		if err := root.ExecuteTemplate(&b, n, top); err != nil {
			fail(err)
		}
		text := strings.ReplaceAll(b.String(), "<no value>", "")
		if strings.TrimSpace(text) == "" {
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", n, strings.TrimLeft(text, "\n"))
	}
	os.Stdout.Write(out.Bytes())
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "helmtpl:", err)
	os.Exit(1)
}
