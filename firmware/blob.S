/* The network the firmware runs: a program image and its input vectors,
 * linked into the data SRAM (the DMA reads the image there). The build
 * names the files with IMAGE_FILE and INPUTS_FILE. */
	.section .rodata.npu, "a"
	.balign 4
	.globl npu_image_start, npu_image_end
npu_image_start:
	.incbin IMAGE_FILE
npu_image_end:
	.balign 4
	.globl npu_inputs_start, npu_inputs_end
npu_inputs_start:
	.incbin INPUTS_FILE
npu_inputs_end:
