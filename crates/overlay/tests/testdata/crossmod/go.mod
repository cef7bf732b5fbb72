module example.com/crossmod

go 1.21
