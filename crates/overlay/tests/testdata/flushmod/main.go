// Command flushmod keeps several goroutines busy in covered code until it is killed: the
// counters change all the time, so a program built with the integration-coverage overlay and
// GO_INTEGRATION_COVERAGE_FLUSH=1ms flushes them continuously.
package main

import (
	"fmt"
	"sync"
)

var sink [2]uint64

func main() {
	fmt.Println("started") // the start-up unit: once per process
	var wg sync.WaitGroup
	for g := range sink {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := uint64(0); ; i++ {
				sink[g] += step(i)
			}
		}(g)
	}
	wg.Wait()
}

func step(i uint64) uint64 {
	if i%3 == 0 {
		return i / 3
	}
	return i
}
