// Package textui renders rows of any type as aligned text or JSON lines.
package textui

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Column is one column of a table: a title and how to render a row's cell.
type Column[T any] struct {
	Title string
	Cell  func(T) string
}

// Table writes rows as aligned columns.
func Table[T any](w io.Writer, rows []T, cols ...Column[T]) error {
	widths := make([]int, len(cols))
	cells := make([][]string, 0, len(rows)+1)
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.Title
	}
	cells = append(cells, header)
	for _, r := range rows {
		line := make([]string, len(cols))
		for i, c := range cols {
			line[i] = c.Cell(r)
		}
		cells = append(cells, line)
	}
	for _, line := range cells {
		for i, s := range line {
			widths[i] = max(widths[i], len(s))
		}
	}
	for _, line := range cells {
		var b strings.Builder
		for i, s := range line {
			if i > 0 {
				b.WriteString("  ")
			}
			if i == len(line)-1 {
				b.WriteString(s)
			} else {
				fmt.Fprintf(&b, "%-*s", widths[i], s)
			}
		}
		if _, err := fmt.Fprintln(w, b.String()); err != nil {
			return err
		}
	}
	return nil
}

// JSONLines writes one JSON object per row.
func JSONLines[T any](w io.Writer, rows []T) error {
	enc := json.NewEncoder(w)
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

// CSV is never used by the commands.
func CSV[T any](w io.Writer, rows []T, cols ...Column[T]) error {
	for _, r := range rows {
		parts := make([]string, len(cols))
		for i, c := range cols {
			parts[i] = c.Cell(r)
		}
		if _, err := fmt.Fprintln(w, strings.Join(parts, ",")); err != nil {
			return err
		}
	}
	return nil
}
