# A multicast head to 64 nodes carries 3 mask flits; a router routes it once all are buffered.
# expect: configs/bad/mcast_buffer_too_small.tcl:4: error: noc -buf_depth: buf_depth 3 cannot hold a multicast head and its 3 mask flits (64 nodes, 30 bits per flit) (allowed: buf_depth >= 4)
chip -name bad
noc -x 8 -y 8 -flit_bits 32 -buf_depth 3
