/*
 * Threads that leave signals to the main thread (see thread.h).
 */
#include "thread.h"

#include <sched.h>
#include <signal.h>
#include <stdlib.h>

#include "xalloc.h"

/*
 * A new thread is started on another CPU than the one that starts it,
 * then given back every CPU the process may use. Left to the scheduler,
 * it was put on its parent's CPU more often than not, to run there when
 * the parent next waited: the other core idle meanwhile, a phase of the
 * audit run on one core for its first millisecond or two. A test
 * program's new thread began 1.25 ms after its creation on average
 * (0.15 to 1.7 ms), and 0.15 ms when started on the other CPU; at 10,000
 * accounts the checks then ran on one core in a third of the runs.
 */
struct start {
	void *(*fn)(void *);
	void *arg;
	cpu_set_t cpus;          /* the process's, given back */
};

static void *begin(void *p)
{
	struct start st = *(struct start *)p;

	free(p);
	pthread_setaffinity_np(pthread_self(), sizeof(st.cpus), &st.cpus);
	return st.fn(st.arg);
}

/*
 * pthread_create() on a CPU other than this one when the process may use
 * another; false when no thread could start.
 */
static bool create_elsewhere(pthread_t *tid, void *(*fn)(void *), void *arg)
{
	struct start *st = malloc(sizeof(*st));
	pthread_attr_t attr;
	int cpu = sched_getcpu();

	if (st && cpu >= 0 && cpu < CPU_SETSIZE &&
	    sched_getaffinity(0, sizeof(st->cpus), &st->cpus) == 0 &&
	    CPU_ISSET(cpu, &st->cpus) && CPU_COUNT(&st->cpus) >= 2 &&
	    pthread_attr_init(&attr) == 0) {
		cpu_set_t others = st->cpus;
		bool ok;

		st->fn = fn;
		st->arg = arg;
		CPU_CLR(cpu, &others);
		ok = pthread_attr_setaffinity_np(&attr, sizeof(others), &others) == 0 &&
		     pthread_create(tid, &attr, begin, st) == 0;
		pthread_attr_destroy(&attr);
		if (ok)
			return true;
	}
	free(st);
	return pthread_create(tid, NULL, fn, arg) == 0;
}

bool thread_start(pthread_t *tid, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	bool started;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	started = create_elsewhere(tid, fn, arg);
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
