module example.com/bench-gen

go 1.21
