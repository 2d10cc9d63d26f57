# A clock of 0 MHz has no period.
# expect: configs/bad/clock_zero.tcl:3: error: chip -clock_mhz: value 0 is out of range (allowed: integer 1..5000)
chip -name bad -clock_mhz 0
