# 4 rows of 8-bit inputs give 25 bits of charge: 1/4096 of it is narrower than a 16-bit ADC.
# expect: configs/bad/pcm_adc_wider_than_full_scale.tcl:5: error: pcm -adc_bits: the ADC's full scale (13 bits of charge after adc_fs_div) is narrower than adc_bits 16 (allowed: adc_bits + adc_fs_div <= 25 for rows 4)
chip -name bad
tile -rows 4 -cols 4 -acc_bits 18 -macro pcm
pcm -adc_bits 16 -adc_fs_div 12
