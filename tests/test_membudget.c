/*
 * test_membudget.c - unit tests for membudget.c (MaxMemory): what fits,
 * what waits, what fails, and that giving back wakes a waiter.
 */
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "membudget.h"
#include "tap.h"

static size_t waiter_held;
static int waiter_rc = 99;

static void *waiter(void *arg)
{
	(void)arg;
	waiter_rc = membudget_reserve(&waiter_held, 600, 5000);
	return NULL;
}

int main(void)
{
	size_t a = 0, b = 0;
	pthread_t th;

	membudget_configure(1000);
	CHECK(membudget_reserve(&a, 700, 0) == 0 && a == 700 &&
	      membudget_in_use() == 700, "a reservation within the budget is taken");
	CHECK(membudget_reserve(&a, 500, 0) == 0 && a == 700,
	      "asking for less than held changes nothing");
	CHECK(membudget_reserve(&b, 400, 50) == -1 && b == 0 &&
	      membudget_in_use() == 700,
	      "one that does not fit fails after its wait, holding nothing");
	CHECK(membudget_reserve(&a, 5000, 0) == 0 && a == 5000,
	      "a holder alone gets more than the whole budget");
	membudget_release(&a);
	CHECK(a == 0 && membudget_in_use() == 0, "release gives everything back");

	CHECK(membudget_reserve(&a, 900, 0) == 0, "the budget taken again");
	if (pthread_create(&th, NULL, waiter, NULL) == 0) {
		usleep(100 * 1000);
		CHECK(waiter_rc == 99, "a second holder waits while there is no room");
		membudget_release(&a);
		pthread_join(th, NULL);
		CHECK(waiter_rc == 0 && waiter_held == 600,
		      "giving back wakes the waiter, which then gets its room");
		membudget_release(&waiter_held);
	}
	CHECK(membudget_message_cost(1000) > 3000 &&
	      membudget_message_cost((size_t)-1) >= membudget_message_cost(1u << 30),
	      "a message's cost grows with its size and does not overflow");
	membudget_return_memory();
	return tap_done();
}
