module example.com/flushbench

go 1.21
