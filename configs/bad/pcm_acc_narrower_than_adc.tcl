# The 4-phase result of a 16-bit ADC needs 18 bits (a 2-row tile alone needs 16).
# expect: configs/bad/pcm_acc_narrower_than_adc.tcl:4: error: tile -acc_bits: acc_bits 16 cannot hold a 4-phase result of adc_bits 16 (allowed: acc_bits >= adc_bits + 2 = 18)
chip -name bad
tile -rows 2 -cols 4 -acc_bits 16 -macro pcm
pcm -adc_bits 16
