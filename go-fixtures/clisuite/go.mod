module example.com/clisuite

go 1.21
