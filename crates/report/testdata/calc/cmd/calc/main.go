// Command calc evaluates an RPN expression given as arguments.
package main

import (
	"fmt"
	"os"
	"strconv"

	"example.com/calc/calc"
	"example.com/calc/strutil"
)

func main() {
	var st calc.Stack
	for _, arg := range os.Args[1:] {
		if n, err := strconv.Atoi(arg); err == nil {
			st.Push(n)
			continue
		}
		b, ok1 := st.Pop()
		a, ok2 := st.Pop()
		if !ok1 || !ok2 {
			fmt.Fprintln(os.Stderr, "stack underflow")
			os.Exit(2)
		}
		v, err := calc.Op(arg, a, b)
		if err != nil {
			fmt.Fprintln(os.Stderr, strutil.Shout(err.Error(), true))
			os.Exit(1)
		}
		st.Push(v)
	}
	v, _ := st.Pop()
	fmt.Println(v)
}
