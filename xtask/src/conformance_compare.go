// Command covdata-compare stands in for `go tool covdata` during `cargo xtask conformance`.
// Each call runs Go's own covdata (its -o redirected to a sibling path) and then intcov with
// the caller's arguments, answers with intcov's output and exit status, and appends one JSON
// line to the log saying whether exit status, stdout, the first stderr line and the files
// written were the same. Its paths are set at build time (-ldflags -X), since cmd/go's script
// tests run tools with a clean environment.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

var (
	intcov string // intcov binary
	goTool string // Go's own covdata binary
	logTo  string // JSON lines, appended
)

type result struct {
	stdout, stderr []byte
	code           int
}

func run(bin string, args []string) result {
	cmd := exec.Command(bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	code := 0
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else {
			code = -1
			errb.WriteString(err.Error())
		}
	}
	return result{out.Bytes(), errb.Bytes(), code}
}

// outFlag finds -o's value (forms -o X, -o=X, --o X, --o=X) and returns the arguments with
// it replaced by repl.
func outFlag(args []string, repl string) (string, []string) {
	out := append([]string(nil), args...)
	for i, a := range out {
		for _, p := range []string{"-o", "--o"} {
			if a == p && i+1 < len(out) {
				v := out[i+1]
				out[i+1] = repl
				return v, out
			}
			if strings.HasPrefix(a, p+"=") {
				out[i] = p + "=" + repl
				return a[len(p)+1:], out
			}
		}
	}
	return "", args
}

// files maps each file of dir to its bytes; counter files are keyed without their pid and
// time stamp, which differ from run to run.
func files(dir string) map[string][]byte {
	m := map[string][]byte{}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		name := e.Name()
		if strings.HasPrefix(name, "covcounters.") {
			parts := strings.Split(name, ".")
			name = strings.Join(parts[:2], ".")
			for i := 0; ; i++ {
				k := name + "#" + string(rune('a'+i))
				if _, dup := m[k]; !dup {
					name = k
					break
				}
			}
		}
		m[name] = b
	}
	return m
}

func sameFiles(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}

// sameMeta: the same meta-data files, byte for byte, and the same counter file names.
func sameMeta(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || (strings.HasPrefix(k, "covmeta.") && !bytes.Equal(v, w)) {
			return false
		}
	}
	return true
}

var counterName = regexp.MustCompile(`covcounters\.([0-9a-f]+)\.[0-9]+\.[0-9]+`)

// sameDump: Go's own debugdump of both directories, file names and the header aside.
func sameDump(a, b string) bool {
	dump := func(dir string) []byte {
		r := run(goTool, []string{"debugdump", "-i=" + dir})
		if r.code != 0 {
			return nil
		}
		out := maskDumpHeader(r.stdout)
		out = bytes.ReplaceAll(out, []byte(dir), []byte("DIR"))
		return counterName.ReplaceAll(out, []byte("covcounters.$1"))
	}
	x, y := dump(a), dump(b)
	return x != nil && bytes.Equal(x, y)
}

func firstLine(b []byte) string {
	s := string(b)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// maskDumpHeader drops debugdump's "produced by" command line, which names the tool.
func maskDumpHeader(b []byte) []byte {
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, " *\t") {
			lines[i] = " *\t<command>"
		}
	}
	return []byte(strings.Join(lines, "\n"))
}

func main() {
	args := os.Args[1:]
	cmdName := ""
	if len(args) > 0 {
		cmdName = args[0]
	}
	out, _ := outFlag(args, "")
	var goArgs []string
	goOut := ""
	isDir := cmdName == "merge" || cmdName == "subtract" || cmdName == "intersect"
	if out != "" {
		goOut = out + ".go-side"
		_, goArgs = outFlag(args, goOut)
		os.RemoveAll(goOut)
		if fi, err := os.Stat(out); err == nil && fi.IsDir() {
			os.MkdirAll(goOut, 0777)
		}
	} else {
		goArgs = args
	}
	g := run(goTool, goArgs)
	r := run(intcov, args)
	os.Stderr.Write(r.stderr)
	os.Stdout.Write(r.stdout)

	gs, rs := g.stdout, r.stdout
	if cmdName == "debugdump" {
		gs, rs = maskDumpHeader(gs), maskDumpHeader(rs)
	}
	entry := map[string]any{
		"args":         args,
		"same_exit":    g.code == r.code,
		"same_stdout":  bytes.Equal(gs, rs),
		"same_stderr1": firstLine(g.stderr) == strings.ReplaceAll(firstLine(r.stderr), out, goOut) || firstLine(g.stderr) == firstLine(r.stderr),
		"go_exit":      g.code,
		"intcov_exit":  r.code,
	}
	if !entry["same_stderr1"].(bool) {
		entry["go_stderr1"] = firstLine(g.stderr)
		entry["intcov_stderr1"] = firstLine(r.stderr)
	}
	if out != "" {
		same := true
		if isDir {
			same = sameFiles(files(out), files(goOut))
			if !same && sameMeta(files(out), files(goOut)) && sameDump(out, goOut) {
				// Go writes a counter file's string table in map order, so its own bytes
				// change from run to run when a segment has several args; what Go's tool
				// reads back from both is the same.
				same = true
				entry["outputs_compared"] = "as Go's debugdump reads them"
			}
		} else {
			a, errA := os.ReadFile(out)
			b, errB := os.ReadFile(goOut)
			same = (errA == nil) == (errB == nil) && bytes.Equal(a, b)
		}
		entry["same_outputs"] = same
		if !same {
			var names []string
			for k := range files(goOut) {
				names = append(names, k)
			}
			sort.Strings(names)
			entry["go_outputs"] = names
			var ours []string
			for k, v := range files(out) {
				g, ok := files(goOut)[k]
				ours = append(ours, fmt.Sprintf("%s same=%v", k, ok && bytes.Equal(g, v)))
			}
			sort.Strings(ours)
			entry["intcov_outputs"] = ours
			// Kept for a look: both sides, beside the log.
			keep := filepath.Join(filepath.Dir(logTo), "differing", filepath.Base(out)+fmt.Sprint(os.Getpid()))
			os.MkdirAll(keep, 0777)
			exec.Command("cp", "-a", out, filepath.Join(keep, "intcov")).Run()
			exec.Command("cp", "-a", goOut, filepath.Join(keep, "go")).Run()
			entry["kept"] = keep
		}
		os.RemoveAll(goOut)
	}
	if line, err := json.Marshal(entry); err == nil {
		if f, err := os.OpenFile(logTo, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0666); err == nil {
			f.Write(append(line, '\n'))
			f.Close()
		}
	}
	os.Exit(r.code)
}
