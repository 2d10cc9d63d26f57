# Mesh benchmark (make bench-noc): a 4x4 mesh with the default flits and buffers.
chip -name mesh4
noc -x 4 -y 4
