/* Network manifests (docs/network.md): a JSON file naming the layers and
 * .npy files holding their tensors. */
#ifndef IMNPU_MANIFEST_H
#define IMNPU_MANIFEST_H

#include "imnpu_chip.h"
#include "imnpu_net.h"

/* Read path into n.  Every value is checked against the tile's formats in
 * cp->tp (weights within +-(2^(weight_bits-1)-1), scale and offset within
 * their fields; a multiplier and bias become them at the configuration's
 * shift, a pcm layer's scaled by the macro's gain, cp->pp); default_mode for
 * layers that name none.  -1 with a one-line
 * error naming the file, the key and the allowed range. */
int manifest_load(imnpu_net *n, const char *path, const imnpu_chip_params *cp, int default_mode, char *err,
		  size_t errlen);

/* Write n as dir/net.json and one .npy file per tensor (dir exists). */
int manifest_save(const imnpu_net *n, const char *dir, char *err, size_t errlen);

/* One .npy array: int8 ('|i1') or int32 ('<i4'), C order, 1 or 2
 * dimensions.  read: *data malloc'd, shape[1] = 1 for one dimension. */
int npy_read(const char *path, int elem_bytes, int ndim, long shape[4], void **data, char *err, size_t errlen);
int npy_write(const char *path, int elem_bytes, int ndim, const long shape[4], const void *data);
/* The same, whole or not at all: a temporary file renamed into place. */
int npy_write_atomic(const char *path, int elem_bytes, int ndim, const long shape[4], const void *data);
/* A float32 ('<f4') or float64 ('<f8') .npy array, as doubles. */
int npy_read_real(const char *path, int ndim, long shape[4], double **data, char *err, size_t errlen);

#endif
