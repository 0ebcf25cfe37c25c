module trustbuild/goclient

go 1.19
