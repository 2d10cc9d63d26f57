# Edge nodes hang one under each column: no more of them than columns.
# expect: configs/bad/edge_wider_than_mesh.tcl:4: error: noc -edge: 4 edge nodes below a mesh of 3 columns (allowed: 0..3, one under each column)
chip -name bad
noc -x 3 -y 2 -edge 4
