module example.com/tagsmod

go 1.21
