module example.com/serversuite

go 1.21
