/*
 * pool.h: run fn(arg, i) for i in 0..n-1 on up to the machine's cores
 * (at most POOL_THREADS threads, the calling one among them), a chunk of
 * indexes at a time; it returns when all are done.  Each index is one
 * thread's alone; what fn writes for index i is the caller's to read
 * after pool_for() returns, in index order, whatever the threads' order.
 * Signals stay with the calling thread.  Few indexes run in the caller.
 *
 * pool_slot() tells fn which thread it runs on: 0 for the calling thread
 * (and anywhere outside pool_for()), 1 .. POOL_THREADS - 1 for a worker.
 * A slot is one thread's at a time, so per-slot state needs no lock.
 */
#ifndef TB_POOL_H
#define TB_POOL_H

#include <stddef.h>

#define POOL_THREADS	8

void	pool_for(size_t n, void (*fn)(void *arg, size_t i), void *arg);
int	pool_slot(void);

#endif
