// Package calc is a tiny calculator used as report fixture data.
package calc

import (
	"errors"
	"strings"
)

// ErrDivZero is returned when dividing by zero.
var ErrDivZero = errors.New("division by zero")

// Op applies a binary operator to two integers.
func Op(op string, a, b int) (int, error) {
	switch op {
	case "+":
		return a + b, nil
	case "-":
		return a - b, nil
	case "*":
		return a * b, nil
	case "/":
		if b == 0 {
			return 0, ErrDivZero
		}
		return a / b, nil
	}
	return 0, errors.New("unknown operator " + op)
}

// Sum adds numbers with a closure, so the profile holds a function literal.
func Sum(xs ...int) int {
	total := 0
	add := func(x int) {
		total += x
	}
	for _, x := range xs {
		add(x)
	}
	return total
}

// Stack is an RPN stack.
type Stack struct{ items []int }

// Push pushes x.
func (s *Stack) Push(x int) { s.items = append(s.items, x) }

// Pop pops the top item.
func (s *Stack) Pop() (int, bool) {
	if len(s.items) == 0 {
		return 0, false
	}
	x := s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return x, true
}

// Describe renders the stack; no test calls it.
func (s *Stack) Describe() string {
	var b strings.Builder
	for i, x := range s.items {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(strings.Repeat("*", x))
	}
	return b.String()
}
