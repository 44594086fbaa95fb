module paraph

go 1.26
