/*
 * pool.c: a loop spread over threads (pool.h).
 */
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "pool.h"

#define CHUNK	16		/* indexes claimed at a time, one lock each */

static __thread int slot;	/* pool_slot(): 0 outside workers */

struct pool {
	size_t		  n, next;
	void		(*fn)(void *, size_t);
	void		 *arg;
	pthread_mutex_t	  mu;
};

struct start {
	struct pool	*pool;
	int		 slot;
};

int
pool_slot(void)
{
	return slot;
}

static void *
run(struct pool *a)
{
	size_t i, end;

	for (;;) {
		pthread_mutex_lock(&a->mu);
		i = a->next;
		a->next = end = i + CHUNK < a->n ? i + CHUNK : a->n;
		pthread_mutex_unlock(&a->mu);
		if (i >= end)
			return NULL;
		for (; i < end; i++)
			a->fn(a->arg, i);
	}
}

static void *
worker(void *p)
{
	struct start *s = p;

	slot = s->slot;
	return run(s->pool);
}

void
pool_for(size_t n, void (*fn)(void *arg, size_t i), void *arg)
{
	struct pool a;
	pthread_t tid[POOL_THREADS];
	struct start st[POOL_THREADS];
	sigset_t all, old;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t i, nt = 0, want;

	a.n = n;
	a.next = 0;
	a.fn = fn;
	a.arg = arg;
	pthread_mutex_init(&a.mu, NULL);
	want = cores < 1 ? 1 : (size_t)cores;
	if (want > POOL_THREADS)
		want = POOL_THREADS;
	if (want > n / 64 + 1)		/* a few: not worth a thread */
		want = n / 64 + 1;
	if (want > 1) {
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		for (nt = 0; nt < want - 1; nt++) {
			st[nt].pool = &a;
			st[nt].slot = (int)nt + 1;
			if (pthread_create(&tid[nt], NULL, worker, &st[nt]) != 0)
				break;
		}
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	run(&a);
	for (i = 0; i < nt; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&a.mu);
}
