# A configuration cannot end the generator: exit is not a configuration command.
# expect: configs/bad/exit_in_config.tcl:4: error: unknown command 'exit' (allowed: chip, tile, ldpu, gdpu, noc, pcm, riscv, node, and Tcl's own commands)
chip -name bad
exit 0
