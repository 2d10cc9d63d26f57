# An error in a sourced file names that file, not the one that sourced it.
# expect: configs/bad/lib/ldpu_bad.tcl:3: error: ldpu -shift: value -1 is out of range (allowed: integer 0..59)
chip -name bad
source [file join [file dirname [info script]] lib ldpu_bad.tcl]
