# Mesh benchmark (make bench-noc): a 8x8 mesh with the default flits and buffers.
chip -name mesh8
noc -x 8 -y 8
