/*
 * Threads that leave signals to the main thread (see thread.h).
 */
#include "thread.h"

#include <signal.h>
#include <stdlib.h>

#include "xalloc.h"

bool thread_start(pthread_t *tid, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	bool started;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	started = pthread_create(tid, NULL, fn, arg) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return started;
}

void thread_run_each(void *(*fn)(void *), void *args, size_t size, size_t n)
{
	pthread_t *tid;
	bool *started;

	if (!n)
		return;
	tid = xcalloc(n, sizeof(*tid));
	started = xcalloc(n, sizeof(*started));
	for (size_t i = 1; i < n; i++)
		started[i] = thread_start(&tid[i], fn, (char *)args + i * size);
	fn(args);
	for (size_t i = 1; i < n; i++) {
		if (started[i])
			pthread_join(tid[i], NULL);
		else
			fn((char *)args + i * size);
	}
	free(tid);
	free(started);
}
