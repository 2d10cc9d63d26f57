/* The host port's script of an image's run (script.h, docs/flows.md).
 *
 * path, one record a line, hex fields separated by spaces:
 *   1 DEST MCAST MASK INFO NBEATS BEAT...         send a packet
 *   2 DEST MCAST MASK INFO NBEATS BEAT... WMASK   send a read of one word and
 *                                                 send it again until the
 *                                                 word AND WMASK is 0
 *   3 TOTAL IDLE                                  clock until TOTAL expected
 *                                                 packets have arrived (fail
 *                                                 after IDLE quiet cycles)
 *   0                                             the end
 * DEST is a node address ({y, x}, host_tx_dest_i), MASK the multicast set
 * (bit n: node n).
 * path.exp, a line per packet the golden model's host received (the replies
 * to its polls left out): SRC INFO NBEATS BEAT..., SRC a node address.  The
 * host's rule (docs/chip.md) fixes their order from each source, not
 * across sources.
 * path.vh: the chip's module and its ports' widths, the files' sizes. */
#include "script.h"

#include "imnpu_chip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


typedef struct {
	const imnpu_chip_params *p;
	imnpu_chip *g;
	FILE *cmd, *exp;
	int hex_mask;        /* hex digits of a mask: ceil(nodes / 4) */
	int written;         /* golden host packets handled (written or skipped) */
	long nexp, nbeats;   /* expected packets and their beats */
	int max_beats;       /* longest packet either way */
} script;

static void put_mask(script *s, const uint64_t *mask)
{
	for (int k = s->hex_mask - 1; k >= 0; k--)
		fputc("0123456789abcdef"[mask[k / 16] >> (4 * (k % 16)) & 15], s->cmd);
}

static void put_packet(script *s, int kind, const imnpu_pkt *pk)
{
	fprintf(s->cmd, "%x %x %x ", kind, imnpu_chip_addr(s->p, pk->dest), pk->mcast);
	put_mask(s, pk->mask);
	fprintf(s->cmd, " %x %x", pk->info, pk->nbeats);
	for (int b = 0; b < pk->nbeats; b++)
		fprintf(s->cmd, " %llx", (unsigned long long)pk->beats[b]);
	if (pk->nbeats > s->max_beats)
		s->max_beats = pk->nbeats;
}

/* The golden model's host packets since the last call into path.exp (skip:
 * replies to a poll, which the bench takes aside). */
static void take_host(script *s, int skip)
{
	const uint64_t pay = s->p->payw >= 64 ? ~0ull : (1ull << s->p->payw) - 1;
	for (; s->written < imnpu_chip_host_count(s->g); s->written++) {
		if (skip)
			continue;
		const imnpu_pkt *r = imnpu_chip_host_pkt(s->g, s->written);
		fprintf(s->exp, "%x %x %x", imnpu_chip_addr(s->p, r->src), r->info, r->nbeats);
		for (int b = 0; b < r->nbeats; b++)
			fprintf(s->exp, " %llx", (unsigned long long)(r->beats[b] & pay));
		fputc('\n', s->exp);
		s->nexp++;
		s->nbeats += r->nbeats;
		if (r->nbeats > s->max_beats)
			s->max_beats = r->nbeats;
	}
}

static void send(script *s, const imnpu_pkt *pk)
{
	put_packet(s, 1, pk);
	fputc('\n', s->cmd);
	imnpu_chip_send(s->g, pk);
	take_host(s, 0);
}

static void ops(script *s, const imnpu_prog_op *o, int n)
{
	for (int i = 0; i < n; i++) {
		if (o[i].op == IMNPU_PROG_SEND) {
			send(s, &o[i].pkt);
			continue;
		}
		/* a wait: the bench reads the word until the bits clear; the
		 * untimed model has them clear already, and gets one read */
		uint64_t beats[2] = {o[i].addr, 1};
		imnpu_pkt rd = {0};
		rd.dest = o[i].node;
		rd.info = IMNPU_CHIP_PKT_CFG_RD;
		rd.nbeats = 2;
		rd.beats = beats;
		put_packet(s, 2, &rd);
		fprintf(s->cmd, " %x\n", o[i].mask);
		imnpu_chip_send(s->g, &rd);
		take_host(s, 1);
	}
}

static void drain(script *s, uint64_t idle)
{
	fprintf(s->cmd, "3 %lx %llx\n", s->nexp, (unsigned long long)idle);
}

/* The outputs of one step from the golden host packets first..last-1 (its
 * ACT packets; the poll replies among them left out), placed by the step's
 * collections. */
static int place(script *s, const imnpu_step *sp, int first, int last, int8_t *y, char *err, size_t errlen)
{
	const int n = last - first;
	imnpu_pkt *pk = calloc((size_t)(n > 0 ? n : 1), sizeof *pk);
	if (!pk) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int m = 0;
	for (int i = 0; i < n; i++)
		if ((imnpu_chip_host_pkt(s->g, first + i)->info & 7) == IMNPU_CHIP_PKT_ACT)
			pk[m++] = *imnpu_chip_host_pkt(s->g, first + i);
	const int st = imnpu_step_place(s->p, sp, pk, m, y, err, errlen);
	free(pk);
	return st;
}

static int check(const imnpu_image *img, long k, const int8_t *y, const int8_t *ylayer, char *err, size_t errlen)
{
	for (int j = 0; ylayer && j < img->out_len; j++)
		if (y[j] != ylayer[(size_t)k * (size_t)img->out_len + (size_t)j]) {
			snprintf(err, errlen, "input %ld, output %d: the transaction-level golden model says %d, the layer "
				 "level %d", k, j, y[j], ylayer[(size_t)k * (size_t)img->out_len + (size_t)j]);
			return -1;
		}
	return 0;
}

/* The inferences: the host's rule (one at a time, a step's packets back
 * before the next step), or the map flow's stream (every input's pixels
 * back to back, image k taking each source's k-th group). */
static int infer(script *s, const imnpu_image *img, const int8_t *x, long n, const int8_t *ylayer, char *err,
		 size_t errlen)
{
	int8_t *y = calloc((size_t)img->out_len + 1, 1);
	int st = -1;
	if (!y) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	const int streamed = img->flow == IMNPU_FLOW_MAPS;
	const int first = s->written;
	for (long k = 0; k < n; k++) {
		const int8_t *xk = x + (size_t)k * (size_t)img->in_len;
		for (int t = 0; t < img->nsteps; t++) {
			const imnpu_step *sp = &img->steps[t];
			const int before = s->written;
			ops(s, sp->ops, sp->nops);
			for (int j = 0; j < sp->ninj; j++) {
				imnpu_pkt pk;
				if (imnpu_inject_packet(s->p, &sp->inj[j], xk, &pk) != 0) {
					snprintf(err, errlen, "out of memory");
					goto out;
				}
				send(s, &pk);
				imnpu_pkt_free(&pk);
			}
			if (streamed)
				continue;
			drain(s, 50000);
			if (place(s, sp, before, s->written, y, err, errlen) != 0)
				goto out;
		}
		if (!streamed && check(img, k, y, ylayer, err, errlen) != 0)
			goto out;
	}
	if (streamed) {
		const uint64_t quiet = 2 * (uint64_t)img->est_cycles;
		drain(s, quiet > 50000 ? quiet : 50000);
		/* image k: the k-th group of every source's packets */
		const imnpu_step *sp = &img->steps[0];
		const int total = s->written - first;
		imnpu_pkt *pk = calloc((size_t)(sp->ncol > 0 ? sp->ncol : 1), sizeof *pk);
		int *seen = calloc((size_t)imnpu_chip_nodes(s->p), sizeof *seen);
		for (long k = 0; pk && seen && k < n; k++) {
			int m = 0;
			memset(seen, 0, (size_t)imnpu_chip_nodes(s->p) * sizeof *seen);
			for (int i = 0; i < total && m < sp->ncol; i++) {
				const imnpu_pkt *r = imnpu_chip_host_pkt(s->g, first + i);
				if ((r->info & 7) != IMNPU_CHIP_PKT_ACT)
					continue;
				int per = 0;
				for (int q = 0; q < sp->ncol; q++)
					per += sp->col[q].src == r->src;
				const int g = seen[r->src]++ / (per ? per : 1);
				if (g == k)
					pk[m++] = *r;
			}
			memset(y, 0, (size_t)img->out_len);
			if (imnpu_step_place(s->p, sp, pk, m, y, err, errlen) != 0 || check(img, k, y, ylayer, err, errlen) != 0) {
				free(pk);
				free(seen);
				goto out;
			}
		}
		const int ok = pk && seen;
		free(pk);
		free(seen);
		if (!ok) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	}
	st = 0;
out:
	free(y);
	return st;
}

/* path.vh: what tb/chip_script.v needs of the configuration. */
static int write_vh(const design *d, const script *s, const char *path, const char *image)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "// Generated by imnpu-run --host-script from %s for configuration %s: tb/chip_script.v's\n"
		   "// declarations (the chip's module and port widths, the script's sizes).\n", image, d->name);
	fprintf(f, "`define CHIP_MODULE %s\n", d->mod_chip);
	fprintf(f, "localparam IDW = %d, NODES = %d, IW = %d, PW = %d, CW = %d, NW = %d, LW = %d;\n", d->idw, d->nodes,
		d->infow, d->payw, d->cw, d->node_w, d->link_w);
	fprintf(f, "localparam EXP_N = %ld, EXP_BEATS = %ld, MAX_BEATS = %d;\n", s->nexp > 0 ? s->nexp : 1,
		s->nbeats > 0 ? s->nbeats : 1, s->max_beats > 0 ? s->max_beats : 1);
	return fclose(f);
}

int script_write(const design *d, const imnpu_chip_params *p, const imnpu_image *img, const int8_t *x, long n,
		 const int8_t *ylayer, const char *path, char *err, size_t errlen)
{
	const char *suffix[3] = {".tmp", ".exp.tmp", ".vh.tmp"}, *final[3] = {"", ".exp", ".vh"};
	char tmp[3][4096], dst[3][4096];
	for (int i = 0; i < 3; i++) {
		if (snprintf(tmp[i], sizeof tmp[i], "%s%s", path, suffix[i]) >= (int)sizeof tmp[i]) {
			snprintf(err, errlen, "%s: the path is too long", path);
			return -1;
		}
		snprintf(dst[i], sizeof dst[i], "%s%s", path, final[i]);
	}
	script s = {0};
	s.p = p;
	s.hex_mask = (imnpu_chip_nodes(p) + 3) / 4;
	s.g = imnpu_chip_new(p);
	s.cmd = fopen(tmp[0], "w");
	s.exp = fopen(tmp[1], "w");
	int st = -1;
	if (!s.g) {
		snprintf(err, errlen, "out of memory building the transaction-level golden model");
	} else if (!s.cmd || !s.exp) {
		snprintf(err, errlen, "%s: cannot write the host script", path);
	} else {
		ops(&s, img->ops, img->nops);
		drain(&s, 50000);
		st = infer(&s, img, x, n, ylayer, err, errlen);
		fputs("0\n", s.cmd);
	}
	const int closed = (s.cmd ? fclose(s.cmd) : 0) | (s.exp ? fclose(s.exp) : 0);
	if (st == 0 && (closed != 0 || write_vh(d, &s, tmp[2], img->net.name) != 0)) {
		snprintf(err, errlen, "%s: cannot write the host script", path);
		st = -1;
	}
	for (int i = 0; i < 3 && st == 0; i++)
		if (rename(tmp[i], dst[i]) != 0) {
			snprintf(err, errlen, "%s: cannot write the host script", dst[i]);
			st = -1;
		}
	if (st != 0)
		for (int i = 0; i < 3; i++)
			remove(tmp[i]);
	if (s.g)
		imnpu_chip_free(s.g);
	return st;
}
