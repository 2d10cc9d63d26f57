# With edge nodes the host may sit below the mesh, but not past the last one.
# expect: configs/bad/host_off_edge.tcl:5: error: node -host: host node 8 is not on the 3x2 mesh and its edge nodes (allowed: 0..7)
chip -name bad
noc -x 3 -y 2 -edge 2
node -host 8
