/*
 * The audit's own threads: the LDIF parser, the check and resolution
 * workers, the report's formatter and writer, the LDAP readers of the
 * parts of the search and of other DCs.
 */
#ifndef PRIVAUDIT_THREAD_H
#define PRIVAUDIT_THREAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * pthread_create(tid, NULL, fn, arg) for a thread that blocks every
 * signal: signals go to the main thread, whose handler removes the
 * temporary reports. False when no thread could start (the caller then
 * does the work itself).
 */
bool thread_start(pthread_t *tid, void *(*fn)(void *), void *arg);

/*
 * fn of each of n arguments, args[0], args[size]... (all args when size is
 * 0: workers taking their work from one queue), at once: every one but the
 * first on a thread of its own (thread_start), the first on the calling
 * thread. Returns when all have returned; one whose thread could not start
 * is run on the calling thread after the first.
 */
void thread_run_each(void *(*fn)(void *), void *args, size_t size, size_t n);

#endif
