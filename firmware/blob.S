/* The network the firmware runs: a program image and its input vectors,
 * linked into the data SRAM (the DMA reads the image there). The build
 * names the files with IMAGE_FILE and INPUTS_FILE, and LABELS_FILE when the
 * inputs are Fashion-MNIST images with their labels. */
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
#ifdef LABELS_FILE
/* the inputs' labels, one byte each (the demo's Fashion-MNIST images) */
	.balign 4
	.globl npu_labels_start, npu_labels_end
npu_labels_start:
	.incbin LABELS_FILE
npu_labels_end:
#endif
#ifdef KEY_FILE
/* the keys of an encrypted image (docs/crypt.md): a key file's hex text */
	.balign 4
	.globl npu_key_start, npu_key_end
npu_key_start:
	.incbin KEY_FILE
npu_key_end:
#endif
