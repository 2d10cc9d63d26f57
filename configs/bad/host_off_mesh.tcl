# The host port must sit on one of the mesh's nodes.
# expect: configs/bad/host_off_mesh.tcl:5: error: node -host: host node 9 is not on the 3x3 mesh (allowed: 0..8)
chip -name bad
noc -x 3 -y 3
node -host 9
