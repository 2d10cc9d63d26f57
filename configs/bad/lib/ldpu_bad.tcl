# Sourced by sourced_file.tcl: the error names this file and line.
tile -rows 16
ldpu -shift -1
