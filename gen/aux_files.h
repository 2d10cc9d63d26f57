/* Flow files generated beside the RTL. */
#ifndef IMNPU_AUX_FILES_H
#define IMNPU_AUX_FILES_H

#include "design.h"

#include <stdio.h>

void aux_filelist(emitter *e, const design *d);
/* FuseSoC CAPI2 core: the .f's files, the SDC, lint/sim/synth targets. */
void aux_core(emitter *e, const design *d);
void aux_params_h(emitter *e, const design *d);
void aux_gtkw(emitter *e, const design *d, const char *dumpfile);
void aux_gtkw_gdpu(emitter *e, const design *d, const char *dumpfile);
void aux_gtkw_rv32(emitter *e, const design *d, const char *dumpfile);
/* The chip's, the mesh's and the SoC's harness layouts: a group per node
 * and per router (make waves WHAT=chip|mesh|soc). */
void aux_gtkw_chip(emitter *e, const design *d, const char *dumpfile);
void aux_gtkw_mesh(emitter *e, const design *d, const char *dumpfile);
void aux_gtkw_soc(emitter *e, const design *d, const char *dumpfile);
void aux_sdc(emitter *e, const design *d);
/* The SoC (docs/soc.md): register header, register page, linker script. */
void aux_regs_h(emitter *e, const design *d);
void aux_regs_md(emitter *e, const design *d);
void aux_soc_ld(emitter *e, const design *d);

#endif
