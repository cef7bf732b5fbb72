// Package unused is never executed.
package unused

// Never is never called.
func Never(x int) int {
	if x > 1 {
		return x * 2
	}
	return x
}

var table []int

func init() { table = append(table, 1) }

func init() { table = append(table, 2) }
