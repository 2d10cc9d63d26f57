# A misspelt option is named, with the options the command takes.
# expect: configs/bad/unknown_option.tcl:3: error: tile: unknown option '-rowz' (allowed: -rows -cols -in_bits -weight_bits -acc_bits -macro -spare_cols)
tile -rowz 16
