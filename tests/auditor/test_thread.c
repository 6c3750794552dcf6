/*
 * Tests for auditor/thread.c: a thread it starts leaves signals to the
 * main thread, and the caller's mask is as it was.
 */
#include <criterion/criterion.h>

#include <signal.h>

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
