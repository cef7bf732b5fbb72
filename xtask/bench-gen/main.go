// Command bench-gen writes a Go module whose one program has many small functions, for the
// huge meta-data rows of `cargo xtask bench`: built with -cover and run, Go's own runtime
// writes one covmeta file holding every function and one covcounters file.
//
//	go run ./xtask/bench-gen -out DIR -pkgs 10 -funcs 100000 -files 20
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
)

func main() {
	out := flag.String("out", "", "module directory to write")
	pkgs := flag.Int("pkgs", 10, "packages")
	funcs := flag.Int("funcs", 100000, "functions per package")
	files := flag.Int("files", 20, "source files per package")
	calls := 100
	flag.Parse()
	if *out == "" || *pkgs < 1 || *funcs < 1 || *files < 1 {
		log.Fatal("usage: bench-gen -out DIR [-pkgs N] [-funcs N] [-files N]")
	}
	must(os.MkdirAll(*out, 0o755))
	must(os.WriteFile(filepath.Join(*out, "go.mod"), []byte("module example.com/hugemeta\n\ngo 1.21\n"), 0o644))
	var mainSrc []byte
	mainSrc = fmt.Appendf(mainSrc, "package main\n\nimport (\n")
	for p := 0; p < *pkgs; p++ {
		mainSrc = fmt.Appendf(mainSrc, "\tp%d \"example.com/hugemeta/p%d\"\n", p, p)
	}
	mainSrc = fmt.Appendf(mainSrc, ")\n\nfunc main() {\n\tn := 0\n")
	for p := 0; p < *pkgs; p++ {
		mainSrc = fmt.Appendf(mainSrc, "\tn += p%d.Run()\n", p)
	}
	mainSrc = fmt.Appendf(mainSrc, "\tif n == 42 {\n\t\tprintln(n)\n\t}\n}\n")
	must(os.WriteFile(filepath.Join(*out, "main.go"), mainSrc, 0o644))
	per := (*funcs + *files - 1) / *files
	for p := 0; p < *pkgs; p++ {
		dir := filepath.Join(*out, fmt.Sprintf("p%d", p))
		must(os.MkdirAll(dir, 0o755))
		for f := 0; f < *files; f++ {
			lo, hi := f*per, min((f+1)*per, *funcs)
			writeFile(filepath.Join(dir, fmt.Sprintf("f%d.go", f)), p, lo, hi)
		}
		// Run calls the first functions of each file: a program runs a part of a large
		// code base, and Go writes counters only for the functions that ran.
		run := fmt.Appendf(nil, "package p%d\n\nfunc Run() int {\n\tn := 0\n", p)
		for f := 0; f < *files; f++ {
			for i := f * per; i < min(f*per+calls, *funcs); i++ {
				run = fmt.Appendf(run, "\tn += F%d(%d)\n", i, i)
			}
		}
		run = fmt.Appendf(run, "\treturn n\n}\n")
		must(os.WriteFile(filepath.Join(dir, "run.go"), run, 0o644))
	}
}

// writeFile writes functions lo..hi of package p, three coverage units each.
func writeFile(path string, p, lo, hi int) {
	fh, err := os.Create(path)
	must(err)
	w := bufio.NewWriter(fh)
	fmt.Fprintf(w, "package p%d\n\n", p)
	for i := lo; i < hi; i++ {
		fmt.Fprintf(w, "func F%d(x int) int {\n\tif x > %d {\n\t\treturn x - %d\n\t}\n\treturn x\n}\n\n", i, i%97, i%89)
	}
	must(w.Flush())
	must(fh.Close())
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
