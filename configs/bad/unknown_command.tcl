# A misspelt command.
# expect: configs/bad/unknown_command.tcl:4: error: unknown command 'tiel' (allowed: chip, tile, ldpu, gdpu, noc, pcm, riscv, node, and Tcl's own commands)
chip -name bad
tiel -rows 16
