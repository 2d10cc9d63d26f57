#ifndef IMNPU_REPORT_H
#define IMNPU_REPORT_H

#include "design.h"

#include <stdio.h>

/* The chip's geometry, MVM occupancy per mode and peak operations per
 * second (2 x rows x cols per MVM, every tile busy). */
void report_print(FILE *f, const design *d);

#endif
