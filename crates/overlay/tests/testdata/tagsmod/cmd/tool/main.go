// Command tool prints the build tags it was built with: the test builds it the
// way integration tests build their programs, inheriting GOFLAGS.
package main

import "fmt"

func main() {
	fmt.Println("built with:", tags)
}
