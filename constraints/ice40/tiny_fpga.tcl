# make fpga (scripts/fpga.sh): tiny with the synthesizable crossbar macro,
# clocked for the iCE40-HX8K breakout board's 12 MHz oscillator.  The SDC
# imnpu-gen writes from -clock_mhz is the timing check nextpnr runs against.
source configs/tiny.tcl
chip -name tiny_fpga -clock_mhz 12
tile -macro fpga
