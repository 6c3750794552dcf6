/*
 * Tests for auditor/thread.c: a thread it starts leaves signals to the
 * main thread, and the caller's mask is as it was; it may run on every
 * CPU the process may, once started (on another CPU than its parent's);
 * thread_run_each() calls fn once per argument, the first on the caller's
 * thread.
 */
#include <criterion/criterion.h>

#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

#include "../../auditor/thread.h"

static void *mask_of(void *arg)
{
	sigset_t *set = arg;

	pthread_sigmask(SIG_SETMASK, NULL, set);
	return NULL;
}

Test(thread, started_thread_blocks_signals_and_caller_keeps_its_mask)
{
	sigset_t in_thread, before, after;
	pthread_t tid;

	pthread_sigmask(SIG_SETMASK, NULL, &before);
	cr_assert(!sigismember(&before, SIGTERM), "the test runs with SIGTERM open");
	cr_assert(thread_start(&tid, mask_of, &in_thread));
	pthread_join(tid, NULL);
	pthread_sigmask(SIG_SETMASK, NULL, &after);
	cr_expect(sigismember(&in_thread, SIGTERM));
	cr_expect(sigismember(&in_thread, SIGINT));
	cr_expect(sigismember(&in_thread, SIGHUP));
	cr_expect(sigismember(&in_thread, SIGALRM));
	cr_expect(!sigismember(&after, SIGTERM), "the caller's mask is restored");
	cr_expect(!sigismember(&after, SIGINT));
}

struct where {
	cpu_set_t cpus;          /* the thread's own, as it runs */
	int cpu;
};

static void *where_am_i(void *arg)
{
	struct where *w = arg;

	w->cpu = sched_getcpu();
	pthread_getaffinity_np(pthread_self(), sizeof(w->cpus), &w->cpus);
	return NULL;
}

/*
 * Started on another CPU, a thread is then given back every CPU of the
 * process; with one CPU only, it starts there.
 */
Test(thread, started_thread_may_use_every_cpu_of_the_process)
{
	cpu_set_t mine, one;
	struct where w;
	pthread_t tid;
	int cpu;

	cr_assert_eq(sched_getaffinity(0, sizeof(mine), &mine), 0);
	cr_assert(thread_start(&tid, where_am_i, &w));
	pthread_join(tid, NULL);
	cr_expect(CPU_EQUAL(&w.cpus, &mine), "%d CPUs in the thread's set, %d in the process's",
		  CPU_COUNT(&w.cpus), CPU_COUNT(&mine));
	cr_expect(CPU_ISSET(w.cpu, &mine));

	cpu = sched_getcpu();
	cr_assert_geq(cpu, 0);
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	cr_assert_eq(sched_setaffinity(0, sizeof(one), &one), 0);
	cr_assert(thread_start(&tid, where_am_i, &w));
	pthread_join(tid, NULL);
	sched_setaffinity(0, sizeof(mine), &mine);
	cr_expect(CPU_EQUAL(&w.cpus, &one));
	cr_expect_eq(w.cpu, cpu);
}

struct call {
	pthread_t self;
	int calls;
};

static void *record(void *arg)
{
	struct call *c = arg;

	c->self = pthread_self();
	c->calls++;
	return NULL;
}

/* Each argument once: the first on the caller's thread, the others on threads of their own. */
Test(thread, run_each_calls_each_argument_once)
{
	struct call c[5];

	memset(c, 0, sizeof(c));
	thread_run_each(record, c, sizeof(*c), 5);
	for (int i = 0; i < 5; i++)
		cr_expect_eq(c[i].calls, 1, "argument %d called %d times", i, c[i].calls);
	cr_expect(pthread_equal(c[0].self, pthread_self()), "the first runs on the caller");
	for (int i = 1; i < 5; i++)
		cr_expect(!pthread_equal(c[i].self, pthread_self()), "argument %d on the caller", i);
}

static void *count(void *arg)
{
	atomic_int *n = arg;

	atomic_fetch_add(n, 1);
	return NULL;
}

/* Size 0: every call gets the same argument (workers of one queue); none at all for n 0. */
Test(thread, run_each_shared_argument_and_none)
{
	atomic_int n = 0;

	thread_run_each(count, &n, 0, 3);
	cr_expect_eq(atomic_load(&n), 3);
	thread_run_each(count, &n, 0, 0);
	cr_expect_eq(atomic_load(&n), 3);
}
