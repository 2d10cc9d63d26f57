# The design name prefixes every module: it must be a Verilog-safe identifier.
# expect: configs/bad/bad_name.tcl:3: error: chip -name: value '9lives' is not allowed (allowed: identifier of 1..32 characters: a letter, then letters, digits or _)
chip -name 9lives
