/* The windows the test checks and the keys they are tagged under: files
 * named by the build (CRYPT_BLOB, KEY_FILE; docs/crypt.md). */
	.section .rodata.crypt, "a"
	.balign 4
	.globl crypt_blob_start, crypt_blob_end
crypt_blob_start:
	.incbin CRYPT_BLOB
crypt_blob_end:
	.balign 4
	.globl npu_key_start, npu_key_end
npu_key_start:
	.incbin KEY_FILE
npu_key_end:
