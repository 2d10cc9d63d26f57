/* The batch on POSIX threads: thread t takes inputs t, t + threads, ... */
#include "batch.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct {
	const imnpu_tile_params *p;
	const imnpu_gdpu_params *gp;
	const imnpu_net *n;
	const imnpu_net_devices *d;
	long first, count;
	const int8_t *x;
	int8_t *y;
	int t, threads;
} job;

static void *work(void *arg)
{
	const job *j = arg;
	const size_t in = (size_t)j->n->input, out = (size_t)imnpu_net_output_len(j->n);
	for (long i = j->t; i < j->count; i += j->threads)
		imnpu_net_run_stream(j->p, j->gp, j->n, j->d, (uint64_t)(j->first + i), j->x + (size_t)i * in,
				     j->y + (size_t)i * out);
	return NULL;
}

int batch_run(const imnpu_tile_params *p, const imnpu_gdpu_params *gp, const imnpu_net *n,
	      const imnpu_net_devices *d, long first, long count, const int8_t *x, int8_t *y, int threads)
{
	if (threads < 1)
		threads = 1;
	job *jobs = calloc((size_t)threads, sizeof *jobs);
	pthread_t *tid = calloc((size_t)threads, sizeof *tid);
	if (!jobs || !tid) {
		free(jobs);
		free(tid);
		return -1;
	}
	int started = 0, st = 0;
	for (int t = 0; t < threads; t++) {
		jobs[t] = (job){p, gp, n, d, first, count, x, y, t, threads};
		if (t > 0 && pthread_create(&tid[t], NULL, work, &jobs[t]) != 0) {
			st = -1;
			break;
		}
		started = t + 1;
	}
	if (st == 0)
		work(&jobs[0]); /* the calling thread takes its share */
	for (int t = 1; t < started; t++)
		pthread_join(tid[t], NULL);
	free(jobs);
	free(tid);
	return st;
}

int batch_class(const imnpu_net *n, const int8_t *y)
{
	int len = imnpu_net_output_len(n);
	if (n->nlayers > 0 && imnpu_layer_stepped(&n->layers[0])) { /* an lstm network: its last step's output */
		const int per = imnpu_layer_step_out(&n->layers[n->nlayers - 1]);
		y += (size_t)(imnpu_net_steps(n) - 1) * (size_t)per;
		len = per;
	}
	if (len == 1)
		return y[0];
	int best = 0;
	for (int i = 1; i < len; i++)
		if (y[i] > y[best])
			best = i;
	return best;
}
