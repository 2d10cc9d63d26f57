/* The host port's script of a program image's run, for a second simulator
 * (tb/chip_script.v under Icarus Verilog; docs/flows.md): what the host
 * sends, the registers it polls, and the packets the transaction-level
 * golden model says reach the host.  imnpu-run --host-script. */
#ifndef IMNPU_SCRIPT_H
#define IMNPU_SCRIPT_H

#include "../gen/design.h"
#include "imnpu_image.h"

/* Run img's configuration stream and n inputs x (img->net.input values
 * each) through the transaction-level golden model and write three files:
 * path (the commands), path.exp (the packets expected at the host port, in
 * the model's order) and path.vh (the chip's module and port widths).  The
 * outputs the packets carry are checked against ylayer (n x output values
 * of the layer-level model, or NULL).  All three files are written or none;
 * -1 with a one-line reason in err. */
int script_write(const design *d, const imnpu_chip_params *p, const imnpu_image *img, const int8_t *x, long n,
		 const int8_t *ylayer, const char *path, char *err, size_t errlen);

#endif
