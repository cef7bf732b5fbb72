module example.com/flushmod

go 1.21
