/*
 * The audit's own threads: the LDIF parser, the check and resolution
 * workers, the report's formatter and writer, the readers of other DCs.
 */
#ifndef PRIVAUDIT_THREAD_H
#define PRIVAUDIT_THREAD_H

#include <pthread.h>
#include <stdbool.h>

/*
 * pthread_create(tid, NULL, fn, arg) for a thread that blocks every
 * signal: signals go to the main thread, whose handler removes the
 * temporary reports. False when no thread could start (the caller then
 * does the work itself).
 */
bool thread_start(pthread_t *tid, void *(*fn)(void *), void *arg);

#endif
