module example.com/apimod

go 1.21
